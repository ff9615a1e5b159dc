// Softmax CPU reference: hand-computed values (including the -1e4 causal fill), and its backward
// against central finite differences, with and without the mask.
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randn } from '../../test-support/numerics.ts';
import { softmaxBackwardRef, softmaxForwardRef } from './softmax.ts';

describe('softmax reference', () => {
  it('matches hand-computed values', () => {
    // e^k / (e + e^2 + e^3) for k = 1, 2, 3; scale 0.5 on [2, 4, 6] gives the same scores.
    const expected = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219];
    expectClose(softmaxForwardRef(Float64Array.of(1, 2, 3), 1, 3), expected, { atol: 1e-16, rtol: 1e-15 }, 'plain');
    expectClose(
      softmaxForwardRef(Float64Array.of(2, 4, 6), 1, 3, 0.5),
      expected,
      { atol: 1e-16, rtol: 1e-15 },
      'scaled',
    );
    // Causal 3x3: row 0 sees column 0 only, row 1 columns 0..1 (equal scores), row 2 all.
    const causal = softmaxForwardRef(Float64Array.of(1, 7, 7, 3, 3, 7, 1, 2, 3), 3, 3, 1, true);
    expectClose(causal, [1, 0, 0, 0.5, 0.5, 0, ...expected], { atol: 1e-16, rtol: 1e-15 }, 'causal');
  });

  it('fills masked scores with -1e4, not -inf (as Hugging Face)', () => {
    // Row 0 of a causal block whose visible score is -1e4 too: the masked column ties with it.
    const out = softmaxForwardRef(Float64Array.of(-1e4, 5, 0, 0), 2, 2, 1, true);
    expect(Array.from(out.subarray(0, 2))).toEqual([0.5, 0.5]);
    expect(Array.from(out.subarray(2, 4))).toEqual([0.5, 0.5]);
  });

  it('backward matches finite differences', () => {
    const rows = 5;
    const cols = 7;
    const x = randn(rows * cols, 1, 2);
    const dout = randn(rows * cols, 2);
    const scale = 0.375;
    const f = (v: Float64Array) => softmaxForwardRef(v, rows, cols, scale);
    const dinp = softmaxBackwardRef(dout, f(x), rows, cols, scale);
    expectClose(dinp, finiteDifferenceGrad(f, x, dout), FD_TOLERANCE, 'dinp');
  });

  it('causal backward matches finite differences over two [T, T] blocks', () => {
    const T = 6;
    const rows = 2 * T;
    const x = randn(rows * T, 3, 2);
    const dout = randn(rows * T, 4);
    const scale = 0.25;
    const f = (v: Float64Array) => softmaxForwardRef(v, rows, T, scale, true, T);
    const dinp = softmaxBackwardRef(dout, f(x), rows, T, scale, true, T);
    expectClose(dinp, finiteDifferenceGrad(f, x, dout), FD_TOLERANCE, 'dinp');
    for (let r = 0; r < rows; r++) {
      for (let j = (r % T) + 1; j < T; j++) expect(dinp[r * T + j]).toBe(0);
    }
  });

  it('causal backward matches finite differences when masked outputs are not negligible', () => {
    // Scores near -1e4 (x ~ -100, scale 100): the masked -1e4 entries carry real probability, so the
    // sum over k must include them while their inputs get no gradient.
    const T = 4;
    const x = randn(T * T, 5, 0.01).map((v) => v - 100);
    const dout = randn(T * T, 6);
    const f = (v: Float64Array) => softmaxForwardRef(v, T, T, 100, true, T);
    const out = f(x);
    expect(out[1]).toBeGreaterThan(0.01); // row 0, masked column 1
    const dinp = softmaxBackwardRef(dout, out, T, T, 100, true, T);
    expectClose(dinp, finiteDifferenceGrad(f, x, dout), FD_TOLERANCE, 'dinp');
  });
});
