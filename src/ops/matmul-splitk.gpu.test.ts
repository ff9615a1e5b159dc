// Split-K weight gradients on the GPU against the float64 reference: a linear layer's dW with K = 2,048
// rows (split into 8 slices by the shape rule), with the weight stored either way, accumulated into by a
// second use; the reduction alone with an odd slice count, an output offset and accumulate. Split-K changes
// the summation order, so its results are compared within the error bound, not with the unsplit bits; but
// they are the same bits on every run and whichever tile variant computes the slices (what lets the tuner
// keep choosing variants freely).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph } from '../../test-support/gpu-graph.ts';
import { expectClose, f32Exact, randn, type Tolerance } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { Graph } from '../runtime/graph.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { scaleCopy } from './fill.ts';
import { MATMUL_VARIANTS, type MatmulVariant, matmul, matmulBackwardRef, matmulSplitKDispatch } from './matmul.ts';
import { splitKSlices } from './matmul-splitk.ts';

// Error bound (as in matmul.gpu.test.ts): an f32 sum of n terms in any order is within (n - 1) u sum|terms|
// of the exact sum. A split sum is such a sum: each output adds K products through a slice's k-chain, then
// the slice sums in order, never more than K - 1 additions deep. (K + 2) u sum|terms| also covers an
// accumulate add. Inputs are f32-exact. A lost or doubled slice moves an output by O(1) instead.
const U = 2 ** -24;
const [R, Cin, Cout] = [2048, 24, 40]; // rows (batch x context), input and output width

