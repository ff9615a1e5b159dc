// Matmul CPU reference: a hand-computed product, and the backward against central finite differences for
// every layout the kernels support (transposes, bias, GELU, batched with a broadcast operand).
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randn } from '../../test-support/numerics.ts';
import { chooseMatmulVariant, type MatmulRefDims, matmulBackwardRef, matmulForwardRef } from './matmul.ts';

describe('matmul reference', () => {
  it('matches a hand-computed product with bias', () => {
    // [[1, 2, 3], [4, 5, 6]] @ [[1, 0], [0, 1], [1, 1]] + [10, 20] = [[14, 25], [20, 31]]
    const a = Float64Array.of(1, 2, 3, 4, 5, 6);
    const w = Float64Array.of(1, 0, 0, 1, 1, 1);
    const out = matmulForwardRef(a, w, Float64Array.of(10, 20), { M: 2, N: 2, K: 3 });
    expect([...out]).toEqual([14, 25, 20, 31]);
    // The same product with both operands stored transposed.
    const aT = Float64Array.of(1, 4, 2, 5, 3, 6);
    const wT = Float64Array.of(1, 0, 1, 0, 1, 1);
    const outT = matmulForwardRef(aT, wT, Float64Array.of(10, 20), { M: 2, N: 2, K: 3, transA: true, transB: true });
    expect([...outT]).toEqual([14, 25, 20, 31]);
  });

  it('applies tanh-GELU after the bias', () => {
    // 1*1 + 0 = 1 -> gelu(1) = 0.8411919906082768 (see gelu.test.ts)
    const out = matmulForwardRef(Float64Array.of(1), Float64Array.of(1), Float64Array.of(0), {
      M: 1,
      N: 1,
      K: 1,
      gelu: true,
    });
    expect(out[0]).toBeCloseTo(0.8411919906082768, 14);
  });

  const cases: { what: string; dims: MatmulRefDims; sizeA: number; sizeB: number; bias: boolean }[] = [
    { what: 'plain', dims: { M: 3, N: 4, K: 5 }, sizeA: 15, sizeB: 20, bias: false },
    { what: 'bias + gelu', dims: { M: 3, N: 4, K: 5, gelu: true }, sizeA: 15, sizeB: 20, bias: true },
    { what: 'transA', dims: { M: 3, N: 4, K: 5, transA: true }, sizeA: 15, sizeB: 20, bias: true },
    { what: 'transB + gelu', dims: { M: 3, N: 4, K: 5, transB: true, gelu: true }, sizeA: 15, sizeB: 20, bias: false },
    {
      what: 'both transposed',
      dims: { M: 2, N: 3, K: 4, transA: true, transB: true },
      sizeA: 8,
      sizeB: 12,
      bias: true,
    },
    {
      what: 'batched, weight broadcast',
      dims: { M: 2, N: 3, K: 4, nb: 3, strideB: 0, gelu: true },
      sizeA: 24,
      sizeB: 12,
      bias: true,
    },
    {
      what: 'batched, inp broadcast, transposed',
      dims: { M: 2, N: 3, K: 4, nb: 2, strideA: 0, transA: true, transB: true },
      sizeA: 8,
      sizeB: 24,
      bias: false,
    },
  ];

  for (const { what, dims, sizeA, sizeB, bias: hasBias } of cases) {
    it(`backward matches finite differences: ${what}`, () => {
      const nb = dims.nb ?? 1;
      const a = randn(sizeA, 1);
      const w = randn(sizeB, 2);
      const bias = hasBias ? randn(dims.N, 3) : null;
      const dout = randn(nb * dims.M * dims.N, 4);
      const { dinp, dweight, dbias } = matmulBackwardRef(dout, a, w, bias, dims);
      const fdA = finiteDifferenceGrad((x) => matmulForwardRef(x, w, bias, dims), a, dout);
      const fdW = finiteDifferenceGrad((x) => matmulForwardRef(a, x, bias, dims), w, dout);
      expectClose(dinp, fdA, FD_TOLERANCE, 'dinp');
      expectClose(dweight, fdW, FD_TOLERANCE, 'dweight');
      if (bias) {
        const fdB = finiteDifferenceGrad((x) => matmulForwardRef(a, w, x, dims), bias, dout);
        expectClose(dbias!, fdB, FD_TOLERANCE, 'dbias');
      } else expect(dbias).toBeNull();
    });
  }
});

describe('chooseMatmulVariant', () => {
  it('keeps skinny products naive and gives big ones the large tile', () => {
    expect(chooseMatmulVariant(1, 40478)).toBe('naive');
    expect(chooseMatmulVariant(4096, 1)).toBe('naive');
    expect(chooseMatmulVariant(64, 768)).toBe('vec4');
    expect(chooseMatmulVariant(512, 192)).toBe('vec4'); // 12 tiles of 128 x 64: too few for the large tile
    expect(chooseMatmulVariant(4096, 3072)).toBe('vec4_large');
  });
});
