// GELU CPU reference: known values, and its backward against central finite differences.
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randn } from '../../test-support/numerics.ts';
import { geluBackwardRef, geluForwardRef } from './gelu.ts';

describe('gelu reference', () => {
  it('matches hand-computed values', () => {
    // gelu(1) = 0.5 (1 + tanh(sqrt(2/pi) * 1.044715)) = 0.8411919906082768
    const out = geluForwardRef(Float64Array.of(0, 1, -1, 3));
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(0.8411919906082768, 14);
    expect(out[2]).toBeCloseTo(-0.15880800939172324, 14);
    expect(out[3]).toBeCloseTo(2.996362607918227, 14);
  });

  it('backward matches finite differences', () => {
    const x = randn(37, 1, 2);
    const dout = randn(37, 2);
    expectClose(geluBackwardRef(x, dout), finiteDifferenceGrad(geluForwardRef, x, dout), FD_TOLERANCE, 'dinp');
  });
});
