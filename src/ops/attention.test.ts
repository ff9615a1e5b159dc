// Attention CPU references: hand-computed values, causal rows, and the backward against central finite
// differences (with and without dropout).
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randn } from '../../test-support/numerics.ts';
import { Graph } from '../runtime/graph.ts';
import { dropoutScale } from '../runtime/random.ts';
import { attention, attentionBackwardRef, attentionDropoutIndex, attentionForwardRef } from './attention.ts';
import { dropoutSeed } from './dropout.ts';

describe('attention reference', () => {
  it('matches a hand-computed two-token, one-head example', () => {
    // C = NH = 1 (hs = 1): q, k, v per token. Row 0 sees only token 0; row 1 sees both with
    // w = [q1 k0, q1 k1] = [1 * 2, 1 * -1] = [2, -1], P = softmax = [e^3, 1] / (e^3 + 1).
    const inp = Float64Array.of(0.5, 2, 3, 1, -1, 5); // token 0: q, k, v; token 1: q, k, v
    const { out, att } = attentionForwardRef(inp, 1, 2, 1, 1);
    const p0 = Math.exp(3) / (Math.exp(3) + 1);
    expect(out[0]).toBe(3);
    expect(out[1]).toBeCloseTo(p0 * 3 + (1 - p0) * 5, 14);
    expect([...att]).toEqual([1, 0, expect.closeTo(p0, 14), expect.closeTo(1 - p0, 14)]);
  });

  it('puts exactly 0 on masked positions and gives the first row its own value', () => {
    const [B, T, C, NH] = [2, 5, 8, 2];
    const hs = C / NH;
    const inp = randn(B * T * 3 * C, 11);
    const { out, att } = attentionForwardRef(inp, B, T, C, NH);
    for (let bh = 0; bh < B * NH; bh++) {
      for (let i = 0; i < T; i++) {
        let sum = 0;
        for (let j = 0; j < T; j++) {
          const p = att[(bh * T + i) * T + j]!;
          if (j > i) expect(p).toBe(0);
          sum += p;
        }
        expect(sum).toBeCloseTo(1, 14);
      }
    }
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) {
        const h = Math.floor(c / hs);
        expect(out[b * T * C + c]).toBe(inp[b * T * 3 * C + 2 * C + h * hs + (c % hs)]);
      }
    }
  });

  it('applies the dropout mask of (seed, stream, ((b*NH + h)*T + i)*T + j) to the probabilities', () => {
    const [B, T, C, NH] = [1, 3, 2, 2];
    const inp = randn(B * T * 3 * C, 12);
    const dropout = { p: 0.5, seed: 7, stream: 3 };
    const plain = attentionForwardRef(inp, B, T, C, NH);
    const dropped = attentionForwardRef(inp, B, T, C, NH, dropout);
    // out[b, i, h] (hs = 1) = sum_j P z v by hand, from the undropped probabilities.
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < T; i++) {
        let want = 0;
        for (let j = 0; j <= i; j++) {
          const z = dropoutScale(7, 3, attentionDropoutIndex(0, h, i, j, T, NH), 0.5);
          want += plain.att[(h * T + i) * T + j]! * z * inp[j * 3 * C + 2 * C + h]!;
        }
        expect(dropped.out[i * C + h]).toBeCloseTo(want, 14);
      }
    }
    expect(dropped.att).toEqual(plain.att);
  });

  for (const [B, T, C, NH, p] of [
    [1, 1, 4, 1, 0],
    [2, 5, 8, 2, 0],
    [1, 6, 12, 3, 0],
    [2, 4, 8, 2, 0.3],
  ] as const) {
    it(`backward matches finite differences (B ${B}, T ${T}, C ${C}, NH ${NH}, dropout ${p})`, () => {
      const inp = randn(B * T * 3 * C, 21 + T, 0.8);
      const dout = randn(B * T * C, 22 + T);
      const dropout = p > 0 ? { p, seed: 99, stream: 5 } : undefined;
      const f = (x: Float64Array) => attentionForwardRef(x, B, T, C, NH, dropout).out;
      expectClose(
        attentionBackwardRef(inp, dout, B, T, C, NH, dropout),
        finiteDifferenceGrad(f, inp, dout),
        FD_TOLERANCE,
        'dinp',
      );
    });
  }

  it("binds the graph's dropout seed in forward and backward, and refuses shapes the kernels cannot take", () => {
    const g = new Graph();
    const qkv = g.param('qkv', [2, 5, 24]);
    const out = attention(g, qkv, { B: 2, T: 5, C: 8, NH: 2, dropout: { p: 0.1, stream: 4 } });
    g.backward(out, () => {});
    // One seed tensor for the whole graph (shared with the elementwise dropout sites), static params.
    expect(g.nodes.map((n) => [n.kernel.entry, n.bindings.step_seed])).toEqual([
      ['attention_forward', dropoutSeed(g)],
      ['attention_backward', dropoutSeed(g)],
    ]);
    expect(g.nodes.map((n) => n.params.stream)).toEqual([4, 4]);
    expect(() => attention(new Graph(), qkv, { B: 2, T: 5, C: 8, NH: 3 })).toThrow(/not a multiple/);
    expect(() => attention(new Graph(), qkv, { B: 2, T: 4, C: 8, NH: 2 })).toThrow(/should be \[2, 4, 24\]/);
    const wide = new Graph().param('qkv', [1, 2, 384]);
    expect(() => attention(new Graph(), wide, { B: 1, T: 2, C: 128, NH: 1 })).toThrow(/head size 128/);
    expect(() => attention(new Graph(), qkv, { B: 2, T: 5, C: 8, NH: 2, dropout: { p: 1, stream: 0 } })).toThrow(
      /must be in \[0, 1\)/,
    );
  });
});
