// Matmul on the GPU against the float64 reference: every variant of MATMUL_VARIANTS (each with its
// _preact twin) and matmul_backward_bias, on shapes that are not tile multiples, every transpose
// combination, with and without bias and GELU, batched with a broadcast operand, the accumulate path
// (a tensor used twice), and row chunks through element offsets (the chunked LM head's use).
import { afterAll, beforeAll, describe, it } from 'vitest';
import { evalGraph } from '../../test-support/gpu-graph.ts';
import { expectClose, f32Exact, randn, type Tolerance } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { Graph } from '../runtime/graph.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { scaleCopy } from './fill.ts';
import {
  MATMUL_VARIANTS,
  type MatmulRefDims,
  type MatmulVariant,
  matmul,
  matmulBackwardRef,
  matmulBiasBackwardDispatch,
  matmulDispatch,
  matmulForwardRef,
  matmulVariantsFor,
} from './matmul.ts';

// Tolerances are error bounds, not fitted constants. An f32 sum of n terms (any order, fma or not) is
// within (n - 1) u sum|terms| of the exact sum, u = 2^-24 (Higham, Accuracy and Stability, 3.1); we use
// (n + 2) u to cover the bias add and an accumulate add. sum|terms| is computed per output by the float64
// reference on |inputs| and its maximum is used for every element. Through the fused GELU:
//   out:  |gelu'| <= 1.13, so the pre-activation's error grows by at most 1.13, plus gelu's own f32
//         evaluation error (2e-6 abs + rel, as in gelu.gpu.test.ts);
//   dpre = dout gelu'(pre): pre's error d times |gelu''| <= 0.8, plus a few ulps of gelu' (<= 4e-6 of
//         |dout|), so each dpre is off by at most |dout| (0.8 d + 4e-6) and has |dpre| <= 1.13 |dout|;
//         the backward products are then bounded with sum|terms| taken over |dout| instead of |dpre|.
// Inputs are f32-exact, so they carry no rounding of their own. A real bug (a missed or doubled term,
// a wrong index) moves results by O(1), orders of magnitude above these bounds.
const U = 2 ** -24;
const GELU_D1 = 1.13; // max |gelu'(x)| = 1.1290 at x ~ 2.4
const GELU_D2 = 0.8; // max |gelu''(x)| = 0.7979 at x = 0
const GELU_ULPS = 2e-6;
const GELU_GRAD_ULPS = 4e-6;

const maxAbs = (x: Float64Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const abs = (x: Float64Array) => x.map(Math.abs);

interface Case {
  dims: MatmulRefDims;
  a: Float64Array;
  w: Float64Array;
  bias: Float64Array | null;
  dout: Float64Array;
}

/** Bounds for out and the three gradients of one product (see the comment above). */
function tolerances(c: Case): { out: Tolerance; dinp: Tolerance; dweight: Tolerance; dbias: Tolerance } {
  const { M, N, K } = c.dims;
  const nb = c.dims.nb ?? 1;
  const plain = { ...c.dims, gelu: false };
  const sOut = maxAbs(matmulForwardRef(abs(c.a), abs(c.w), c.bias && abs(c.bias), plain));
  const mags = matmulBackwardRef(abs(c.dout), abs(c.a), abs(c.w), c.bias && abs(c.bias), plain);
  const gelu = c.dims.gelu ?? false;
  const preErr = (K + 2) * U * sOut;
  // A broadcast operand's gradient also sums over the batch.
  const nA = c.dims.strideA === 0 ? nb : 1;
  const nW = c.dims.strideB === 0 ? nb : 1;
  const grad = (n: number, s: number): Tolerance => ({
    atol: gelu ? ((n + 2) * U * GELU_D1 + GELU_D2 * preErr + GELU_GRAD_ULPS) * s : (n + 2) * U * s,
    rtol: 0,
  });
  return {
    out: gelu ? { atol: GELU_D1 * preErr + GELU_ULPS, rtol: GELU_ULPS } : { atol: preErr, rtol: 0 },
    dinp: grad(nA * N, maxAbs(mags.dinp)),
    dweight: grad(nW * M, maxAbs(mags.dweight)),
    dbias: grad(nb * M, mags.dbias ? maxAbs(mags.dbias) : 0),
  };
}

let seed = 1;
const data = (n: number) => f32Exact(randn(n, seed++));

function makeCase(dims: MatmulRefDims, sizeA: number, sizeB: number, hasBias: boolean): Case {
  const nb = dims.nb ?? 1;
  return {
    dims,
    a: data(sizeA),
    w: data(sizeB),
    bias: hasBias ? data(dims.N) : null,
    dout: data(nb * dims.M * dims.N),
  };
}

/** Seeds the upstream gradients of several outputs at once (the fake loss sum_i sum(out_i * dout_i)). */
function backwardFrom(g: Graph, seeds: [Tensor, Tensor][]): void {
  const [first, ...rest] = seeds;
  g.backward(first![0], ({ grad, accumulate }) => {
    scaleCopy(g, first![1], grad, 1, accumulate);
    for (const [out, dout] of rest) scaleCopy(g, dout, g.gradWrite(out).grad, 1, 0);
  });
}

const VARIANTS = Object.keys(MATMUL_VARIANTS) as MatmulVariant[];
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [65, 33, 17],
  [70, 130, 66],
  [150, 9, 20], // a second 128-row tile, a partial 4-column group
];
// Each transpose combination once with gradients, bias and GELU toggled so both settings of each are seen.
const COMBOS = [
  { transA: false, transB: false, bias: true, gelu: true },
  { transA: false, transB: true, bias: true, gelu: false },
  { transA: true, transB: false, bias: false, gelu: false },
  { transA: true, transB: true, bias: false, gelu: true },
];

