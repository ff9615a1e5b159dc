// LayerNorm on the GPU (layernorm_forward, layernorm_backward_dinp, both also _rowwise, and
// layernorm_backward_partials/_dweight/_dbias) against the float64 reference, with error bounds derived
// from the kernels' f32 operation order (see lnBounds). Every case runs with both variants forced
// (rowwise on long rows, workgroup on short ones included); each variant is held to its own bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph, withBackward } from '../../test-support/gpu-graph.ts';
import { expectClose, f32Exact, randn, type Tolerance } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { shaderInteger } from '../gpu/shader-constants.ts';
import { Graph } from '../runtime/graph.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { scaleCopy } from './fill.ts';
import {
  LAYERNORM_ROWWISE_MAX_C,
  type LayernormBackwardResult,
  type LayernormForwardResult,
  type LayernormVariant,
  layernorm,
  layernormBackwardRef,
  layernormBlockRows,
  layernormForwardRef,
  layernormWithStats,
} from './layernorm.ts';

const EPS = 2 ** -24; // f32 unit roundoff
const WG = shaderInteger('layernorm.wgsl', 'WG'); // threads per workgroup, the width of the reduction tree
const VARIANTS: readonly LayernormVariant[] = ['workgroup', 'rowwise'];

/**
 * Roundings along the longest addition path of a row sum over C terms. Workgroup: the per-invocation
 * strided sum, then log2(WG) tree levels. Rowwise: one thread adds all C terms left to right, C - 1
 * roundings (the first add, onto 0, is exact): the error grows ~C eps rather than ~log C eps.
 */
function depth(C: number, variant: LayernormVariant): number {
  return variant === 'rowwise' ? C - 1 : Math.ceil(C / WG) + Math.log2(WG);
}

const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

interface Bounds {
  mean: Tolerance;
  rstd: Tolerance;
  out: Tolerance;
  dinp: Tolerance;
  dweight: Tolerance;
  dbias: Tolerance;
}

/**
 * Worst-case f32 error of each result, from the reference's magnitudes, per row then the max over rows.
 * K = depth(C, variant) roundings per row sum.
 * - mean = x0 + sum(x - x0) / C: (K + 2) eps D, D = max |x - x0| in the row, plus the final add's rounding,
 *   at most min(eps |mean|, D). (x - x0 is exact for values within a factor 2, e.g. rows offset by 1e4.)
 * - rstd: variance sum (K + 1) eps, squares/divide/eps add 3 eps, halved by the root, plus inverseSqrt's
 *   2 ulp (4 eps): rho = (K / 2 + 7) eps relative.
 * - norm = (x - mean) rstd: dn = rstd dmean + |norm| (rho + eps); out = norm w + b adds 2 eps |out|.
 * - dinp = rstd (dnorm - mean(dnorm) - norm mean(dnorm norm)), |dnorm| <= P, |norm| <= Z: each mean has
 *   (K + 2) eps P(Z) plus the norm error P dn, the subtractions 3 eps, then rho on the product.
 * - dweight/dbias: sums of N terms in blocks: (block_rows + nblocks + 1) eps sum|terms|, dweight also
 *   sum |dout| dn from the recomputed norm.
 */
function lnBounds(
  inp: Float64Array, // [N, C]
  weight: Float64Array, // [C]
  dout: Float64Array, // [N, C]
  ref: LayernormForwardResult,
  N: number,
  C: number,
  variant: LayernormVariant,
): Bounds {
  const K = depth(C, variant);
  const rho = (K / 2 + 7) * EPS;
  let dmeanMax = 0;
  let dnMax = 0;
  let dinpAtol = 0;
  const dnRow = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let D = 0;
    let Z = 0;
    let P = 0;
    for (let c = 0; c < C; c++) {
      const i = n * C + c;
      D = Math.max(D, Math.abs(inp[i]! - inp[n * C]!));
      Z = Math.max(Z, Math.abs((inp[i]! - ref.mean[n]!) * ref.rstd[n]!));
      P = Math.max(P, Math.abs(weight[c]! * dout[i]!));
    }
    const r = ref.rstd[n]!;
    const dmean = (K + 2) * EPS * D + Math.min(EPS * Math.abs(ref.mean[n]!), D);
    const dn = r * dmean + Z * (rho + EPS);
    dnRow[n] = dn;
    dmeanMax = Math.max(dmeanMax, dmean);
    dnMax = Math.max(dnMax, dn);
    dinpAtol = Math.max(dinpAtol, r * P * ((K + 6) * EPS * (1 + Z * Z) + 2 * (1 + Z) * dn));
  }
  const blockRows = layernormBlockRows(N);
  const reduceK = blockRows + Math.ceil(N / blockRows) + 1;
  let dweightAtol = 0;
  let dbiasAtol = 0;
  for (let c = 0; c < C; c++) {
    let sumDout = 0;
    let sumDoutNorm = 0;
    let sumDoutDn = 0;
    for (let n = 0; n < N; n++) {
      const i = n * C + c;
      sumDout += Math.abs(dout[i]!);
      sumDoutNorm += Math.abs(dout[i]! * (inp[i]! - ref.mean[n]!) * ref.rstd[n]!);
      sumDoutDn += Math.abs(dout[i]!) * dnRow[n]!;
    }
    dweightAtol = Math.max(dweightAtol, reduceK * EPS * sumDoutNorm + sumDoutDn);
    dbiasAtol = Math.max(dbiasAtol, reduceK * EPS * sumDout);
  }
  return {
    mean: { atol: dmeanMax, rtol: 0 },
    rstd: { atol: 0, rtol: rho },
    out: { atol: maxAbs(weight) * dnMax, rtol: 2 * EPS },
    dinp: { atol: dinpAtol, rtol: rho },
    dweight: { atol: dweightAtol, rtol: 0 },
    dbias: { atol: dbiasAtol, rtol: 0 },
  };
}

