// Cross-entropy on the GPU (crossentropy_forward, _backward, _backward_inplace, each also _rowwise, and
// _mean, _row_dloss) against the float64 references: odd shapes, padded rows, large and all-equal logits,
// ignored targets, row-offset chunking (bit-identical to one whole pass) and accumulation. Every case runs
// with both variants forced (rowwise on long rows, workgroup on short ones included); the two need not
// agree bit for bit, each is held to its own bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph, withBackward } from '../../test-support/gpu-graph.ts';
import { expectClose, f32Exact, randInts, randn, type Tolerance, uniform } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { shaderInteger } from '../gpu/shader-constants.ts';
import { Graph } from '../runtime/graph.ts';
import { kernelPipeline } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import {
  CROSSENTROPY_BACKWARD,
  CROSSENTROPY_BACKWARD_INPLACE,
  CROSSENTROPY_BACKWARD_INPLACE_ROWWISE,
  CROSSENTROPY_BACKWARD_ROWWISE,
  CROSSENTROPY_FORWARD,
  CROSSENTROPY_FORWARD_ROWWISE,
  CROSSENTROPY_MEAN,
  CROSSENTROPY_ROW_DLOSS,
  CROSSENTROPY_ROWWISE_MAX_V,
  type CrossEntropyVariant,
  crossEntropy,
  crossEntropyBackwardChunk,
  crossEntropyForwardChunk,
  crossEntropyMean,
  crossEntropyMeanDispatch,
  crossEntropyRowDloss,
  crossentropyBackwardRef,
  crossentropyForwardRef,
  crossentropyMeanRef,
  crossentropyRowDlossRef,
  IGNORE_INDEX,
} from './crossentropy.ts';
import { SCALE_COPY, scaleCopy } from './fill.ts';

// Error bounds, in units of U = 2^-24 (f32 unit roundoff; one ulp of x is at most 2U|x|), for V f32
// logits of magnitude <= A. WGSL allows exp (3 + 2|y|) ulp and log 3 ulp (2^-21 absolute on [0.5, 2]).
//  sum s = sum_v exp(x_v - m) >= 1 (the max term is 1):
//    exp: sum_v e^y (3 + 2|y|) 2U <= 2U (3 s + 2 s ln(V / s)) (e^y|y| = -p ln p, largest when equal)
//         so relative to s: 2U (3 + 2 ln V)
//    adds of positive terms, k roundings on the longest path: k U relative (first order), where
//      workgroup: ceil(V / WG) sequential per thread, then a log2(WG)-level tree: k = ceil(V / WG) + log2(WG)
//      rowwise:   one thread adds the V terms left to right: k = V - 1 (error grows ~V U, not log V)
//  lse = m + log s: log's own error 2^-21 + 6U ln V, plus the relative error of s, plus rounding U |lse|
//  loss = lse - x_t: plus rounding U (2A + ln V)
const U = 2 ** -24;
const WG = shaderInteger('crossentropy.wgsl', 'WG'); // threads of the one-workgroup-per-row kernels
const VARIANTS: readonly CrossEntropyVariant[] = ['workgroup', 'rowwise'];

/** Roundings on the longest addition path of the forward's sum of exps (see above). */
function sumRoundings(V: number, variant: CrossEntropyVariant): number {
  return variant === 'rowwise' ? V - 1 : Math.ceil(V / WG) + Math.log2(WG);
}

function lseError(V: number, A: number, variant: CrossEntropyVariant): number {
  const lnV = Math.log(V);
  const sumRel = 2 * U * (3 + 2 * lnV) + sumRoundings(V, variant) * U;
  return sumRel + 2 ** -21 + 6 * U * lnV + U * (A + lnV);
}

/** Per-row loss: the logsumexp error plus the final subtraction's rounding. */
function lossTol(V: number, A: number, variant: CrossEntropyVariant): Tolerance {
  return { atol: lseError(V, A, variant) + U * (2 * A + Math.log(V)), rtol: 0 };
}

