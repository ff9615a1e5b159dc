// Gradient-norm CPU references against hand-computed values.
import { describe, expect, it } from 'vitest';
import { clipScaleRef, GRADNORM_CHUNK, gradNormPartials, gradNormRef } from './gradnorm.ts';

describe('gradnorm reference', () => {
  it('is the L2 norm over all tensors together', () => {
    // sqrt(3² + 4² + 12²) = 13
    expect(gradNormRef([Float64Array.of(3, -4), Float64Array.of(12)])).toBe(13);
    expect(gradNormRef([new Float64Array(5)])).toBe(0);
  });

  it('clips as clip_grad_norm_ does: min(1, max_norm / (norm + 1e-6))', () => {
    expect(clipScaleRef(13, 1)).toBeCloseTo(1 / 13.000001, 16);
    expect(clipScaleRef(0.5, 1)).toBe(1);
    expect(clipScaleRef(0, 1)).toBe(1);
  });

  it('counts one partial per chunk of elements', () => {
    expect(gradNormPartials(1)).toBe(1);
    expect(gradNormPartials(GRADNORM_CHUNK)).toBe(1);
    expect(gradNormPartials(GRADNORM_CHUNK + 1)).toBe(2);
  });
});
