// Softmax on the GPU (softmax_forward, softmax_backward), plain and causal, against the float64 reference,
// with error bounds derived from the kernels' f32 operation order (see smBounds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph, withBackward } from '../../test-support/gpu-graph.ts';
import { expectClose, f32Exact, randn, type Tolerance } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { shaderInteger } from '../gpu/shader-constants.ts';
import type { Graph } from '../runtime/graph.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { scaleCopy } from './fill.ts';
import { CAUSAL_MASK_VALUE, softmax, softmaxBackwardRef, softmaxForwardRef } from './softmax.ts';

const EPS = 2 ** -24; // f32 unit roundoff
const WG = shaderInteger('softmax.wgsl', 'WG'); // threads per workgroup, the width of the reduction tree

interface Problem {
  shape: number[]; // [..., cols]; causal: [..., T, cols]
  scale: number; // a power of 2 here, so scale * x is exact in f32
  causal: boolean;
  x: Float64Array; // f32-exact
  dout: Float64Array; // f32-exact
}

interface Expected {
  out: Float64Array;
  dinp: Float64Array;
  outTol: Tolerance;
  dinpTol: Tolerance;
}

/**
 * Reference results and worst-case f32 error bounds (WGSL accuracy: exp 3 + 2|x| ulp, division 2.5 ulp;
 * 1 ulp <= 2 eps relative). K = ceil(cols / WG) + log2(WG) roundings per workgroup sum. Per element j of a
 * row with max m, d_j = z_j - m (rounded: eps |d_j|; z_j = scale x_j is exact for the power-of-2 scales):
 *   exp(d_j) is off by (6 + 5 |d_j|) eps relative; the sum S by K eps S + S (6 + 5 tbar) eps, where
 *   tbar = sum_k out_k |d_k|; the division adds 5 eps. So fwd_j = eps out_j (K + 17 + 5 tbar + 5 |d_j|)
 *   bounds the error of out_j.
 *   Backward: dot = sum_k dout_k out_k is off by ddot = (K + 1) eps sum |dout_k out_k| + sum |dout_k| fwd_k,
 *   and dinp_j = scale out_j (dout_j - dot) by scale (fwd_j |dout_j - dot| + out_j (ddot + 2 eps
 *   (|dout_j| + |dot|))) + 2 eps |dinp_j|. The tolerance is the largest per-element bound (atol).
 */
function expected(p: Problem): Expected {
  const cols = p.shape.at(-1)!;
  const rows = p.x.length / cols;
  const T = p.causal ? p.shape.at(-2)! : cols;
  const out = softmaxForwardRef(p.x, rows, cols, p.scale, p.causal, T);
  const dinp = softmaxBackwardRef(p.dout, out, rows, cols, p.scale, p.causal, T);
  const K = Math.ceil(cols / WG) + Math.log2(WG);
  let outAtol = 0;
  let dinpAtol = 0;
  for (let r = 0; r < rows; r++) {
    const visible = p.causal ? Math.min(cols, (r % T) + 1) : cols;
    const z = Array.from({ length: cols }, (_, j) => (j < visible ? p.scale * p.x[r * cols + j]! : CAUSAL_MASK_VALUE));
    const m = Math.max(...z);
    const at = (j: number) => r * cols + j;
    let tbar = 0;
    let dot = 0;
    let dotAbs = 0;
    for (let k = 0; k < cols; k++) {
      tbar += out[at(k)]! * (m - z[k]!);
      dot += p.dout[at(k)]! * out[at(k)]!;
      dotAbs += Math.abs(p.dout[at(k)]! * out[at(k)]!);
    }
    const fwd = (k: number) => EPS * out[at(k)]! * (K + 17 + 5 * tbar + 5 * (m - z[k]!));
    let ddot = (K + 1) * EPS * dotAbs;
    for (let k = 0; k < cols; k++) ddot += Math.abs(p.dout[at(k)]!) * fwd(k);
    for (let j = 0; j < cols; j++) {
      const g = Math.abs(p.dout[at(j)]!) + Math.abs(dot);
      outAtol = Math.max(outAtol, fwd(j));
      const bound = p.scale * (fwd(j) * g + out[at(j)]! * (ddot + 2 * EPS * g)) + 2 * EPS * Math.abs(dinp[at(j)]!);
      dinpAtol = Math.max(dinpAtol, bound);
    }
  }
  return { out, dinp, outTol: { atol: outAtol, rtol: 0 }, dinpTol: { atol: dinpAtol, rtol: 0 } };
}

function problem(shape: number[], seed: number, options: { scale?: number; causal?: boolean; std?: number } = {}) {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    scale: options.scale ?? 0.125,
    causal: options.causal ?? false,
    x: f32Exact(randn(n, seed, options.std ?? 3)),
    dout: f32Exact(randn(n, seed + 1)),
  };
}

