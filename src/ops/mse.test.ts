// MSE CPU reference: hand-computed values (padding weights, empty batch) and its backward against central
// finite differences.
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randn, uniform } from '../../test-support/numerics.ts';
import { mseBackwardRef, mseForwardRef } from './mse.ts';

describe('mse reference', () => {
  it('matches hand-computed values', () => {
    // ((1 - 3)^2 + (2 - 2)^2 + (0.5 - 0)^2) / 3 = (4 + 0 + 0.25) / 3
    const ones = Float64Array.of(1, 1, 1);
    expect(mseForwardRef(Float64Array.of(1, 2, 0.5), Float64Array.of(3, 2, 0), ones)).toBeCloseTo(4.25 / 3, 15);
    // A padding row (weight 0) counts neither in the sum nor in the denominator: (1 - 3)^2 / 1.
    const padded = mseForwardRef(Float64Array.of(1, 100), Float64Array.of(3, 0), Float64Array.of(1, 0));
    expect(padded).toBe(4);
    // d/dp_0 of (p_0 - y_0)^2 / 1 = 2 (1 - 3) = -4; the padding row gets 0.
    expect([...mseBackwardRef(Float64Array.of(1, 100), Float64Array.of(3, 0), Float64Array.of(1, 0), 1)]).toEqual([
      -4, 0,
    ]);
    // No valid row: 0, not NaN, and zero gradients.
    expect(mseForwardRef(Float64Array.of(1), Float64Array.of(2), Float64Array.of(0))).toBe(0);
    expect(mseBackwardRef(Float64Array.of(1), Float64Array.of(2), Float64Array.of(0), 1)[0]).toBeCloseTo(0, 15);
  });

  it('backward matches finite differences (weighted rows)', () => {
    const p = randn(23, 1);
    const y = randn(23, 2);
    const w = uniform(23, 3, 0, 2);
    w[5] = 0;
    const dout = Float64Array.of(0.7);
    const fd = finiteDifferenceGrad((x) => Float64Array.of(mseForwardRef(x, y, w)), p, dout);
    expectClose(mseBackwardRef(p, y, w, 0.7), fd, FD_TOLERANCE, 'dinp');
  });
});
