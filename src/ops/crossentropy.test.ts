// Cross-entropy CPU references: known values, the ignore index, and the backward of the per-row
// losses and of the mean against central finite differences.
import { describe, expect, it } from 'vitest';
import { expectClose, FD_TOLERANCE, finiteDifferenceGrad, randInts, randn } from '../../test-support/numerics.ts';
import {
  crossentropyBackwardRef,
  crossentropyForwardRef,
  crossentropyMeanRef,
  crossentropyRowDlossRef,
  IGNORE_INDEX,
} from './crossentropy.ts';

describe('crossentropy reference', () => {
  it('matches hand-computed values', () => {
    // Row 0: logits (1, 2, 3), target 2: log(e^1 + e^2 + e^3) - 3 = log(1 + e^-1 + e^-2) = 0.40760596444438...
    // Row 1: all-equal logits: log 3. Row 2: ignored. Column 3 is padding (Vp = 4) and must not count.
    const logits = Float64Array.of(1, 2, 3, 1e3, 5, 5, 5, -1e3, 0, 0, 0, 0);
    const targets = Uint32Array.of(2, 0, IGNORE_INDEX);
    const { losses, lse } = crossentropyForwardRef(logits, targets, 3, 3, 4);
    expect(losses[0]).toBeCloseTo(0.4076059644443804, 14);
    expect(lse[0]).toBeCloseTo(3 + 0.4076059644443804, 14);
    expect(losses[1]).toBeCloseTo(Math.log(3), 14);
    expect(losses[2]).toBe(0);
    // softmax(1, 2, 3) = (0.0900305731703805, 0.2447284710547976, 0.6652409557748219)
    const d = crossentropyBackwardRef(logits, targets, Float64Array.of(2, 1, 1), 3, 3, 4);
    expectClose(
      d,
      [0.180061146340761, 0.4894569421095952, -0.6695180884503562, 0, -2 / 3, 1 / 3, 1 / 3, 0, 0, 0, 0, 0],
      { atol: 1e-14, rtol: 0 },
      'dlogits',
    );
    const { mean, count } = crossentropyMeanRef(losses, targets, 3);
    expect(count).toBe(2);
    expect(mean).toBeCloseTo((0.4076059644443804 + Math.log(3)) / 2, 14);
    expect(Array.from(crossentropyRowDlossRef(targets, 3, 1, 4))).toEqual([2, 2, 0]);
  });

  it('gives mean 0 and no gradient when every row is ignored', () => {
    const targets = Uint32Array.of(IGNORE_INDEX, 7);
    expect(crossentropyMeanRef(Float64Array.of(0, 0), targets, 5)).toEqual({ mean: 0, count: 0 });
    expect(Array.from(crossentropyRowDlossRef(targets, 5, 1))).toEqual([0, 0]);
  });

  it('backward of the per-row losses matches finite differences', () => {
    const [N, V, Vp] = [5, 7, 9];
    const logits = randn(N * Vp, 1, 2);
    const targets = randInts(N, 2, V);
    targets[3] = IGNORE_INDEX;
    const dloss = randn(N, 3);
    const f = (x: Float64Array) => crossentropyForwardRef(x, targets, N, V, Vp).losses;
    const fd = finiteDifferenceGrad(f, logits, dloss);
    expectClose(crossentropyBackwardRef(logits, targets, dloss, N, V, Vp), fd, FD_TOLERANCE, 'dlogits');
  });

  it('backward of the mean (row dloss, then dlogits) matches finite differences', () => {
    const [N, V] = [6, 4];
    const logits = randn(N * V, 4, 3);
    const targets = randInts(N, 5, V);
    targets[0] = IGNORE_INDEX;
    targets[4] = IGNORE_INDEX;
    const scale = 0.5; // a weighted term, e.g. lambda * L1
    const meanOf = (x: Float64Array) =>
      Float64Array.of(scale * crossentropyMeanRef(crossentropyForwardRef(x, targets, N, V, V).losses, targets, V).mean);
    const fd = finiteDifferenceGrad(meanOf, logits, Float64Array.of(1));
    const dloss = crossentropyRowDlossRef(targets, V, 1, scale);
    expectClose(crossentropyBackwardRef(logits, targets, dloss, N, V, V), fd, FD_TOLERANCE, 'd mean / d logits');
    // The mean itself, as a function of the losses: its gradient is exactly the row dloss.
    const losses = randn(N, 6);
    const meanOfLosses = (l: Float64Array) => Float64Array.of(crossentropyMeanRef(l, targets, V).mean);
    const dmean = 1.7;
    expectClose(
      crossentropyRowDlossRef(targets, V, dmean),
      finiteDifferenceGrad(meanOfLosses, losses, Float64Array.of(dmean)),
      FD_TOLERANCE,
      'd mean / d losses',
    );
  });
});
