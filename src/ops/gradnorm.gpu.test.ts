// Global gradient norm on the GPU (gradnorm_partials, gradnorm_reduce) against the float64 reference, and its
// determinism (same inputs, same bits).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLimits } from '../../test-support/limited-gpu.ts';
import { expectClose, randn, toF32 } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { Graph } from '../runtime/graph.ts';
import { Program } from '../runtime/program.ts';
import { OPT_STATE, OPT_STATE_SIZE } from './adamw.ts';
import {
  clipScaleRef,
  GRADNORM_ITEMS,
  GRADNORM_WG,
  type GradNormOptions,
  gradNorm,
  gradNormPartials,
  gradNormRef,
} from './gradnorm.ts';

const U = 2 ** -24; // f32 unit roundoff

// Every term is a square (>= 0), so the f32 sum has relative error <= (additions on the longest path + 1) * u:
// each square is rounded once, then passes through ITEMS - 1 sequential adds in its thread, log2(WG) tree adds,
// ceil(P / WG) - 1 sequential adds in the reduce thread and log2(WG) more. sqrt halves that relative error and
// adds its own (WGSL: inherited from 1 / inverseSqrt, ~5 ulp). The clip scale max / (norm + 1e-6) adds one
// rounding for the sum and 2.5 ulp for the division.
function normRtol(partials: number): number {
  const log2Wg = Math.log2(GRADNORM_WG);
  const depth = GRADNORM_ITEMS - 1 + log2Wg + Math.ceil(partials / GRADNORM_WG) - 1 + log2Wg;
  return ((depth + 1) / 2 + 5) * U;
}

interface NormResult {
  norm: number;
  scale: number;
  bits: Uint32Array;
}

async function runGradNorm(
  ctx: GpuContext,
  grads: Float64Array[],
  options: GradNormOptions,
  runs = 1,
): Promise<NormResult[]> {
  const g = new Graph();
  const gradTensors = grads.map((data, i) => g.grad(g.param(`p${i}`, [data.length])));
  const optState = g.input('opt_state', [OPT_STATE_SIZE]);
  const { norm } = gradNorm(g, gradTensors, optState, options);
  const program = await Program.compile(ctx, g, { keep: [norm, optState], label: 'gradnorm-test' });
  try {
    const results: NormResult[] = [];
    for (let r = 0; r < runs; r++) {
      grads.forEach((data, i) => {
        program.write(gradTensors[i]!, toF32(data));
      });
      program.write(optState, new Float32Array(OPT_STATE_SIZE).fill(-7)); // the reduce must overwrite the scale
      program.run();
      const n = await program.readF32(norm);
      const s = await program.readF32(optState);
      results.push({
        norm: n[0]!,
        scale: s[OPT_STATE.clipScale]!,
        bits: Uint32Array.of(new Uint32Array(n.buffer)[0]!, new Uint32Array(s.buffer)[OPT_STATE.clipScale]!),
      });
    }
    return results;
  } finally {
    program.destroy();
  }
}

const partialsOf = (grads: Float64Array[]) => grads.reduce((sum, gr) => sum + gradNormPartials(gr.length), 0);
// Test data is rounded to f32 first, so the reference sees exactly what the GPU sees.
const f32Grads = (sizes: number[], seed: number, std: number) =>
  sizes.map((n, i) => Float64Array.from(toF32(randn(n, seed + i, std))));

describe('gradnorm kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  const sizes = [1, 7, 300, 1025];

  it('computes the norm and an active clip scale (norm > max_norm)', async () => {
    const grads = f32Grads(sizes, 11, 1);
    const expected = gradNormRef(grads);
    expect(expected).toBeGreaterThan(10);
    const [r] = await runGradNorm(ctx, grads, { maxNorm: 1 });
    const tol = normRtol(partialsOf(grads));
    expectClose([r!.norm], [expected], { atol: 0, rtol: tol }, 'norm');
    expectClose([r!.scale], [clipScaleRef(expected, 1)], { atol: 0, rtol: tol + 4 * U }, 'clip scale');
  });

  it('leaves the scale at exactly 1 when the norm is under max_norm, or when clipping is off', async () => {
    const small = f32Grads(sizes, 21, 0.01);
    const expectedSmall = gradNormRef(small);
    expect(expectedSmall).toBeLessThan(0.5);
    const [r] = await runGradNorm(ctx, small, { maxNorm: 1 });
    expectClose([r!.norm], [expectedSmall], { atol: 0, rtol: normRtol(partialsOf(small)) }, 'norm');
    expect(r!.scale).toBe(1);

    const big = f32Grads(sizes, 31, 1);
    const [off] = await runGradNorm(ctx, big, {});
    expectClose([off!.norm], [gradNormRef(big)], { atol: 0, rtol: normRtol(partialsOf(big)) }, 'norm, no clip');
    expect(off!.scale).toBe(1);
  });

  it('gives norm 0 and scale 1 for zero gradients', async () => {
    const [r] = await runGradNorm(ctx, [new Float64Array(7), new Float64Array(1025)], { maxNorm: 1 });
    expect(r!.norm).toBe(0);
    expect(r!.scale).toBe(1);
  });

  it('is deterministic over more partials than reduce threads, and with a folded grid', async () => {
    // 300,000 elements: 293 partials, more than the 256 reduce threads, so some threads sum two.
    const grads = f32Grads([300_000, 7], 41, 0.5);
    const partials = partialsOf(grads);
    expect(partials).toBeGreaterThan(GRADNORM_WG);
    const expected = gradNormRef(grads);
    const [a, b] = await runGradNorm(ctx, grads, { maxNorm: 1 }, 2);
    const [c] = await runGradNorm(ctx, grads, { maxNorm: 1 });
    // On a device allowing 19 workgroups per dimension, 293 groups fold to 19 x 16 = 304: the extra groups
    // must write nothing, and the partition is unchanged.
    const limited = withLimits(ctx, { maxComputeWorkgroupsPerDimension: 19 });
    const [folded] = await runGradNorm(limited, grads, { maxNorm: 1 });
    expectClose([a!.norm], [expected], { atol: 0, rtol: normRtol(partials) }, 'norm');
    expectClose([a!.scale], [clipScaleRef(expected, 1)], { atol: 0, rtol: normRtol(partials) + 4 * U }, 'scale');
    expect(b!.bits).toEqual(a!.bits); // same program, second run
    expect(c!.bits).toEqual(a!.bits); // a new program over the same data
    expect(folded!.bits).toEqual(a!.bits);
  });
});
