// Residual CPU reference: a known value, and its backward against central finite differences.
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randn } from '../../test-support/numerics.ts';
import { residualBackwardRef, residualForwardRef } from './residual.ts';

describe('residual reference', () => {
  it('matches hand-computed values', () => {
    expect([...residualForwardRef(Float64Array.of(1, -2, 0.5), Float64Array.of(3, 2, 0.25))]).toEqual([4, 0, 0.75]);
  });

  it('backward matches finite differences for both inputs', () => {
    const a = randn(29, 1);
    const b = randn(29, 2);
    const dout = randn(29, 3);
    const { dinp1, dinp2 } = residualBackwardRef(dout);
    expectClose(
      dinp1,
      finiteDifferenceGrad((x) => residualForwardRef(x, b), a, dout),
      FD_TOLERANCE,
      'dinp1',
    );
    expectClose(
      dinp2,
      finiteDifferenceGrad((x) => residualForwardRef(a, x), b, dout),
      FD_TOLERANCE,
      'dinp2',
    );
  });
});
