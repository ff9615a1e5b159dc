// LayerNorm CPU reference: hand-computed values, and its backward against central finite differences.
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randn } from '../../test-support/numerics.ts';
import { layernormBackwardRef, layernormBlockRows, layernormForwardRef } from './layernorm.ts';

describe('layernorm reference', () => {
  it('matches hand-computed values', () => {
    // Row [1, 2, 3]: mean 2, biased variance 2/3, rstd = 1/sqrt(2/3 + 1e-5) = 1.2247356859083902.
    // Row [5, 5, 5]: mean 5, variance 0, rstd = 1/sqrt(1e-5), norm 0 so out = bias.
    const inp = Float64Array.of(1, 2, 3, 5, 5, 5);
    const weight = Float64Array.of(2, 1, -1);
    const bias = Float64Array.of(0.5, 0, 0.25);
    const { out, mean, rstd } = layernormForwardRef(inp, weight, bias, 2, 3);
    const r = 1.2247356859083902;
    expect(mean[0]).toBe(2);
    expect(mean[1]).toBe(5);
    expect(rstd[0]).toBeCloseTo(r, 14);
    expect(rstd[1]).toBeCloseTo(316.22776601683796, 10);
    const expected = [-2 * r + 0.5, 0, -r + 0.25, 0.5, 0, 0.25];
    expectClose(out, expected, { atol: 1e-14, rtol: 0 }, 'out');
  });

  it('backward matches finite differences for inp, weight and bias', () => {
    const N = 4;
    const C = 6;
    const inp = randn(N * C, 1, 2);
    inp.fill(0.75, C, 2 * C); // a constant row: variance 0, where only eps keeps rstd finite
    const weight = randn(C, 2);
    const bias = randn(C, 3);
    const dout = randn(N * C, 4);
    const { mean, rstd } = layernormForwardRef(inp, weight, bias, N, C);
    const { dinp, dweight, dbias } = layernormBackwardRef(dout, inp, weight, mean, rstd, N, C);
    const fdInp = finiteDifferenceGrad((x) => layernormForwardRef(x, weight, bias, N, C).out, inp, dout);
    const fdWeight = finiteDifferenceGrad((w) => layernormForwardRef(inp, w, bias, N, C).out, weight, dout);
    const fdBias = finiteDifferenceGrad((b) => layernormForwardRef(inp, weight, b, N, C).out, bias, dout);
    // The constant row has rstd = 316, so its dinp entries are ~1e3: FD's relative error still holds.
    expectClose(dinp, fdInp, FD_TOLERANCE, 'dinp');
    expectClose(dweight, fdWeight, FD_TOLERANCE, 'dweight');
    expectClose(dbias, fdBias, FD_TOLERANCE, 'dbias');
  });

  it('splits rows into about sqrt(N) blocks for the dweight/dbias partials', () => {
    expect(layernormBlockRows(1)).toBe(1);
    expect(layernormBlockRows(5)).toBe(3);
    expect(layernormBlockRows(19)).toBe(5);
    expect(layernormBlockRows(4096)).toBe(64);
  });
});
