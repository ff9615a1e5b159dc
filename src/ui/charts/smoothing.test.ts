// The smoothing matches TensorBoard's debiased EMA, including its edge cases.
import { describe, expect, it } from 'vitest';
import { emaSmooth } from './smoothing.ts';

describe('emaSmooth', () => {
  it('is the identity at weight 0', () => {
    expect([...emaSmooth([3, 1, 2], 0)]).toEqual([3, 1, 2]);
  });

  it('debiases, so the first point is the first value', () => {
    const out = emaSmooth([4, 2], 0.5);
    expect(out[0]).toBe(4);
    // step 1: last = 2, debias 0.5 -> 4; step 2: last = 0.5 * 2 + 0.5 * 2 = 2, debias 0.75 -> 8/3
    expect(out[1]).toBeCloseTo(8 / 3, 12);
  });

  it('passes non-finite points through without advancing the accumulator', () => {
    const out = emaSmooth([1, Number.NaN, 3], 0.5);
    expect(out[0]).toBe(1);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out[2]).toBeCloseTo((0.25 * 1 + 0.5 * 3) / 0.75, 12);
  });

  it('leaves a constant series alone', () => {
    expect([...emaSmooth([2, 2, 2], 0.9)]).toEqual([2, 2, 2]);
  });

  it('clamps the weight into [0, 1]', () => {
    expect([...emaSmooth([1, 5], -3)]).toEqual([1, 5]);
  });
});