interface Case {
  inp: Float64Array; // [N, C]
  weight: Float64Array; // [C]
  bias: Float64Array; // [C]
  dout: Float64Array; // [N, C]
}

async function runLayernorm(ctx: GpuContext, N: number, C: number, data: Case, variant: LayernormVariant) {
  return evalGraph(ctx, (g) => {
    const inp = g.param('inp', [N, C]);
    const weight = g.param('weight', [C]);
    const bias = g.param('bias', [C]);
    const { out, mean, rstd } = layernormWithStats(g, inp, weight, bias, 1e-5, { variant });
    return {
      inputs: [[inp, data.inp], [weight, data.weight], [bias, data.bias], withBackward(g, out, data.dout)],
      outputs: { out, mean, rstd, dinp: g.grad(inp), dweight: g.grad(weight), dbias: g.grad(bias) },
    };
  });
}

function checkAll(
  r: Record<string, ArrayLike<number>>,
  fwd: LayernormForwardResult,
  bwd: LayernormBackwardResult,
  b: Bounds,
  what: string,
): void {
  expectClose(r.mean!, fwd.mean, b.mean, `${what} mean`);
  expectClose(r.rstd!, fwd.rstd, b.rstd, `${what} rstd`);
  expectClose(r.out!, fwd.out, b.out, `${what} layernorm_forward`);
  expectClose(r.dinp!, bwd.dinp, b.dinp, `${what} layernorm_backward_dinp`);
  expectClose(r.dweight!, bwd.dweight, b.dweight, `${what} layernorm_backward_dweight`);
  expectClose(r.dbias!, bwd.dbias, b.dbias, `${what} layernorm_backward_dbias`);
}

function randomCase(N: number, C: number, seed: number, offset = 0): Case {
  return {
    inp: f32Exact(randn(N * C, seed, 2).map((v) => v + offset + 0.5)),
    weight: f32Exact(randn(C, seed + 1).map((v) => 1 + 0.5 * v)),
    bias: f32Exact(randn(C, seed + 2, 0.5)),
    dout: f32Exact(randn(N * C, seed + 3)),
  };
}

