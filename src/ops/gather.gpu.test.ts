// Gather and reshape on the GPU against the references (exact: they only move values).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph, withBackward } from '../../test-support/gpu-graph.ts';
import { f32Exact, randn } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { gatherInverse, gatherRows, gatherRowsBackwardRef, gatherRowsRef, reshape } from './gather.ts';

describe('gather kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  for (const [N, C, index] of [
    [1, 1, [0]],
    [7, 5, [6, 0, 3]],
    [40, 33, [39, 1, 2, 17, 30]],
  ] as [number, number, number[]][]) {
    it(`gathers ${index.length} of ${N} rows of ${C}, forward and backward`, async () => {
      const x = f32Exact(randn(N * C, N));
      const idx = Uint32Array.from(index);
      const dout = f32Exact(randn(index.length * C, C));
      const r = await evalGraph(ctx, (g) => {
        const inp = g.param('x', [N, C]);
        const gathered = gatherRows(g, inp, index.length);
        const seed = withBackward(g, gathered.out, dout);
        return {
          inputs: [[inp, x], [gathered.index, idx], [gathered.inverse!, gatherInverse(idx, N)], seed],
          outputs: { out: gathered.out, dinp: g.grad(inp) },
        };
      });
      expect([...r.out!]).toEqual([...gatherRowsRef(x, idx, C)]);
      expect([...r.dinp!]).toEqual([...gatherRowsBackwardRef(dout, idx, N, C)]);
    });
  }

  it('reshape copies values forward and gradients backward', async () => {
    const x = f32Exact(randn(6, 9));
    const dout = f32Exact(randn(6, 10));
    const r = await evalGraph(ctx, (g) => {
      const inp = g.param('x', [6, 1]);
      const out = reshape(g, inp, [2, 3]);
      return { inputs: [[inp, x], withBackward(g, out, dout)], outputs: { out, dinp: g.grad(inp) } };
    });
    expect([...r.out!]).toEqual([...x]);
    expect([...r.dinp!]).toEqual([...dout]);
    await expect(
      evalGraph(ctx, (g) => ({ inputs: [], outputs: { y: reshape(g, g.param('x', [5]), [2, 3]) } })),
    ).rejects.toThrow(/has 5 values, \[2, 3\] needs 6/);
  });
});
