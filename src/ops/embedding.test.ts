// Embedding CPU reference: hand-computed values, its backward against central finite differences, and the
// host-built dwte index (hand-checked layout, and a scatter through it equal to the reference backward).
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randInts, randn } from '../../test-support/numerics.ts';
import { buildEmbeddingIndex, embeddingBackwardRef, embeddingForwardRef } from './embedding.ts';

describe('embedding reference', () => {
  it('matches hand-computed values, with and without token types', () => {
    // V = 3, C = 2, maxT = 2; B = 1, T = 2, ids = [2, 0], token types = [1, 1].
    const wte = Float64Array.of(1, 2, 10, 20, 100, 200);
    const wpe = Float64Array.of(0.5, 0.25, -1, -2);
    const ids = Uint32Array.of(2, 0);
    expect([...embeddingForwardRef(ids, null, wte, wpe, 1, 2, 2)]).toEqual([100.5, 200.25, 0, 0]);
    const types = Uint32Array.of(1, 1);
    expect([...embeddingForwardRef(ids, types, wte, wpe, 1, 2, 2)]).toEqual([110.5, 220.25, 10, 20]);
    // dout = 1 everywhere: row 2 and row 0 get 1 each, row 1 (the token type) gets 2; both positions get 1.
    const { dwte, dwpe } = embeddingBackwardRef(new Float64Array(4).fill(1), ids, types, 1, 2, 2, 3, 3);
    expect([...dwte]).toEqual([1, 1, 2, 2, 1, 1]);
    expect([...dwpe]).toEqual([1, 1, 1, 1, 0, 0]);
  });

  for (const typed of [false, true]) {
    it(`backward matches finite differences (repeated ids, T < maxT${typed ? ', token types' : ''})`, () => {
      const [B, T, C, V, maxT] = [2, 3, 4, 5, 4];
      const ids = Uint32Array.of(1, 3, 1, 1, 0, 3); // repeated ids, rows 2 and 4 unused
      const types = typed ? Uint32Array.of(4, 4, 1, 4, 4, 1) : null; // overlaps an id (1)
      const wte = randn(V * C, 1);
      const wpe = randn(maxT * C, 2);
      const dout = randn(B * T * C, 3);
      const { dwte, dwpe } = embeddingBackwardRef(dout, ids, types, B, T, C, V, maxT);
      const fdWte = finiteDifferenceGrad((w) => embeddingForwardRef(ids, types, w, wpe, B, T, C), wte, dout);
      const fdWpe = finiteDifferenceGrad((w) => embeddingForwardRef(ids, types, wte, w, B, T, C), wpe, dout);
      expectClose(dwte, fdWte, FD_TOLERANCE, 'dwte');
      expectClose(dwpe, fdWpe, FD_TOLERANCE, 'dwpe');
    });
  }
});

describe('buildEmbeddingIndex', () => {
  it('groups positions by token, stably, and pads with empty groups', () => {
    const index = buildEmbeddingIndex(Uint32Array.of(2, 0, 2, 1, 2), 5);
    expect(index.count).toBe(3);
    expect([...index.pos]).toEqual([1, 3, 0, 2, 4]);
    expect([...index.token]).toEqual([0, 1, 2, 0, 0]);
    expect([...index.start]).toEqual([0, 1, 2, 5, 5, 5]);
  });

  it('adds token type contributions after the ids', () => {
    // ids [1, 0], types [1, 3]: token 0 <- pos 1; token 1 <- pos 0 (id), pos 0 (type); token 3 <- pos 1 (type).
    const index = buildEmbeddingIndex(Uint32Array.of(1, 0), 4, Uint32Array.of(1, 3));
    expect(index.count).toBe(3);
    expect([...index.pos]).toEqual([1, 0, 0, 1]);
    expect([...index.token]).toEqual([0, 1, 3, 0]);
    expect([...index.start]).toEqual([0, 1, 3, 4, 4]);
  });

  it('rejects ids outside the vocabulary, naming the position', () => {
    expect(() => buildEmbeddingIndex(Uint32Array.of(0, 5), 5)).toThrow(/ids\[1\] = 5 .*V = 5/);
    expect(() => buildEmbeddingIndex(Uint32Array.of(0, 1), 5, Uint32Array.of(0, 9))).toThrow(/token_type_ids\[1\]/);
  });

  it('scattering dout through the index gives the reference dwte', () => {
    const [B, T, C, V] = [3, 5, 2, 9];
    const ids = randInts(B * T, 4, 6); // ids < 6: rows 6..8 unused, repeats certain
    const types = randInts(B * T, 5, V);
    const dout = randn(B * T * C, 6);
    const index = buildEmbeddingIndex(ids, V, types);
    const dwte = new Float64Array(V * C);
    for (let k = 0; k < index.count; k++) {
      for (let e = index.start[k]!; e < index.start[k + 1]!; e++) {
        for (let c = 0; c < C; c++) dwte[index.token[k]! * C + c]! += dout[index.pos[e]! * C + c]!;
      }
    }
    const ref = embeddingBackwardRef(dout, ids, types, B, T, C, V, T);
    expectClose(dwte, ref.dwte, { atol: 1e-12, rtol: 1e-12 }, 'dwte via index');
    expect(index.start[index.count]).toBe(2 * B * T);
  });
});