async function run(ctx: GpuContext, p: Problem) {
  return evalGraph(ctx, (g) => {
    const inp = g.param('inp', p.shape);
    const out = softmax(g, inp, { scale: p.scale, causal: p.causal });
    return { inputs: [[inp, p.x], withBackward(g, out, p.dout)], outputs: { out, dinp: g.grad(inp) } };
  });
}

async function check(ctx: GpuContext, p: Problem, what: string): Promise<Record<string, ArrayLike<number>>> {
  const r = await run(ctx, p);
  const e = expected(p);
  expectClose(r.out!, e.out, e.outTol, `${what} softmax_forward`);
  expectClose(r.dinp!, e.dinp, e.dinpTol, `${what} softmax_backward`);
  return r;
}

describe('softmax kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  for (const cols of [1, 7, 33, 257]) {
    for (const rows of [1, 5, 19]) {
      it(`forward and backward match the reference, rows = ${rows}, cols = ${cols}`, async () => {
        await check(ctx, problem([rows, cols], 100 * rows + cols), `${rows}x${cols}`);
      });
    }
  }

  for (const shape of [
    [2, 3, 7, 7],
    [33, 33],
    [3, 1, 1],
    [2, 5, 19],
  ]) {
    it(`causal: masks j > i with -1e4 in every [T, cols] block, shape [${shape.join(', ')}]`, async () => {
      const p = problem(shape, shape.length * 31 + shape.at(-1)!, { causal: true });
      const r = await check(ctx, p, `causal [${shape.join(', ')}]`);
      const cols = shape.at(-1)!;
      const T = shape.at(-2)!;
      for (let row = 0; row < p.x.length / cols; row++) {
        const i = row % T;
        // First row of a block: all mass on column 0 (up to the forward bound); masked entries exactly 0.
        if (i === 0) expect(r.out![row * cols]).toBeCloseTo(1, 6);
        for (let j = i + 1; j < cols; j++) {
          expect(r.out![row * cols + j]).toBe(0);
          expect(r.dinp![row * cols + j]).toBe(0);
        }
      }
    });
  }

  it('handles large logits (80, 1000) and all-equal rows', async () => {
    const rows = [
      [1000, 1000, 1000, 1000, 1000, 1000, 1000],
      [1000, 999, 990, 80, -80, -1000, 0],
      [80, 79, -80, 80, 0, 1, 2],
      [-1000, -1000, -999.5, -1000, -1001, -1000, -1000],
      [0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3],
    ];
    const x = f32Exact(rows.flat());
    const p = { shape: [5, 7], scale: 1, causal: false, x, dout: f32Exact(randn(35, 3)) };
    const r = await check(ctx, p, 'large logits');
    for (const row of [0, 4]) {
      for (let j = 0; j < 7; j++) expect(r.out![row * 7 + j]).toBeCloseTo(1 / 7, 7);
    }
  });

  it('gives masked columns the mass when visible scores are below -1e4 (HF semantics, not -inf)', async () => {
    // Causal [4, 4] with row 0's visible score -2e4: under -1e4 fill, the three masked -1e4 entries
    // dominate (1/3 each); -inf masking would put all mass on column 0.
    const x = f32Exact(randn(16, 4));
    x[0] = -2e4;
    const p = { shape: [4, 4], scale: 1, causal: true, x, dout: f32Exact(randn(16, 5)) };
    const r = await check(ctx, p, 'below mask');
    expect(r.out![0]).toBe(0);
    for (let j = 1; j < 4; j++) expect(r.out![j]).toBeCloseTo(1 / 3, 7);
    for (let j = 1; j < 4; j++) expect(r.dinp![j]).toBe(0);
  });

  it('accumulates into a gradient used twice (inp feeds two softmaxes)', async () => {
    const p = problem([3, 4, 4], 6, { causal: true });
    const r = await evalGraph(ctx, (g) => {
      const inp = g.param('inp', p.shape);
      const a = softmax(g, inp, { scale: p.scale, causal: true });
      const b = softmax(g, inp, { scale: p.scale, causal: true });
      // Loss = sum(a * dout) + sum(b * dout).
      const dout = g.input('dout', p.shape);
      g.backward(a, ({ grad, accumulate }) => {
        copy(g, dout, grad, accumulate);
        copy(g, dout, g.gradWrite(b).grad, 0);
      });
      return {
        inputs: [
          [inp, p.x],
          [dout, p.dout],
        ],
        outputs: { dinp: g.grad(inp) },
      };
    });
    const e = expected(p);
    // Two identical contributions: twice the error bound of one.
    expectClose(
      r.dinp!,
      e.dinp.map((v) => 2 * v),
      { atol: 2 * e.dinpTol.atol, rtol: EPS },
      'accumulated dinp',
    );
  });
});

function copy(g: Graph, from: Tensor, to: Tensor, accumulate: 0 | 1): void {
  scaleCopy(g, from, to, 1, accumulate);
}
