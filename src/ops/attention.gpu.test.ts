// Attention on the GPU (attention_forward, attention_backward, attention_probs) against the float64
// references: odd shapes around the 16-row blocks, head sizes 4 to 64, causal edge rows, large scores,
// dropout with the reference's mask, new step seeds, gradient accumulation and the probabilities view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph, withBackward } from '../../test-support/gpu-graph.ts';
import { f32Exact, randn } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { Graph } from '../runtime/graph.ts';
import { Program } from '../runtime/program.ts';
import { dropoutScale } from '../runtime/random.ts';
import {
  type AttentionDims,
  attention,
  attentionBackwardRef,
  attentionDropoutIndex,
  attentionForwardRef,
  attentionProbs,
  type DropoutRef,
} from './attention.ts';
import { dropoutSeed, setDropoutSeed } from './dropout.ts';
import { seedFrom } from './fill.ts';

const U = 2 ** -24; // f32 unit roundoff

/**
 * First-order f32 error bounds of the kernels, per output element, propagated from the float64 data.
 * Rules: an n-term f32 sum errs by at most n u sum|terms|; WGSL's exp is accurate to 3 + 2|x| ulp and
 * division to 2.5 ulp; 1/sqrt(hs) to a few ulp (8 u |s| allowed for the scaling).
 * - score s_ij = scale q_i.k_j: es_ij = hs u scale sum_d |q_id k_jd| + 8 u |s_ij|;
 * - P_ij = softmax: relative error delta_ij = es_ij + sum_k P_ik es_ik (the softmax Jacobian) + the exp
 *   (3 + 2(m - s_ij)) u + per row: the online rescalings (one exp per 16-key tile, arguments adding up to at
 *   most max(m - s)), the (i+1)-term sum l, the division and the dropout multiplier's rounding. The backward
 *   recomputes P from the saved m and l, so the same delta bounds it there;
 * - out_i = sum_j P z v_j: sum_j P z (delta_ij + (i+3) u) |v_j|;
 * - D_i = dout_i.out_i: hs u sum|dout out| + sum_d |dout_id| err(out_id); dPz_ij = z dout_i.v_j: z hs u sum|dout v|;
 *   dS_ij = P (dPz - D): P delta |dPz - D| + P (err dPz + err D) + 2 u |dS|;
 * - dq_i = scale sum_j dS k_j, dk_j = scale sum_i dS q_i, dv_j = sum_i P z dout_i: the errors of their terms
 *   plus n u sum|terms| for n terms, plus the final scaling.
 * These are worst cases (no cancellation of rounding errors assumed), yet per element, so a wrong mask bit
 * or a missed key (an error of order P |v|) stands far above them.
 */