describe('matmul kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  // A variant whose workgroup memory this adapter cannot give (the 128x128 tile on an adapter with only
  // WebGPU's default 16 KiB) is never offered there; matmul-limits.gpu.test.ts tests that guard.
  const skipUnlessOffered = (variant: MatmulVariant, skip: (note: string) => void) => {
    if (!matmulVariantsFor(ctx.device.limits).includes(variant)) skip(`${variant} does not fit this adapter`);
  };

  for (const variant of VARIANTS) {
    for (const [M, N, K] of SHAPES) {
      it(`${variant}: forward and backward, all transposes, (M, N, K) = (${M}, ${N}, ${K})`, async ({ skip }) => {
        skipUnlessOffered(variant, skip);
        const withGrad = COMBOS.map((c) => makeCase({ M, N, K, ...c }, M * K, K * N, c.bias));
        // Forward only (nothing needs a gradient): GELU runs in the entry point without the preact store.
        const noGrad = [
          makeCase({ M, N, K, gelu: true }, M * K, K * N, true),
          makeCase({ M, N, K, gelu: true, transA: true }, M * K, K * N, false),
        ];
        const r = await evalGraph(ctx, (g) => {
          const inputs: [Tensor, Float64Array][] = [];
          const outputs: Record<string, Tensor> = {};
          const seeds: [Tensor, Tensor][] = [];
          const add = (c: Case, i: number, grad: boolean) => {
            const { transA, transB, gelu } = c.dims;
            const tensor = (name: string, shape: number[]) => (grad ? g.param(name, shape) : g.input(name, shape));
            const a = tensor(`a${i}`, transA ? [K, M] : [M, K]);
            const w = tensor(`w${i}`, transB ? [N, K] : [K, N]);
            const bias = c.bias ? tensor(`bias${i}`, [N]) : undefined;
            const out = matmul(g, a, w, { bias, gelu, transA, transB, variant });
            inputs.push([a, c.a], [w, c.w]);
            if (bias) inputs.push([bias, c.bias!]);
            outputs[`out${i}`] = out;
            if (!grad) return;
            const dout = g.input(`dout${i}`, [M, N]);
            inputs.push([dout, c.dout]);
            seeds.push([out, dout]);
            outputs[`dinp${i}`] = g.grad(a);
            outputs[`dweight${i}`] = g.grad(w);
            if (bias) outputs[`dbias${i}`] = g.grad(bias);
          };
          for (const [i, c] of withGrad.entries()) add(c, i, true);
          for (const [i, c] of noGrad.entries()) add(c, withGrad.length + i, false);
          backwardFrom(g, seeds);
          return { inputs, outputs };
        });
        [...withGrad, ...noGrad].forEach((c, i) => {
          const tol = tolerances(c);
          const what = `${variant} case ${i} ${JSON.stringify(c.dims)}`;
          expectClose(r[`out${i}`]!, matmulForwardRef(c.a, c.w, c.bias, c.dims), tol.out, `${what} out`);
          if (i >= withGrad.length) return;
          const ref = matmulBackwardRef(c.dout, c.a, c.w, c.bias, c.dims);
          expectClose(r[`dinp${i}`]!, ref.dinp, tol.dinp, `${what} dinp`);
          expectClose(r[`dweight${i}`]!, ref.dweight, tol.dweight, `${what} dweight`);
          if (ref.dbias) expectClose(r[`dbias${i}`]!, ref.dbias, tol.dbias, `${what} dbias`);
        });
      });
    }

    it(`${variant}: batched, with each operand broadcast in turn`, async ({ skip }) => {
      skipUnlessOffered(variant, skip);
      const [nb, M, N, K] = [3, 33, 65, 20];
      const cases = [
        // Both batched; bias and GELU.
        {
          c: makeCase({ M, N, K, nb, gelu: true }, nb * M * K, nb * K * N, true),
          aShape: [nb, M, K],
          wShape: [nb, K, N],
        },
        // Weight shared (stride 0): its gradient sums over the batch (reduce_batch).
        {
          c: makeCase({ M, N, K, nb, strideB: 0, transA: true }, nb * M * K, K * N, true),
          aShape: [nb, K, M],
          wShape: [K, N],
        },
        // Input shared: its gradient sums over the batch; weight stored transposed; GELU.
        {
          c: makeCase({ M, N, K, nb, strideA: 0, transB: true, gelu: true }, M * K, nb * K * N, false),
          aShape: [M, K],
          wShape: [nb, N, K],
        },
      ];
      const r = await evalGraph(ctx, (g) => {
        const inputs: [Tensor, Float64Array][] = [];
        const outputs: Record<string, Tensor> = {};
        const seeds: [Tensor, Tensor][] = [];
        cases.forEach(({ c, aShape, wShape }, i) => {
          const a = g.param(`a${i}`, aShape);
          const w = g.param(`w${i}`, wShape);
          const bias = c.bias ? g.param(`bias${i}`, [N]) : undefined;
          const { transA, transB, gelu } = c.dims;
          const out = matmul(g, a, w, { bias, gelu, transA, transB, variant });
          const dout = g.input(`dout${i}`, [nb, M, N]);
          inputs.push([a, c.a], [w, c.w], [dout, c.dout]);
          if (bias) inputs.push([bias, c.bias!]);
          seeds.push([out, dout]);
          Object.assign(outputs, { [`out${i}`]: out, [`dinp${i}`]: g.grad(a), [`dweight${i}`]: g.grad(w) });
          if (bias) outputs[`dbias${i}`] = g.grad(bias);
        });
        backwardFrom(g, seeds);
        return { inputs, outputs };
      });
      cases.forEach(({ c }, i) => {
        const tol = tolerances(c);
        const what = `${variant} batched case ${i}`;
        const ref = matmulBackwardRef(c.dout, c.a, c.w, c.bias, c.dims);
        expectClose(r[`out${i}`]!, matmulForwardRef(c.a, c.w, c.bias, c.dims), tol.out, `${what} out`);
        expectClose(r[`dinp${i}`]!, ref.dinp, tol.dinp, `${what} dinp`);
        expectClose(r[`dweight${i}`]!, ref.dweight, tol.dweight, `${what} dweight`);
        if (ref.dbias) expectClose(r[`dbias${i}`]!, ref.dbias, tol.dbias, `${what} dbias`);
      });
    });

    it(`${variant}: gradients of tensors used twice accumulate (accumulate = 1)`, async ({ skip }) => {
      skipUnlessOffered(variant, skip);
      const [M, N, K] = [33, 20, 17];
      // out1 = gelu(x @ W + b), out2 = x2 @ W + b, out3 = x @ W2^T: x, W and b each get two contributions.
      const c1 = makeCase({ M, N, K, gelu: true }, M * K, K * N, true);
      const c2 = { ...makeCase({ M, N, K }, M * K, K * N, false), w: c1.w, bias: c1.bias };
      const c3 = { ...makeCase({ M, N, K, transB: true }, M * K, N * K, false), a: c1.a };
      const r = await evalGraph(ctx, (g) => {
        const x = g.param('x', [M, K]);
        const x2 = g.param('x2', [M, K]);
        const w = g.param('w', [K, N]);
        const w2 = g.param('w2', [N, K]);
        const b = g.param('b', [N]);
        const out1 = matmul(g, x, w, { bias: b, gelu: true, variant });
        const out2 = matmul(g, x2, w, { bias: b, variant });
        const out3 = matmul(g, x, w2, { transB: true, variant });
        const douts = [1, 2, 3].map((i) => g.input(`dout${i}`, [M, N]));
        backwardFrom(g, [
          [out1, douts[0]!],
          [out2, douts[1]!],
          [out3, douts[2]!],
        ]);
        return {
          inputs: [
            [x, c1.a],
            [x2, c2.a],
            [w, c1.w],
            [w2, c3.w],
            [b, c1.bias!],
            [douts[0]!, c1.dout],
            [douts[1]!, c2.dout],
            [douts[2]!, c3.dout],
          ],
          outputs: { dx: g.grad(x), dw: g.grad(w), db: g.grad(b) },
        };
      });
      const [g1, g2, g3] = [c1, c2, c3].map((c) => matmulBackwardRef(c.dout, c.a, c.w, c.bias, c.dims));
      const [t1, t2, t3] = [c1, c2, c3].map(tolerances);
      const sum = (p: Float64Array, q: Float64Array) => p.map((v, i) => v + q[i]!);
      // Two bounded contributions plus one rounding of their sum (covered by the bounds' + 2 slack).
      const both = (p: Tolerance, q: Tolerance): Tolerance => ({ atol: p.atol + q.atol, rtol: 0 });
      expectClose(r.dx!, sum(g1!.dinp, g3!.dinp), both(t1!.dinp, t3!.dinp), `${variant} accumulated dx`);
      expectClose(r.dw!, sum(g1!.dweight, g2!.dweight), both(t1!.dweight, t2!.dweight), `${variant} accumulated dw`);
      expectClose(r.db!, sum(g1!.dbias!, g2!.dbias!), both(t1!.dbias, t2!.dbias), `${variant} accumulated db`);
    });

    it(`${variant}: row chunks through offsets (chunked LM head, fused GELU with preact)`, async ({ skip }) => {
      skipUnlessOffered(variant, skip);
      // logits[R, V] = h[R, C] @ wte[V, C]^T, then dh = dlogits @ wte and dwte = sum over chunks of
      // dlogits_chunk^T @ h_chunk, processed in chunks of 16 rows that bind the whole tensors.
      const [R, V, C, rows] = [37, 45, 19, 16];
      const h = data(R * C);
      const wte = data(V * C);
      const dlogits = data(R * V);
      const fcw = data(C * V);
      const fcb = data(V);
      const chunks = [0, 16, 32].map((r0) => ({ r0, m: Math.min(rows, R - r0) }));
      const r = await evalGraph(ctx, (g) => {
        const th = g.input('h', [R, C]);
        const twte = g.input('wte', [V, C]);
        const tdl = g.input('dlogits', [R, V]);
        const tfcw = g.input('fcw', [C, V]);
        const tfcb = g.input('fcb', [V]);
        const logits = g.activation('logits', [R, V], false);
        const dh = g.activation('dh', [R, C], false);
        const dwte = g.activation('dwte', [V, C], false);
        const fc = g.activation('fc', [R, V], false);
        const pre = g.activation('pre', [R, V], false);
        const dbias = g.activation('dbias', [V], false);
        chunks.forEach(({ r0, m }, i) => {
          const acc = i === 0 ? 0 : 1;
          const opts = { variant };
          matmulDispatch(
            g,
            { a: th, b: twte, out: logits },
            { M: m, N: V, K: C, transB: true, aOffset: r0 * C, cOffset: r0 * V },
            opts,
          );
          matmulDispatch(g, { a: tdl, b: twte, out: dh }, { M: m, N: C, K: V, aOffset: r0 * V, cOffset: r0 * C }, opts);
          matmulDispatch(
            g,
            { a: tdl, b: th, out: dwte },
            { M: V, N: C, K: m, transA: true, aOffset: r0 * V, bOffset: r0 * C, accumulate: acc },
            opts,
          );
          matmulDispatch(
            g,
            { a: th, b: tfcw, out: fc, bias: tfcb, preact: pre },
            { M: m, N: V, K: C, gelu: true, aOffset: r0 * C, cOffset: r0 * V },
            opts,
          );
          matmulBiasBackwardDispatch(g, tdl, dbias, { M: m, N: V, cOffset: r0 * V }, acc);
        });
        return {
          inputs: [
            [th, h],
            [twte, wte],
            [tdl, dlogits],
            [tfcw, fcw],
            [tfcb, fcb],
          ],
          outputs: { logits, dh, dwte, fc, pre, dbias },
        };
      });
      // Whole-tensor references: chunking must not change what is computed.
      const lm: Case = { dims: { M: R, N: V, K: C, transB: true }, a: h, w: wte, bias: null, dout: dlogits };
      const lmRef = matmulBackwardRef(dlogits, h, wte, null, lm.dims);
      const lmTol = tolerances(lm);
      const fc: Case = { dims: { M: R, N: V, K: C }, a: h, w: fcw, bias: fcb, dout: dlogits };
      const fcTol = tolerances(fc);
      const fcGeluTol = tolerances({ ...fc, dims: { ...fc.dims, gelu: true } });
      expectClose(r.logits!, matmulForwardRef(h, wte, null, lm.dims), lmTol.out, `${variant} chunked logits`);
      expectClose(r.dh!, lmRef.dinp, lmTol.dinp, `${variant} chunked dh`);
      expectClose(r.dwte!, lmRef.dweight, lmTol.dweight, `${variant} chunked dwte (accumulated)`);
      const fcRef = matmulForwardRef(h, fcw, fcb, { ...fc.dims, gelu: true });
      expectClose(r.fc!, fcRef, fcGeluTol.out, `${variant} chunked gelu`);
      expectClose(r.pre!, matmulForwardRef(h, fcw, fcb, fc.dims), fcTol.out, `${variant} chunked preact`);
      const colSums = new Float64Array(V).map((_, n) => dlogits.reduce((s, v, i) => (i % V === n ? s + v : s), 0));
      expectClose(r.dbias!, colSums, fcTol.dbias, `${variant} chunked dbias (accumulated)`);
    });
  }

  // Every variant runs the same fma chain per output (k in order, batches in order, zero padding adds
  // exact zeros), so the tuner may pick any of them without changing a single bit of training.
  it('all variants give identical bits, forward and backward', async () => {
    const [nb, M, N, K] = [2, 70, 67, 37];
    const c = makeCase({ M, N, K, nb, strideB: 0, transB: true, gelu: true }, nb * M * K, K * N, true);
    const results = [];
    const offered = matmulVariantsFor(ctx.device.limits);
    for (const variant of offered) {
      results.push(
        await evalGraph(ctx, (g) => {
          const a = g.param('a', [nb, M, K]);
          const w = g.param('w', [N, K]);
          const bias = g.param('bias', [N]);
          const out = matmul(g, a, w, { bias, gelu: true, transB: true, variant });
          const dout = g.input('dout', [nb, M, N]);
          backwardFrom(g, [[out, dout]]);
          const inputs: [Tensor, Float64Array][] = [
            [a, c.a],
            [w, c.w],
            [bias, c.bias!],
            [dout, c.dout],
          ];
          return { inputs, outputs: { out, da: g.grad(a), dw: g.grad(w), dbias: g.grad(bias) } };
        }),
      );
    }
    const [first, ...rest] = results;
    rest.forEach((r, i) => {
      for (const name of ['out', 'da', 'dw', 'dbias']) {
        const what = `${offered[i + 1]} vs ${offered[0]} ${name}`;
        expectClose(Float64Array.from(r[name]!), Float64Array.from(first![name]!), { atol: 0, rtol: 0 }, what);
      }
    });
  });
});
