// Gather references: the backward against finite differences, and the inverse map's checks.
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randn } from '../../test-support/numerics.ts';
import { gatherInverse, gatherRowsBackwardRef, gatherRowsRef } from './gather.ts';

describe('gather reference', () => {
  it('picks rows, and its backward matches finite differences', () => {
    const N = 6;
    const C = 3;
    const index = Uint32Array.of(4, 0, 5);
    const x = randn(N * C, 1);
    expect([...gatherRowsRef(x, index, C).subarray(0, 3)]).toEqual([...x.subarray(12, 15)]);
    const dout = randn(index.length * C, 2);
    const fd = finiteDifferenceGrad((v) => gatherRowsRef(v, index, C), x, dout);
    expectClose(gatherRowsBackwardRef(dout, index, N, C), fd, FD_TOLERANCE, 'dinp');
  });

  it('refuses repeated and out-of-range indices', () => {
    expect([...gatherInverse(Uint32Array.of(2, 0), 3)]).toEqual([1, 0xffffffff, 0]);
    expect(() => gatherInverse(Uint32Array.of(1, 1), 3)).toThrow(/row 1 is gathered twice/);
    expect(() => gatherInverse(Uint32Array.of(3), 3)).toThrow(/index 3 at 0 is outside the 3 rows/);
  });
});