function errorBounds(
  inp: Float64Array,
  dout: Float64Array,
  { B, T, C, NH }: AttentionDims,
  dropout?: DropoutRef,
): { out: Float64Array; dinp: Float64Array; probs: Float64Array } {
  const hs = C / NH;
  const scale = 1 / Math.sqrt(hs);
  const { out, att } = attentionForwardRef(inp, B, T, C, NH, dropout);
  const bOut = new Float64Array(B * T * C); // [B, T, C]
  const bInp = new Float64Array(B * T * 3 * C); // [B, T, 3C]
  const bProbs = new Float64Array(B * NH * T * T); // [B, NH, T, T]
  const at = (b: number, t: number, part: number, h: number) => (b * T + t) * 3 * C + part * C + h * hs;
  const ot = (b: number, t: number, h: number) => (b * T + t) * C + h * hs;
  const dot = (x: Float64Array, i: number, y: Float64Array, j: number, abs: boolean) => {
    let sum = 0;
    for (let d = 0; d < hs; d++) sum += abs ? Math.abs(x[i + d]! * y[j + d]!) : x[i + d]! * y[j + d]!;
    return sum;
  };
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      const P = (i: number, j: number) => att[((b * NH + h) * T + i) * T + j]!;
      const z = (i: number, j: number) =>
        dropout ? dropoutScale(dropout.seed, dropout.stream, attentionDropoutIndex(b, h, i, j, T, NH), dropout.p) : 1;
      const delta = new Float64Array(T * T);
      const dS = new Float64Array(T * T);
      const errDS = new Float64Array(T * T);
      for (let i = 0; i < T; i++) {
        const s: number[] = [];
        const es: number[] = [];
        for (let j = 0; j <= i; j++) {
          s.push(scale * dot(inp, at(b, i, 0, h), inp, at(b, j, 1, h), false));
          es.push((hs * scale * dot(inp, at(b, i, 0, h), inp, at(b, j, 1, h), true) + 8 * Math.abs(s[j]!)) * U);
        }
        const m = Math.max(...s);
        const spread = m - Math.min(...s);
        let avg = 0;
        for (let j = 0; j <= i; j++) avg += P(i, j) * es[j]!;
        const row = avg + (3 * Math.ceil((i + 1) / 16) + 2 * spread + (i + 1) + 6) * U;
        for (let j = 0; j <= i; j++) {
          delta[i * T + j] = es[j]! + (3 + 2 * (m - s[j]!)) * U + row;
          bProbs[((b * NH + h) * T + i) * T + j] = P(i, j) * delta[i * T + j]!;
        }
        for (let d = 0; d < hs; d++) {
          let e = 2 * U * Math.abs(out[ot(b, i, h) + d]!);
          for (let j = 0; j <= i; j++) {
            e += P(i, j) * z(i, j) * (delta[i * T + j]! + (i + 3) * U) * Math.abs(inp[at(b, j, 2, h) + d]!);
          }
          bOut[ot(b, i, h) + d] = e;
        }
        const D = dot(dout, ot(b, i, h), out, ot(b, i, h), false);
        let errD = hs * U * dot(dout, ot(b, i, h), out, ot(b, i, h), true);
        for (let d = 0; d < hs; d++) errD += Math.abs(dout[ot(b, i, h) + d]!) * bOut[ot(b, i, h) + d]!;
        for (let j = 0; j <= i; j++) {
          const dpz = z(i, j) * dot(dout, ot(b, i, h), inp, at(b, j, 2, h), false);
          const errDpz = z(i, j) * hs * U * dot(dout, ot(b, i, h), inp, at(b, j, 2, h), true);
          const p = P(i, j);
          dS[i * T + j] = p * (dpz - D);
          errDS[i * T + j] =
            p * delta[i * T + j]! * Math.abs(dpz - D) + p * (errDpz + errD) + 2 * U * Math.abs(dS[i * T + j]!);
        }
      }
      for (let t = 0; t < T; t++) {
        for (let d = 0; d < hs; d++) {
          // dq_t: over keys j <= t; dk_t and dv_t: over query rows i >= t.
          let eq = 0;
          let aq = 0;
          let sq = 0;
          for (let j = 0; j <= t; j++) {
            const k = Math.abs(inp[at(b, j, 1, h) + d]!);
            eq += errDS[t * T + j]! * k;
            aq += Math.abs(dS[t * T + j]!) * k;
            sq += dS[t * T + j]! * inp[at(b, j, 1, h) + d]!;
          }
          bInp[at(b, t, 0, h) + d] = scale * (eq + (t + 1) * U * aq) + 8 * U * Math.abs(scale * sq);
          let ek = 0;
          let ak = 0;
          let sk = 0;
          let ev = 0;
          let av = 0;
          for (let i = t; i < T; i++) {
            const q = Math.abs(inp[at(b, i, 0, h) + d]!);
            ek += errDS[i * T + t]! * q;
            ak += Math.abs(dS[i * T + t]!) * q;
            sk += dS[i * T + t]! * inp[at(b, i, 0, h) + d]!;
            const pzg = P(i, t) * z(i, t) * Math.abs(dout[ot(b, i, h) + d]!);
            ev += pzg * (delta[i * T + t]! + 2 * U);
            av += pzg;
          }
          bInp[at(b, t, 1, h) + d] = scale * (ek + (T - t) * U * ak) + 8 * U * Math.abs(scale * sk);
          bInp[at(b, t, 2, h) + d] = ev + (T - t + 1) * U * av;
        }
      }
    }
  }
  return { out: bOut, dinp: bInp, probs: bProbs };
}

/** |actual - expected| <= bound elementwise (bounds from errorBounds); reports the first violation. */
function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, bound: ArrayLike<number>, what: string) {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let first = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (!(err <= bound[i]!) && first < 0) first = i;
    if (bound[i]! > 0) worst = Math.max(worst, err / bound[i]!);
  }
  if (first >= 0) {
    throw new Error(
      `${what}: first mismatch at [${first}]: got ${actual[first]}, expected ${expected[first]} ` +
        `(bound ${bound[first]}); worst error/bound ${worst.toFixed(3)}, n ${expected.length}`,
    );
  }
}

