// Dropout CPU reference: known values, the mask's form, and the backward (with the mask fixed by the seed)
// against central finite differences.
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randn } from '../../test-support/numerics.ts';
import { dropoutBackwardRef, dropoutForwardRef, dropoutMaskRef, dropoutStepSeed } from './dropout.ts';

describe('dropout reference', () => {
  it('matches hand-computed values', () => {
    const mask = Float64Array.of(0, 1.25, 1.25);
    expect([...dropoutForwardRef(Float64Array.of(3, 4, -2), mask)]).toEqual([0, 5, -2.5]);
    expect([...dropoutBackwardRef(Float64Array.of(1, 2, 3), mask)]).toEqual([0, 2.5, 3.75]);
  });

  it('masks are 0 or 1/(1-p), and all ones at p = 0', () => {
    const keep = Math.fround(1 / Math.fround(1 - 0.2));
    const mask = dropoutMaskRef(1000, 7, 3, 0.2);
    expect(mask.every((m) => m === 0 || m === keep)).toBe(true);
    expect(mask.some((m) => m === 0)).toBe(true);
    expect(dropoutMaskRef(1000, 7, 3, 0).every((m) => m === 1)).toBe(true);
  });

  it('backward matches finite differences with a fixed mask', () => {
    const n = 41;
    const mask = dropoutMaskRef(n, 11, 2, 0.3);
    const x = randn(n, 1);
    const dout = randn(n, 2);
    const fd = finiteDifferenceGrad((v) => dropoutForwardRef(v, mask), x, dout);
    expectClose(dropoutBackwardRef(dout, mask), fd, FD_TOLERANCE, 'dinp');
  });

  it('derives a different seed for every step, the same for the same (run, step)', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, step) => dropoutStepSeed(42, step)));
    expect(seeds.size).toBe(1000);
    expect(dropoutStepSeed(42, 5)).toBe(dropoutStepSeed(42, 5));
    expect(dropoutStepSeed(43, 5)).not.toBe(dropoutStepSeed(42, 5));
  });
});