// dlogits = g (p - onehot), p = exp(x - lse): the exp argument is off by the lse error plus its own
// rounding U (2A + ln V), which moves p by at most that much (p <= 1); exp itself adds at most
// p (3 + 2|y|) 2U <= 6U (largest at y = 0), p - 1 rounds by U, the product by U |g|. Both backward
// variants compute each element with the same expression; only the forward's lse differs.
function dlogitsTol(V: number, A: number, maxDloss: number, variant: CrossEntropyVariant): Tolerance {
  return { atol: maxDloss * (lseError(V, A, variant) + U * (2 * A + Math.log(V)) + 8 * U), rtol: 0 };
}

// Mean of GPU losses vs the f64 mean: each loss is off by at most lossTol, and the fixed-order f32 sum
// of N positive terms adds (ceil(N / WG) + log2(WG)) U relative, the division U relative (the mean kernel is
// one workgroup tree whichever forward variant made the losses).
function meanTol(N: number, V: number, A: number, mean: number, variant: CrossEntropyVariant): Tolerance {
  return { atol: lossTol(V, A, variant).atol + (Math.ceil(N / WG) + Math.log2(WG) + 1) * U * mean, rtol: 0 };
}

const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Random f32 logits [N, Vp] (std 3); padding columns hold 1e4 so that reading one would show. */
function makeLogits(N: number, V: number, Vp: number, seed: number): Float64Array {
  const logits = f32Exact(randn(N * Vp, seed, 3)); // [N, Vp]
  for (let r = 0; r < N; r++) logits.fill(1e4, r * Vp + V, (r + 1) * Vp);
  return logits;
}

/** Largest logit magnitude outside the padding (the A of the error bounds). */
function logitRange(logits: Float64Array, N: number, V: number, Vp: number): number {
  let a = 0;
  for (let r = 0; r < N; r++) a = Math.max(a, maxAbs(logits.subarray(r * Vp, r * Vp + V)));
  return a;
}

function expectPaddingZero(dlogits: ArrayLike<number>, N: number, V: number, Vp: number): void {
  for (let r = 0; r < N; r++) {
    for (let v = V; v < Vp; v++) expect(dlogits[r * Vp + v], `dlogits[${r}, ${v}] (padding)`).toBe(0);
  }
}

/** Bit-for-bit equality, reporting the first difference (a deep-equal diff of big arrays is slow). */
function expectSameBits(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const i = actual.findIndex((a, k) => !Object.is(a, expected[k]));
  expect(i < 0 ? 'same' : `differ at [${i}]: ${actual[i]} vs ${expected[i]}`, what).toBe('same');
}

interface CeCase {
  logits: Float64Array; // [N, Vp]
  targets: Uint32Array<ArrayBuffer>; // [N]
  N: number;
  V: number;
  Vp: number;
  /** Upstream gradient of the per-row losses; without it, backward starts from the mean (d mean = 1). */
  dloss?: Float64Array; // [N]
  variant: CrossEntropyVariant;
}

/** The graph op end to end: losses, mean, count and grad(logits). */
async function runCrossEntropy(ctx: GpuContext, c: CeCase) {
  return evalGraph(ctx, (g) => {
    const logits = g.param('logits', [c.N, c.Vp]);
    const targets = g.input('targets', [c.N], 'u32');
    const { losses, mean, count } = crossEntropy(g, logits, targets, { V: c.V, variant: c.variant });
    const seed = c.dloss ? withBackward(g, losses, c.dloss) : withBackward(g, mean, [1]);
    return {
      inputs: [[logits, c.logits], [targets, c.targets], seed],
      outputs: { losses, mean, count, dlogits: g.grad(logits) },
    };
  });
}