describe('attention kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  async function run(dims: AttentionDims, x: Float64Array, dy: Float64Array, dropout?: DropoutRef) {
    const { B, T, C } = dims;
    return evalGraph(ctx, (g) => {
      const qkv = g.param('qkv', [B, T, 3 * C]);
      const out = attention(g, qkv, { ...dims, dropout });
      return {
        inputs: [[qkv, x], [dropoutSeed(g), [dropout?.seed ?? 0]], withBackward(g, out, dy)],
        outputs: { out, dinp: g.grad(qkv) },
      };
    });
  }

  // hs = C / NH: 4, 4, 16, 8, 64, 4, 32, and 5, 3, 17 (not multiples of 4: the kernels pad head vectors to
  // whole vec4 groups); T = 1, 5, 17, 17, 33, 130, 19, 9, 23 (not multiples of 16), 64.
  for (const [B, T, C, NH] of [
    [1, 1, 4, 1],
    [2, 5, 8, 2],
    [1, 17, 32, 2],
    [2, 17, 16, 2],
    [1, 33, 128, 2],
    [1, 130, 4, 1],
    [1, 64, 32, 1],
    [2, 19, 10, 2],
    [1, 9, 3, 1],
    [1, 23, 34, 2],
  ] as const) {
    it(`forward and backward match the reference (B ${B}, T ${T}, C ${C}, NH ${NH})`, async () => {
      const dims = { B, T, C, NH };
      const x = f32Exact(randn(B * T * 3 * C, T + C, 1));
      const dy = f32Exact(randn(B * T * C, T + C + 1));
      const r = await run(dims, x, dy);
      const bound = errorBounds(x, dy, dims);
      const ref = attentionForwardRef(x, B, T, C, NH);
      expectWithin(r.out!, ref.out, bound.out, 'attention_forward');
      expectWithin(r.dinp!, attentionBackwardRef(x, dy, B, T, C, NH), bound.dinp, 'attention_backward');

      // Causal edge rows: row 0 attends only to itself (P = 1 exactly, so out = v_0 bit for bit);
      // the last row attends to every key.
      const hs = C / NH;
      for (let b = 0; b < B; b++) {
        const first = Array.from(
          { length: C },
          (_, c) => x[b * T * 3 * C + 2 * C + Math.floor(c / hs) * hs + (c % hs)],
        );
        expect([...r.out!.subarray(b * T * C, b * T * C + C)]).toEqual(first);
        const last = (b * T + T - 1) * C;
        const lastRow = [last, last + C] as const;
        expectWithin(
          r.out!.subarray(...lastRow),
          ref.out.subarray(...lastRow),
          bound.out.subarray(...lastRow),
          'last row',
        );
      }
    });
  }

  it('stays accurate with large scores (|w| up to ~100, near one-hot rows)', async () => {
    const dims = { B: 1, T: 20, C: 32, NH: 2 };
    const { B, T, C, NH } = dims;
    // q and k with std 6: with hs = 16 the scores have std 36.
    const x = f32Exact(randn(B * T * 3 * C, 41).map((v, i) => (i % (3 * C) < 2 * C ? 6 * v : v)));
    const dy = f32Exact(randn(B * T * C, 42));
    const bound = errorBounds(x, dy, dims);
    const r = await run(dims, x, dy);
    expectWithin(r.out!, attentionForwardRef(x, B, T, C, NH).out, bound.out, 'forward, large scores');
    expectWithin(r.dinp!, attentionBackwardRef(x, dy, B, T, C, NH), bound.dinp, 'backward, large scores');
  });

  it('applies dropout with the reference mask in forward and backward', async () => {
    const dims = { B: 2, T: 17, C: 16, NH: 2 };
    const { B, T, C, NH } = dims;
    const dropout = { p: 0.25, seed: 1234, stream: 7 };
    let dropped = 0;
    for (let b = 0; b < B; b++)
      for (let h = 0; h < NH; h++)
        for (let i = 0; i < T; i++)
          for (let j = 0; j <= i; j++)
            if (dropoutScale(1234, 7, attentionDropoutIndex(b, h, i, j, T, NH), 0.25) === 0) dropped++;
    expect(dropped).toBeGreaterThan(50); // of 612 causal pairs: the mask is not trivial

    const x = f32Exact(randn(B * T * 3 * C, 51));
    const dy = f32Exact(randn(B * T * C, 52));
    const bound = errorBounds(x, dy, dims, dropout);
    const r = await run(dims, x, dy, dropout);
    expectWithin(r.out!, attentionForwardRef(x, B, T, C, NH, dropout).out, bound.out, 'forward, dropout');
    expectWithin(r.dinp!, attentionBackwardRef(x, dy, B, T, C, NH, dropout), bound.dinp, 'backward, dropout');
  });

  it('is the exact identity at dropout p = 0', async () => {
    const dims = { B: 1, T: 9, C: 8, NH: 2 };
    const x = f32Exact(randn(9 * 24, 61));
    const r = await evalGraph(ctx, (g) => {
      const qkv = g.input('qkv', [1, 9, 24]);
      const plain = attention(g, qkv, dims);
      const p0 = attention(g, qkv, { ...dims, dropout: { p: 0, stream: 3 } });
      return {
        inputs: [
          [qkv, x],
          [dropoutSeed(g), [77]],
        ],
        outputs: { plain, p0 },
      };
    });
    expect([...r.p0!]).toEqual([...r.plain!]);
  });

  it('takes a new seed in forward and backward through setDropoutSeed', async () => {
    const dims = { B: 1, T: 6, C: 8, NH: 2 };
    const { B, T, C, NH } = dims;
    const x = f32Exact(randn(B * T * 3 * C, 71));
    const dy = f32Exact(randn(B * T * C, 72));
    const g = new Graph();
    const qkv = g.param('qkv', [B, T, 3 * C]);
    const out = attention(g, qkv, { ...dims, dropout: { p: 0.5, stream: 2 } });
    const dyT = g.input('dy', [B, T, C]);
    g.backward(out, seedFrom(g, dyT));
    const program = await Program.compile(ctx, g, { keep: [out, g.grad(qkv)] });
    try {
      program.write(qkv, Float32Array.from(x));
      program.write(dyT, Float32Array.from(dy));
      setDropoutSeed(program, 1);
      program.run();
      const out1 = await program.readF32(out);
      setDropoutSeed(program, 2);
      program.run();
      const out2 = await program.readF32(out);
      const dinp2 = await program.readF32(g.grad(qkv));
      const dropout = { p: 0.5, stream: 2, seed: 2 };
      const seed1 = { ...dropout, seed: 1 };
      const bound1 = errorBounds(x, dy, dims, seed1);
      const bound2 = errorBounds(x, dy, dims, dropout);
      expectWithin(out1, attentionForwardRef(x, B, T, C, NH, seed1).out, bound1.out, 'seed 1');
      expectWithin(out2, attentionForwardRef(x, B, T, C, NH, dropout).out, bound2.out, 'seed 2');
      expectWithin(dinp2, attentionBackwardRef(x, dy, B, T, C, NH, dropout), bound2.dinp, 'seed 2 backward');
      expect([...out2]).not.toEqual([...out1]);
    } finally {
      program.destroy();
    }
  });

  it('accumulates into a gradient shared by two attentions', async () => {
    const dims = { B: 1, T: 18, C: 8, NH: 2 };
    const { B, T, C, NH } = dims;
    const x = f32Exact(randn(B * T * 3 * C, 81));
    const dy = f32Exact(randn(B * T * C, 82));
    const r = await evalGraph(ctx, (g) => {
      const qkv = g.param('qkv', [B, T, 3 * C]);
      const a = attention(g, qkv, dims);
      const b = attention(g, qkv, dims);
      const dyT = g.input('dy', [B, T, C]);
      g.backward(a, (w) => {
        seedFrom(g, dyT)(w);
        seedFrom(g, dyT)(g.gradWrite(b));
      });
      return {
        inputs: [
          [qkv, x],
          [dyT, dy],
        ],
        outputs: { dinp: g.grad(qkv) },
      };
    });
    const once = attentionBackwardRef(x, dy, B, T, C, NH);
    // Two identical f32 contributions plus one rounding of their sum.
    const bound = errorBounds(x, dy, dims).dinp.map((e, i) => 2 * e + 2 * U * Math.abs(once[i]!));
    expectWithin(
      r.dinp!,
      once.map((v) => 2 * v),
      bound,
      'accumulated dinp',
    );
  });

  it('writes the probabilities of one example: causal zeros, rows summing to 1, as the reference', async () => {
    const dims = { B: 2, T: 19, C: 24, NH: 3 };
    const { B, T, C, NH } = dims;
    const x = f32Exact(randn(B * T * 3 * C, 91, 1.5));
    const r = await evalGraph(ctx, (g) => {
      const qkv = g.input('qkv', [B, T, 3 * C]);
      return { inputs: [[qkv, x]], outputs: { att: attentionProbs(g, qkv, { ...dims, b: 1 }) } };
    });
    const att = r.att!;
    const ref = attentionForwardRef(x, B, T, C, NH).att.subarray(NH * T * T); // example 1
    const bound = errorBounds(x, new Float64Array(B * T * C), dims).probs.subarray(NH * T * T);
    expectWithin(att, ref, bound, 'attention_probs');
    for (let row = 0; row < NH * T; row++) {
      const i = row % T;
      let sum = 0;
      for (let j = 0; j < T; j++) {
        const p = att[row * T + j]!;
        if (j > i) expect(p).toBe(0);
        sum += p;
      }
      // sum_j e_j / l with l = fl(sum_j e_j): (i+1) roundings in l and 2.5 ulp per division.
      expect(Math.abs(sum - 1)).toBeLessThanOrEqual((i + 4) * U);
    }
  });
});