let seed = 7;
const data = (n: number) => f32Exact(randn(n, seed++));
const abs = (x: Float64Array) => x.map(Math.abs);
const maxAbs = (x: Float64Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The tolerance of dW for y = x @ op(W) with upstream dY: (K + 2) u max sum|terms|, K = R. */
function dwTolerance(x: Float64Array, w: Float64Array, dy: Float64Array, transB: boolean, terms = R): Tolerance {
  const dims = { M: R, N: Cout, K: Cin, transB };
  const mags = matmulBackwardRef(abs(dy), abs(x), abs(w), null, dims);
  return { atol: (terms + 2) * U * maxAbs(mags.dweight), rtol: 0 };
}

function seeded(g: Graph, pairs: [Tensor, Tensor][]): void {
  const [first, ...rest] = pairs;
  g.backward(first![0], ({ grad, accumulate }) => {
    scaleCopy(g, first![1], grad, 1, accumulate);
    for (const [out, dout] of rest) scaleCopy(g, dout, g.gradWrite(out).grad, 1, 0);
  });
}

describe('split-K weight gradients', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it('the shape rule splits this test layer', () => {
    expect(splitKSlices(Cin, Cout, R)).toBe(8);
  });

  for (const transB of [false, true]) {
    it(`dW of a linear layer (weight ${transB ? '[N, K]' : '[K, N]'}) within the bound; dx and dbias unchanged`, async () => {
      const x = data(R * Cin);
      const w = data(Cin * Cout);
      const b = data(Cout);
      const dy = data(R * Cout);
      const graphs: Graph[] = [];
      const build = (variant?: MatmulVariant) => (g: Graph) => {
        graphs.push(g);
        const tx = g.param('x', [R, Cin]);
        const tw = g.param('w', transB ? [Cout, Cin] : [Cin, Cout]);
        const tb = g.param('b', [Cout]);
        const y = matmul(g, tx, tw, { bias: tb, transB, variant });
        const tdy = g.input('dy', [R, Cout]);
        seeded(g, [[y, tdy]]);
        return {
          inputs: [
            [tx, x],
            [tw, w],
            [tb, b],
            [tdy, dy],
          ] as [Tensor, Float64Array][],
          outputs: { dw: g.grad(tw), dx: g.grad(tx), db: g.grad(tb) },
        };
      };
      const split = await evalGraph(ctx, build(), { splitK: true });
      const plain = await evalGraph(ctx, build());
      const reduces = (g: Graph) => g.nodes.filter((n) => n.kernel.entry === 'matmul_splitk_reduce').length;
      expect([reduces(graphs[0]!), reduces(graphs[1]!)]).toEqual([1, 0]);
      const ref = matmulBackwardRef(dy, x, w, b, { M: R, N: Cout, K: Cin, transB });
      expectClose(split.dw!, ref.dweight, dwTolerance(x, w, dy, transB), `split-K dW (transB ${transB})`);
      // Only the weight gradient is split.
      expect(Array.from(split.dx!)).toEqual(Array.from(plain.dx!));
      expect(Array.from(split.db!)).toEqual(Array.from(plain.db!));
      // The same bits again, and whichever variant computes the slices.
      for (const variant of Object.keys(MATMUL_VARIANTS) as MatmulVariant[]) {
        const again = await evalGraph(ctx, build(variant), { splitK: true });
        expect(Array.from(again.dw!), `slices by ${variant}`).toEqual(Array.from(split.dw!));
      }
    });
  }

  it('a weight used twice accumulates its split gradients', async () => {
    const [x1, x2] = [data(R * Cin), data(R * Cin)];
    const w = data(Cin * Cout);
    const [dy1, dy2] = [data(R * Cout), data(R * Cout)];
    const r = await evalGraph(
      ctx,
      (g) => {
        const t1 = g.input('x1', [R, Cin]);
        const t2 = g.input('x2', [R, Cin]);
        const tw = g.param('w', [Cin, Cout]);
        const y1 = matmul(g, t1, tw);
        const y2 = matmul(g, t2, tw);
        const d1 = g.input('dy1', [R, Cout]);
        const d2 = g.input('dy2', [R, Cout]);
        seeded(g, [
          [y1, d1],
          [y2, d2],
        ]);
        return {
          inputs: [
            [t1, x1],
            [t2, x2],
            [tw, w],
            [d1, dy1],
            [d2, dy2],
          ],
          outputs: { dw: g.grad(tw) },
        };
      },
      { splitK: true },
    );
    const dims = { M: R, N: Cout, K: Cin };
    const [g1, g2] = [matmulBackwardRef(dy1, x1, w, null, dims), matmulBackwardRef(dy2, x2, w, null, dims)];
    const [b1, b2] = [dwTolerance(x1, w, dy1, false), dwTolerance(x2, w, dy2, false)];
    const sum = g1.dweight.map((v, i) => v + g2.dweight[i]!);
    expectClose(r.dw!, sum, { atol: b1.atol + b2.atol, rtol: 0 }, 'accumulated split-K dW');
  });

  it('sums an odd number of slices into an offset output, overwriting or accumulating', async () => {
    // out[2 + (M x N)] rows of a larger tensor; K = 99 in 3 slices of 33.
    const [M, N, K, S, offset] = [5, 7, 99, 3, 2];
    const a = data(K * M); // stored [K, M]
    const b = data(K * N); // stored [K, N]
    const base = data(offset + M * N);
    const r = await evalGraph(ctx, (g) => {
      const ta = g.input('a', [K, M]);
      const tb = g.input('b', [K, N]);
      const fresh = g.state('fresh', [offset + M * N]);
      const acc = g.state('acc', [offset + M * N]);
      matmulSplitKDispatch(g, { a: ta, b: tb, out: fresh }, { M, N, K, cOffset: offset }, S);
      matmulSplitKDispatch(g, { a: ta, b: tb, out: acc }, { M, N, K, cOffset: offset, accumulate: 1 }, S);
      return {
        inputs: [
          [ta, a],
          [tb, b],
          [fresh, base],
          [acc, base],
        ],
        outputs: { fresh, acc },
      };
    });
    const exact = new Float64Array(M * N);
    const mags = new Float64Array(M * N);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        for (let k = 0; k < K; k++) {
          exact[m * N + n]! += a[k * M + m]! * b[k * N + n]!;
          mags[m * N + n]! += Math.abs(a[k * M + m]! * b[k * N + n]!);
        }
      }
    }
    const tol = { atol: (K + 2) * U * (maxAbs(mags) + maxAbs(base)), rtol: 0 };
    // Outside [offset, offset + M N) nothing is written.
    expect(Array.from(r.fresh!.subarray(0, offset))).toEqual(Array.from(Float32Array.from(base.subarray(0, offset))));
    expectClose(r.fresh!.subarray(offset), exact, tol, 'split-K reduce, overwrite');
    const added = exact.map((v, i) => v + base[offset + i]!);
    expectClose(r.acc!.subarray(offset), added, tol, 'split-K reduce, accumulate');
    await expect(
      evalGraph(ctx, (g) => {
        const t = g.input('t', [K * 8]);
        matmulSplitKDispatch(g, { a: t, b: t, out: g.state('o', [M * N]) }, { M, N, K }, 4);
        return { inputs: [], outputs: {} };
      }),
    ).rejects.toThrow(/whole number of slices >= 2 dividing K = 99, got 4/);
  });
});
