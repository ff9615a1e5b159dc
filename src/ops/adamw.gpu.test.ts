// AdamW on the GPU (gradnorm_partials, gradnorm_reduce, adamw_update) for three steps against the float64
// reference, on odd sizes, with and without weight decay, with clipping active, inactive and off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLimits } from '../../test-support/limited-gpu.ts';
import { expectClose, randn, toF32 } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { Graph } from '../runtime/graph.ts';
import { Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { type AdamWOptions, adamw, adamwStepRef, decayMatrices } from './adamw.ts';
import { clipScaleRef, gradNormRef } from './gradnorm.ts';

const U = 2 ** -24; // f32 unit roundoff
const STEPS = 3;

// Tolerances, from the f32 roundings per step (errors of earlier steps are damped by beta1, beta2 < 1, so the
// per-step bounds add up over STEPS):
// - clip scale: the gradnorm bound for these sizes (< 20 ulp, see gradnorm.gpu.test.ts) plus the division: 24 u.
// - m: g * scale and torch's lerp (sub, mul, add) are 4 roundings of values <= max|g * scale| (m is a convex
//   combination of the scaled gradients), plus the scale's error: atol = STEPS (8 u + scaleTol) max|g scale|.
// - v: sums of non-negative terms, so relative: g² (3 u counting the scaled g twice), the two products and the
//   add: rtol = STEPS 6 u + 2 scaleTol.
// - param: the f32 decay factor, the decay product and the final subtraction round once each (3 u |p| a step); the
//   update lr / bc1 * m / (sqrt(v) / bc2sqrt + eps) is invariant to the clip scale, its normalised size is below
//   (1 - beta1) / sqrt(1 - beta2) ~ 3.2 for these betas, and sqrt, the two divisions, the add and the inherited
//   m and v errors contribute under 20 ulp of it: atol = STEPS lr 64 u, rtol = STEPS 3 u.
const SCALE_TOL = 24 * U;

interface Case {
  shapes: number[][];
  lr: number;
  options: AdamWOptions;
  /** Standard deviation of the random gradients (sets whether clipping is active). */
  gradStd: number;
  seed: number;
}

interface Result {
  params: Float32Array[];
  m: Float32Array[];
  v: Float32Array[];
  norms: number[];
}

async function runGpu(ctx: GpuContext, c: Case, init: Float64Array[], grads: Float64Array[][]): Promise<Result> {
  const g = new Graph();
  const params = c.shapes.map((shape, i) => g.param(`w${i}`, shape));
  const paramGrads = params.map((param) => ({ param, grad: g.grad(param) }));
  const state = adamw(g, paramGrads, c.options);
  const keep: Tensor[] = [state.norm, ...params, ...state.moments.flatMap((mo) => [mo.m, mo.v])];
  const program = await Program.compile(ctx, g, { keep, label: 'adamw-test' });
  try {
    params.forEach((p, i) => {
      program.write(p, toF32(init[i]!));
    });
    for (const { m, v } of state.moments) {
      program.write(m, new Float32Array(m.size));
      program.write(v, new Float32Array(v.size));
    }
    const norms: number[] = [];
    for (let step = 1; step <= STEPS; step++) {
      program.write(state.optState, state.optStateFor(step, c.lr));
      paramGrads.forEach(({ grad }, i) => {
        program.write(grad, toF32(grads[step - 1]![i]!));
      });
      program.run();
      norms.push((await program.readF32(state.norm))[0]!);
    }
    return {
      params: await Promise.all(params.map((p) => program.readF32(p))),
      m: await Promise.all(state.moments.map((mo) => program.readF32(mo.m))),
      v: await Promise.all(state.moments.map((mo) => program.readF32(mo.v))),
      norms,
    };
  } finally {
    program.destroy();
  }
}

async function checkCase(ctx: GpuContext, c: Case, expectClipping: boolean): Promise<void> {
  const sizes = c.shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const [beta1, beta2] = c.options.betas ?? [0.9, 0.999];
  const eps = c.options.eps ?? 1e-8;
  const wd = c.options.weightDecay ?? 0.01;
  const mask = c.options.decayMask ?? decayMatrices;
  // Host data rounded to f32 first: the reference starts from exactly what the GPU sees.
  const f32 = (d: Float64Array) => Float64Array.from(toF32(d));
  const init = sizes.map((n, i) => f32(randn(n, c.seed + i)));
  const grads = Array.from({ length: STEPS }, (_, s) =>
    sizes.map((n, i) => f32(randn(n, c.seed + 100 * (s + 1) + i, c.gradStd))),
  );

  const gpu = await runGpu(ctx, c, init, grads);

  // The same graph's tensors, to ask the decay mask about each (it sees shapes, as the op does).
  const g = new Graph();
  const decays = c.shapes.map((shape, i) => wd !== 0 && mask(g.param(`w${i}`, shape)));
  const p = init.map((d) => Float64Array.from(d));
  const m = sizes.map((n) => new Float64Array(n));
  const v = sizes.map((n) => new Float64Array(n));
  let maxScaledGrad = 0;
  for (let step = 1; step <= STEPS; step++) {
    const stepGrads = grads[step - 1]!;
    const norm = gradNormRef(stepGrads);
    const clipScale = c.options.maxGradNorm === undefined ? 1 : clipScaleRef(norm, c.options.maxGradNorm);
    expect(clipScale < 1).toBe(expectClipping);
    expectClose([gpu.norms[step - 1]!], [norm], { atol: 0, rtol: SCALE_TOL }, `norm, step ${step}`);
    stepGrads.forEach((gr, i) => {
      for (const x of gr) maxScaledGrad = Math.max(maxScaledGrad, Math.abs(x * clipScale));
      const weightDecay = decays[i] ? wd : 0;
      adamwStepRef(p[i]!, gr, m[i]!, v[i]!, { lr: c.lr, beta1, beta2, eps, weightDecay, step, clipScale });
    });
  }
  const mTol = { atol: STEPS * (8 * U + SCALE_TOL) * maxScaledGrad, rtol: 0 };
  const vTol = { atol: 1e-30, rtol: STEPS * 6 * U + 2 * SCALE_TOL };
  const pTol = { atol: STEPS * c.lr * 64 * U, rtol: STEPS * 3 * U };
  sizes.forEach((n, i) => {
    const what = `[${c.shapes[i]!.join(', ')}] (decay ${decays[i]})`;
    expectClose(gpu.m[i]!, m[i]!, mTol, `m ${what}`);
    expectClose(gpu.v[i]!, v[i]!, vTol, `v ${what}`);
    expectClose(gpu.params[i]!, p[i]!, pTol, `param ${what}`);
    expect(n).toBe(gpu.params[i]!.length);
  });
}

describe('adamw kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  // 1, 7 and 300 are 1-D (no decay by default); [25, 41] = 1025 elements is a matrix (decays).
  const shapes = [[1], [7], [300], [25, 41]];

  it('matches PyTorch-style AdamW for 3 steps: default decay mask, clipping active', async () => {
    // std 1 over 1333 elements: norm ~ 36 > max_norm 1, so every step clips.
    await checkCase(ctx, { shapes, lr: 1e-3, options: { maxGradNorm: 1 }, gradStd: 1, seed: 1 }, true);
  });

  it('matches with decay on every tensor, other betas and eps, clipping inactive', async () => {
    // std 0.005: norm ~ 0.18 < 1, scale 1. lr and wd large enough that decay moves p by 1e-3 a step.
    const options: AdamWOptions = {
      betas: [0.8, 0.99],
      eps: 1e-6,
      weightDecay: 0.1,
      decayMask: () => true,
      maxGradNorm: 1,
    };
    await checkCase(ctx, { shapes, lr: 1e-2, options, gradStd: 0.005, seed: 2 }, false);
  });

  it('matches without decay or clipping, with folded grids', async () => {
    // A device allowing 3 workgroups per dimension: the 1025-element update needs 5 groups, folded to 3 x 2
    // (one group idle).
    const options: AdamWOptions = { weightDecay: 0 };
    const limited = withLimits(ctx, { maxComputeWorkgroupsPerDimension: 3 });
    await checkCase(limited, { shapes, lr: 1e-3, options, gradStd: 2, seed: 3 }, false);
  });
});
