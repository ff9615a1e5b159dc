// MSE on the GPU (mse_forward, mse_backward) against the float64 reference: sizes below, at and past the
// workgroup (one workgroup strides over the rows), padding weights, no valid row, accumulation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph, withBackward } from '../../test-support/gpu-graph.ts';
import { expectClose, f32Exact, randn, uniform } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { seedFrom } from './fill.ts';
import { mse, mseBackwardRef, mseForwardRef } from './mse.ts';

// Forward: N non-negative terms w (p - y)^2, each with ~3 roundings (subtract, square, weight), summed by
// a strided loop (ceil(N/256) adds) and an 8-level tree, then one division. All terms are >= 0, so the
// relative error of the sum is at most (3 + N/256 + 8 + 1) * 2^-24 ~ 1e-6 for N <= 1000: rtol 2e-6.
// Backward: each element is a product of 4 rounded factors with the weight sum's ~10 roundings: rtol 2e-6,
// plus an atol far below any element's scale for rows where p ~ y.
const TOL = { atol: 1e-9, rtol: 2e-6 };

function data(N: number, seed: number) {
  const p = f32Exact(randn(N, seed));
  const y = f32Exact(randn(N, seed + 1));
  const w = f32Exact(uniform(N, seed + 2, 0, 2));
  for (let i = 0; i < N; i += 3) w[i] = 0; // padding rows
  return { p, y, w };
}

describe('mse kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  for (const N of [1, 2, 7, 256, 301, 1000]) {
    it(`forward and backward match the reference, N = ${N}`, async () => {
      const { p, y, w } = data(N, N);
      if (N === 1) w[0] = 1.5; // keep one valid row
      const dout = f32Exact(Float64Array.of(0.37));
      const r = await evalGraph(ctx, (g) => {
        const inp = g.param('p', [N]);
        const targets = g.input('y', [N]);
        const weights = g.input('w', [N]);
        const out = mse(g, inp, targets, weights);
        return {
          inputs: [[inp, p], [targets, y], [weights, w], withBackward(g, out, dout)],
          outputs: { out, dinp: g.grad(inp) },
        };
      });
      expectClose(r.out!, [mseForwardRef(p, y, w)], TOL, 'mse_forward');
      expectClose(r.dinp!, mseBackwardRef(p, y, w, dout[0]!), TOL, 'mse_backward');
    });
  }

  it('gives 0 and zero gradients when every row is padding', async () => {
    const N = 5;
    const r = await evalGraph(ctx, (g) => {
      const inp = g.param('p', [N]);
      const targets = g.input('y', [N]);
      const weights = g.input('w', [N]);
      const out = mse(g, inp, targets, weights);
      return {
        inputs: [
          [inp, [1, 2, 3, 4, 5]],
          [targets, [0, 0, 0, 0, 0]],
          [weights, [0, 0, 0, 0, 0]],
          withBackward(g, out, [1]),
        ],
        outputs: { out, dinp: g.grad(inp) },
      };
    });
    expect([...r.out!]).toEqual([0]);
    expect([...r.dinp!]).toEqual([0, 0, 0, 0, 0]);
  });

  it('accumulates into a gradient used twice (the same predictions in two losses)', async () => {
    const N = 37;
    const { p, y, w } = data(N, 11);
    const r = await evalGraph(ctx, (g) => {
      const inp = g.param('p', [N]);
      const targets = g.input('y', [N]);
      const weights = g.input('w', [N]);
      const a = mse(g, inp, targets, weights);
      const b = mse(g, inp, targets, weights);
      const dout = g.input('dout', [1]);
      g.backward(a, (seed) => {
        seedFrom(g, dout)(seed);
        seedFrom(g, dout)(g.gradWrite(b));
      });
      return {
        inputs: [
          [inp, p],
          [targets, y],
          [weights, w],
          [dout, [0.5]],
        ],
        outputs: { dinp: g.grad(inp) },
      };
    });
    const once = mseBackwardRef(p, y, w, 0.5);
    expectClose(
      r.dinp!,
      once.map((v) => 2 * v),
      TOL,
      'accumulated dinp',
    );
  });
});