describe('layernorm kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it(`picks rowwise for C <= ${LAYERNORM_ROWWISE_MAX_C} and workgroup above, unless forced`, () => {
    const entries = (C: number, variant?: LayernormVariant) => {
      const g = new Graph();
      const inp = g.param('inp', [2, 3, C]);
      const out = layernorm(g, inp, g.param('weight', [C]), g.param('bias', [C]), 1e-5, { variant });
      g.backward(out, ({ grad }) => scaleCopy(g, g.input('dout', [2, 3, C]), grad, 1, 0));
      return g.nodes.map((n) => n.kernel.entry).filter((e) => e.startsWith('layernorm_'));
    };
    const rest = ['layernorm_backward_partials', 'layernorm_backward_dweight', 'layernorm_backward_dbias'];
    const rowwise = ['layernorm_forward_rowwise', 'layernorm_backward_dinp_rowwise', ...rest];
    const workgroup = ['layernorm_forward', 'layernorm_backward_dinp', ...rest];
    expect(entries(LAYERNORM_ROWWISE_MAX_C)).toEqual(rowwise);
    expect(entries(LAYERNORM_ROWWISE_MAX_C + 1)).toEqual(workgroup);
    expect(entries(1, 'workgroup')).toEqual(workgroup);
    expect(entries(768, 'rowwise')).toEqual(rowwise);
  });

  for (const variant of VARIANTS) {
    describe(`${variant} forward and dinp`, () => {
      const shapes = [1, 7, 33, 257].flatMap((C) => [1, 5, 19].map((N) => [N, C] as const));
      for (const [N, C] of [...shapes, [3, 768] as const]) {
        it(`forward and backward match the reference, N = ${N}, C = ${C}`, async () => {
          const data = randomCase(N, C, 10 * N + C);
          const r = await runLayernorm(ctx, N, C, data, variant);
          const fwd = layernormForwardRef(data.inp, data.weight, data.bias, N, C);
          const bwd = layernormBackwardRef(data.dout, data.inp, data.weight, fwd.mean, fwd.rstd, N, C);
          const b = lnBounds(data.inp, data.weight, data.dout, fwd, N, C, variant);
          checkAll(r, fwd, bwd, b, `${variant} N=${N} C=${C}`);
        });
      }

      it('keeps precision on rows offset by 1e4 (two-pass, shifted mean)', async () => {
        // E[x^2] - E[x]^2 would lose everything here (1e8 * 2^-24 ~ 6 against a variance of 4); the bound
        // allows the f32 rounding of the mean itself, ulp(1e4) / 2 ~ 5e-4, times rstd ~ 0.5, plus the
        // sums' roundings (in the rowwise variant 256 sequential adds: ~256 eps D, D ~ 8, another ~1e-4).
        const N = 5;
        const C = 257;
        const data = randomCase(N, C, 7, 1e4);
        const r = await runLayernorm(ctx, N, C, data, variant);
        const fwd = layernormForwardRef(data.inp, data.weight, data.bias, N, C);
        const bwd = layernormBackwardRef(data.dout, data.inp, data.weight, fwd.mean, fwd.rstd, N, C);
        const b = lnBounds(data.inp, data.weight, data.dout, fwd, N, C, variant);
        expect(b.out.atol).toBeLessThan(2e-3);
        checkAll(r, fwd, bwd, b, `${variant} offset 1e4`);
      });

      it('handles all-equal rows: variance 0, rstd = 1/sqrt(eps), out = bias', async () => {
        const N = 3;
        const C = 33;
        const data = randomCase(N, C, 8);
        data.inp.fill(-3.25, 0, C);
        data.inp.fill(1e4, 2 * C, 3 * C);
        const r = await runLayernorm(ctx, N, C, data, variant);
        const fwd = layernormForwardRef(data.inp, data.weight, data.bias, N, C);
        const bwd = layernormBackwardRef(data.dout, data.inp, data.weight, fwd.mean, fwd.rstd, N, C);
        const b = lnBounds(data.inp, data.weight, data.dout, fwd, N, C, variant);
        checkAll(r, fwd, bwd, b, `${variant} all-equal rows`);
        // x - mean is exactly 0 there, so the output is the bias bit for bit.
        expect(Array.from(r.out!.slice(0, C))).toEqual(Array.from(data.bias));
        expect(Array.from(r.out!.slice(2 * C, 3 * C))).toEqual(Array.from(data.bias));
      });

      it('accumulates dinp, dweight and dbias when inp and the parameters feed two layernorms', async () => {
        const N = 6;
        const C = 9;
        const data = randomCase(N, C, 9);
        const r = await evalGraph(ctx, (g) => {
          const inp = g.param('inp', [N, C]);
          const weight = g.param('weight', [C]);
          const bias = g.param('bias', [C]);
          const a = layernorm(g, inp, weight, bias, 1e-5, { variant });
          const b = layernorm(g, inp, weight, bias, 1e-5, { variant });
          // Loss = sum(a * dout) + sum(b * dout).
          const dout = g.input('dout', [N, C]);
          g.backward(a, ({ grad, accumulate }) => {
            copy(g, dout, grad, accumulate);
            copy(g, dout, g.gradWrite(b).grad, 0);
          });
          return {
            inputs: [
              [inp, data.inp],
              [weight, data.weight],
              [bias, data.bias],
              [dout, data.dout],
            ],
            outputs: { dinp: g.grad(inp), dweight: g.grad(weight), dbias: g.grad(bias) },
          };
        });
        const fwd = layernormForwardRef(data.inp, data.weight, data.bias, N, C);
        const once = layernormBackwardRef(data.dout, data.inp, data.weight, fwd.mean, fwd.rstd, N, C);
        const b = lnBounds(data.inp, data.weight, data.dout, fwd, N, C, variant);
        // Two identical contributions: twice the error bound of one.
        const twice = (t: Tolerance) => ({ atol: 2 * t.atol, rtol: t.rtol + EPS });
        const what = `${variant} accumulated`;
        expectClose(
          r.dinp!,
          once.dinp.map((v) => 2 * v),
          twice(b.dinp),
          `${what} dinp`,
        );
        expectClose(
          r.dweight!,
          once.dweight.map((v) => 2 * v),
          twice(b.dweight),
          `${what} dweight`,
        );
        expectClose(
          r.dbias!,
          once.dbias.map((v) => 2 * v),
          twice(b.dbias),
          `${what} dbias`,
        );
      });

      it('gives the same bits on a second run (fixed-order reductions)', async () => {
        const N = 19;
        const C = 257;
        const data = randomCase(N, C, 11);
        const first = await runLayernorm(ctx, N, C, data, variant);
        const second = await runLayernorm(ctx, N, C, data, variant);
        for (const key of ['out', 'mean', 'rstd', 'dinp', 'dweight', 'dbias']) {
          expect(Array.from(second[key]!), key).toEqual(Array.from(first[key]!));
        }
      });
    });
  }
});

function copy(g: Graph, from: Tensor, to: Tensor, accumulate: 0 | 1): void {
  scaleCopy(g, from, to, 1, accumulate);
}