/** Runs a case and checks every output against the references with the reasoned bounds. */
async function checkCase(ctx: GpuContext, c: CeCase, what: string): Promise<void> {
  const { N, V, Vp, variant } = c;
  const A = logitRange(c.logits, N, V, Vp);
  const r = await runCrossEntropy(ctx, c);
  const ref = crossentropyForwardRef(c.logits, c.targets, N, V, Vp);
  const refMean = crossentropyMeanRef(ref.losses, c.targets, V);
  const dloss = c.dloss ?? crossentropyRowDlossRef(c.targets, V, 1);
  expectClose(r.losses!, ref.losses, lossTol(V, A, variant), `${what}: losses`);
  expect(r.count![0], `${what}: count`).toBe(refMean.count);
  expectClose(r.mean!, [refMean.mean], meanTol(N, V, A, refMean.mean, variant), `${what}: mean`);
  const refD = crossentropyBackwardRef(c.logits, c.targets, dloss, N, V, Vp);
  expectClose(r.dlogits!, refD, dlogitsTol(V, A, maxAbs(dloss), variant), `${what}: dlogits`);
  expectPaddingZero(r.dlogits!, N, V, Vp);
}

describe('crossentropy kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
    // Create every pipeline up front. In Chromium, a Program whose compile had to wait for a new
    // pipeline and which then ran and read back in the same task (evalGraph does) sometimes never saw
    // its mapAsync resolve (reproduced: forward in one test, then a new backward pipeline in the
    // next); a macrotask between run and read avoided it. Reported to the runtime's owner; with
    // cached pipelines compile has nothing to wait for.
    const specs = [
      CROSSENTROPY_FORWARD,
      CROSSENTROPY_BACKWARD,
      CROSSENTROPY_BACKWARD_INPLACE,
      CROSSENTROPY_FORWARD_ROWWISE,
      CROSSENTROPY_BACKWARD_ROWWISE,
      CROSSENTROPY_BACKWARD_INPLACE_ROWWISE,
      CROSSENTROPY_MEAN,
      CROSSENTROPY_ROW_DLOSS,
      SCALE_COPY,
    ];
    await Promise.all(specs.map((spec) => kernelPipeline(ctx, spec)));
  });
  afterAll(() => ctx.destroy());

  it(`picks rowwise for V <= ${CROSSENTROPY_ROWWISE_MAX_V} and workgroup above, unless forced`, () => {
    const entries = (V: number, variant?: CrossEntropyVariant) => {
      const g = new Graph();
      const logits = g.param('logits', [3, V + 1]);
      const targets = g.input('targets', [3], 'u32');
      const { mean } = crossEntropy(g, logits, targets, { V, variant });
      // Separate dlogits through the graph op; in place through the chunk recorder.
      g.backward(mean, ({ grad }) => scaleCopy(g, g.input('dmean', [1]), grad, 1, 0));
      const lse = g.activation('lse2', [3], false);
      crossEntropyBackwardChunk(g, { logits: g.state('chunk', [3, V + 1]), targets, V, lse, dloss: lse, variant });
      return g.nodes.map((n) => n.kernel.entry).filter((e) => /forward|backward/.test(e));
    };
    const rowwise = ['crossentropy_forward_rowwise', 'crossentropy_backward_rowwise'];
    const workgroup = ['crossentropy_forward', 'crossentropy_backward'];
    const max = CROSSENTROPY_ROWWISE_MAX_V;
    expect(entries(max)).toEqual([...rowwise, 'crossentropy_backward_inplace_rowwise']);
    expect(entries(max + 1)).toEqual([...workgroup, 'crossentropy_backward_inplace']);
    expect(entries(1, 'workgroup')).toEqual([...workgroup, 'crossentropy_backward_inplace']);
    expect(entries(40478, 'rowwise')).toEqual([...rowwise, 'crossentropy_backward_inplace_rowwise']);
  });

  for (const variant of VARIANTS) {
    describe(`${variant} forward and backward`, () => {
      for (const V of [1, 7, 97, 300, 1000]) {
        for (const N of [1, 13]) {
          const Vp = N === 13 ? V + 3 : V; // padded rows in one case of each pair
          it(`match the reference, V = ${V}, rows = ${N}, Vp = ${Vp}`, async () => {
            const targets = randInts(N, V + N, V);
            if (N > 1) targets[N - 2] = IGNORE_INDEX;
            const c = { logits: makeLogits(N, V, Vp, V * N), targets, N, V, Vp, variant };
            await checkCase(ctx, c, `${variant} V ${V} N ${N}`);
          });
        }
      }

      it('backward from a per-row upstream gradient, with ignored and out-of-range targets', async () => {
        const [N, V, Vp] = [9, 61, 64];
        const targets = randInts(N, 11, V);
        targets[0] = IGNORE_INDEX;
        targets[5] = V + 2; // not a class: treated as ignored, never read
        const dloss = f32Exact(randn(N, 12));
        const c = { logits: makeLogits(N, V, Vp, 13), targets, N, V, Vp, dloss, variant };
        await checkCase(ctx, c, `${variant} per-row dloss`);
      });

      it('handles large logits (±80, ±1000) without overflow', async () => {
        const V = 5;
        // Rows: saturated softmax on the target; target far below the max (loss ~160); a 1000 beside
        // small values; all 1000 (log 5); -1000 everywhere but one; a row of ±80 alternating.
        const rows = [
          [80, -80, -80, -80, -80],
          [80, -80, 0, 3, -1],
          [1000, 1, 2, 3, 4],
          [1000, 1000, 1000, 1000, 1000],
          [-1000, -1000, -1000, -1000, 0],
          [80, -80, 80, -80, 80],
        ];
        const targets = Uint32Array.of(0, 1, 4, 2, 4, 3);
        const logits = Float64Array.from(rows.flat());
        const N = rows.length;
        await checkCase(ctx, { logits, targets, N, V, Vp: V, variant }, `${variant} large logits`);
        const dloss = f32Exact(randn(N, 21));
        await checkCase(
          ctx,
          { logits, targets, N, V, Vp: V, dloss, variant },
          `${variant} large logits, per-row dloss`,
        );
      });

      it('gives log V for all-equal logits', async () => {
        for (const [V, value] of [
          [1, 3.7],
          [7, 0],
          [1000, -12.25],
        ] as const) {
          const N = 3;
          const logits = new Float64Array(N * V).fill(value);
          const targets = Uint32Array.of(0, V - 1, Math.floor(V / 2));
          const r = await runCrossEntropy(ctx, { logits, targets, N, V, Vp: V, variant });
          const tol = lossTol(V, Math.abs(value), variant);
          expectClose(r.losses!, [Math.log(V), Math.log(V), Math.log(V)], tol, `${variant} log ${V}`);
          // Uniform softmax: 1/V off target, 1/V - 1 on it, times d mean / d loss = 1/3.
          const expected = Array.from(
            { length: N * V },
            (_, i) => (1 / V - (i % V === targets[Math.floor(i / V)] ? 1 : 0)) / N,
          );
          const dtol = dlogitsTol(V, Math.abs(value), 1 / N, variant);
          expectClose(r.dlogits!, expected, dtol, `${variant} uniform dlogits, V ${V}`);
        }
      });

      it('gives mean 0, count 0 and zero gradients when every target is ignored', async () => {
        const [N, V] = [4, 10];
        const targets = Uint32Array.of(IGNORE_INDEX, IGNORE_INDEX, V, IGNORE_INDEX);
        const r = await runCrossEntropy(ctx, { logits: makeLogits(N, V, V, 31), targets, N, V, Vp: V, variant });
        expect(Array.from(r.losses!)).toEqual([0, 0, 0, 0]);
        expect(r.mean![0]).toBe(0);
        expect(r.count![0]).toBe(0);
        expect(Array.from(r.dlogits!).every((d) => d === 0)).toBe(true);
      });

      it('accumulates grad(logits) when the logits feed two losses', async () => {
        const [N, V] = [5, 33];
        const logits = makeLogits(N, V, V, 41);
        const t1 = randInts(N, 42, V);
        const t2 = randInts(N, 43, V);
        t2[1] = IGNORE_INDEX;
        const dloss = f32Exact(randn(N, 44));
        const r = await evalGraph(ctx, (g) => {
          const x = g.param('logits', [N, V]);
          const [i1, i2] = [g.input('t1', [N], 'u32'), g.input('t2', [N], 'u32')];
          const a = crossEntropy(g, x, i1, { variant });
          const b = crossEntropy(g, x, i2, { variant });
          // Loss = sum(dloss * a.losses) + sum(dloss * b.losses): seed both from one upstream tensor.
          const dout = g.input('dloss', [N]);
          g.backward(a.losses, ({ grad, accumulate }) => {
            scaleCopy(g, dout, grad, 1, accumulate);
            scaleCopy(g, dout, g.gradWrite(b.losses).grad, 1, 0);
          });
          return {
            inputs: [
              [x, logits],
              [i1, t1],
              [i2, t2],
              [dout, dloss],
            ],
            outputs: { dlogits: g.grad(x) },
          };
        });
        const A = logitRange(logits, N, V, V);
        const expected = crossentropyBackwardRef(logits, t1, dloss, N, V, V).map(
          (d, i) => d + crossentropyBackwardRef(logits, t2, dloss, N, V, V)[i]!,
        );
        // Each contribution within dlogitsTol, plus the rounding of their sum (U per unit magnitude, <= 2 |g|).
        const tol = dlogitsTol(V, A, maxAbs(dloss), variant);
        const accTol = { atol: 2 * tol.atol + 4 * U * maxAbs(dloss), rtol: 0 };
        expectClose(r.dlogits!, expected, accTol, `${variant} accumulated dlogits`);
      });

      it('chunks with row offsets give the same bits as one whole pass (and in-place backward)', async () => {
        const [N, V, Vp] = [11, 97, 100];
        const split = 4;
        const logits = makeLogits(N, V, Vp, 51);
        const targets = randInts(N, 52, V);
        targets[2] = IGNORE_INDEX;
        targets[8] = IGNORE_INDEX;
        const [dmean, scale] = [0.75, 2];
        const r = await evalGraph(ctx, (g) => {
          const t = g.input('targets', [N], 'u32');
          const dm = g.input('dmean', [1]);
          const whole = g.input('logits', [N, Vp]);
          // The in-place chunks are written, so they must not share a buffer with the read-only inputs
          // (WebGPU tracks usage per buffer): state tensors live in their own buffer, as the model's
          // logits chunks (activations) do in theirs.
          const c0 = g.state('chunk0', [split, Vp]);
          const c1 = g.state('chunk1', [N - split, Vp]);
          const dloss = g.activation('dloss', [N], false);
          crossEntropyRowDloss(g, { targets: t, dmean: dm, dloss, V, scale });
          // One pass over the whole logits, backward into a separate tensor.
          const w = perRow(g, N, 'whole');
          crossEntropyForwardChunk(g, { logits: whole, targets: t, V, losses: w.losses, lse: w.lse, variant });
          // Prefilled with garbage: accumulate = 0 must overwrite every element, padding included.
          const dWhole = g.state('dlogits', [N, Vp]);
          const lse = w.lse;
          crossEntropyBackwardChunk(g, { logits: whole, targets: t, V, lse, dloss, dlogits: dWhole, variant });
          // Two chunks into the same batch-wide tensors, each backward in place.
          const c = perRow(g, N, 'chunked');
          for (const [chunk, rowOffset] of [
            [c0, 0],
            [c1, split],
          ] as const) {
            const args = { logits: chunk, targets: t, V, rowOffset, variant };
            crossEntropyForwardChunk(g, { ...args, losses: c.losses, lse: c.lse });
            crossEntropyBackwardChunk(g, { ...args, lse: c.lse, dloss });
          }
          return {
            inputs: [
              [t, targets],
              [dm, [dmean]],
              [whole, logits],
              [c0, logits.subarray(0, split * Vp)],
              [c1, logits.subarray(split * Vp)],
              [dWhole, new Float64Array(N * Vp).fill(7)],
            ],
            outputs: { dloss, wl: w.losses, wlse: w.lse, dWhole, cl: c.losses, clse: c.lse, c0, c1 },
          };
        });
        expectSameBits([...r.cl!], [...r.wl!], 'chunked vs whole losses');
        expectSameBits([...r.clse!], [...r.wlse!], 'chunked vs whole lse');
        expectSameBits([...r.c0!, ...r.c1!], [...r.dWhole!], 'in-place chunks vs whole dlogits');
        // And against the references (row dloss: scale * dmean / count; two roundings, exact count).
        const rowDloss = crossentropyRowDlossRef(targets, V, dmean, scale);
        expectClose(r.dloss!, rowDloss, { atol: 0, rtol: 3 * U }, 'row dloss');
        const A = logitRange(logits, N, V, Vp);
        const refLosses = crossentropyForwardRef(logits, targets, N, V, Vp).losses;
        expectClose(r.cl!, refLosses, lossTol(V, A, variant), `${variant} chunked losses`);
        const refD = crossentropyBackwardRef(logits, targets, rowDloss, N, V, Vp);
        expectClose(r.dWhole!, refD, dlogitsTol(V, A, maxAbs(rowDloss), variant), `${variant} chunked dlogits`);
        expectPaddingZero(r.dWhole!, N, V, Vp);
      });
    });
  }

  for (const N of [1, 300]) {
    it(`mean and row dloss kernels match the reference, N = ${N}`, async () => {
      const V = 50;
      const losses = f32Exact(uniform(N, N, 0, 10));
      const targets = randInts(N, N + 1, V);
      for (let i = 3; i < N; i += 7) targets[i] = IGNORE_INDEX;
      const prev = f32Exact(randn(N, N + 2)); // dloss already holding a contribution (accumulate = 1)
      const [dmean, scale] = [1.3, 0.5];
      const r = await evalGraph(ctx, (g) => {
        const l = g.input('losses', [N]);
        const t = g.input('targets', [N], 'u32');
        const dm = g.input('dmean', [1]);
        const d = g.state('dloss', [N]); // written, so not beside the read-only inputs
        const mean = g.activation('mean', [1], false);
        const count = g.activation('count', [1], false);
        crossEntropyRowDloss(g, { targets: t, dmean: dm, dloss: d, V, scale, accumulate: 1 });
        crossEntropyMeanDispatch(g, { losses: l, targets: t, mean, count, V });
        return {
          inputs: [
            [l, losses],
            [t, targets],
            [dm, [dmean]],
            [d, prev],
          ],
          outputs: { mean, count, d },
        };
      });
      const ref = crossentropyMeanRef(losses, targets, V);
      expect(r.count![0]).toBe(ref.count);
      // Only the f32 sum and division (the losses are exact f32 here).
      expectClose(
        r.mean!,
        [ref.mean],
        { atol: (Math.ceil(N / WG) + Math.log2(WG) + 1) * U * ref.mean, rtol: 0 },
        'mean',
      );
      // scale * dmean / count (two roundings, 3U covers the f32 dmean too) then one add (U of the result).
      const add = crossentropyRowDlossRef(targets, V, dmean, scale);
      const expected = prev.map((p, i) => p + add[i]!);
      expectClose(r.d!, expected, { atol: 3 * U * maxAbs(add), rtol: U }, 'row dloss (accumulate)');
    });
  }

  it('the mean op backward feeds grad(losses) through row dloss', async () => {
    const [N, V] = [7, 20];
    const losses = f32Exact(uniform(N, 61, 0, 5));
    const targets = randInts(N, 62, V);
    targets[6] = IGNORE_INDEX;
    const r = await evalGraph(ctx, (g) => {
      const l = g.param('losses', [N]);
      const t = g.input('targets', [N], 'u32');
      const { mean } = crossEntropyMean(g, l, t, V);
      return { inputs: [[l, losses], [t, targets], withBackward(g, mean, [2])], outputs: { dl: g.grad(l) } };
    });
    expectClose(r.dl!, crossentropyRowDlossRef(targets, V, 2), { atol: 0, rtol: 3 * U }, 'grad(losses)');
  });
});

function perRow(g: Graph, N: number, name: string): { losses: Tensor; lse: Tensor } {
  return { losses: g.activation(`${name}.losses`, [N], false), lse: g.activation(`${name}.lse`, [N], false) };
}
