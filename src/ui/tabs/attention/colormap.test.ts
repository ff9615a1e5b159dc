// The viridis fit matches matplotlib's endpoints and midpoint to within 4 of 255.
import { describe, expect, it } from 'vitest';
import { VIRIDIS } from './colormap.ts';

const at = (i: number) => [...VIRIDIS.subarray(i * 3, i * 3 + 3)];
const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 4);

describe('VIRIDIS', () => {
  it('starts dark purple, passes teal, ends yellow', () => {
    expect(near(at(0), [68, 1, 84])).toBe(true); // #440154
    expect(near(at(64), [59, 82, 139])).toBe(true); // #3b528b
    expect(near(at(128), [33, 145, 140])).toBe(true); // #21918c
    expect(near(at(192), [94, 201, 98])).toBe(true); // #5ec962
    expect(near(at(255), [253, 231, 37])).toBe(true); // #fde725
  });
});
