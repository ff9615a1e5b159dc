// Metrics against values computed by hand (and cross-checked with sklearn/scipy formulas in comments).
import { describe, expect, it } from 'vitest';
import { accuracy, confusionMatrix, f1, matthewsCorrelation, pearson, ranks, spearman } from './metrics.ts';

// 10 binary examples: tp = 3, tn = 4, fp = 2, fn = 1.
const labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
const preds = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];

describe('classification metrics', () => {
  it('accuracy and confusion', () => {
    expect(accuracy(preds, labels)).toBe(0.7);
    expect(confusionMatrix(preds, labels, 2)).toEqual([
      [4, 2],
      [1, 3],
    ]);
    expect(() => confusionMatrix([2], [0], 2)).toThrow(/out of range at row 0/);
  });

  it('F1 = 2tp / (2tp + fp + fn) = 6/9', () => {
    expect(f1(preds, labels)).toBeCloseTo(6 / 9, 15);
    expect(f1([0, 0], [0, 0])).toBe(0);
  });

  it('Matthews correlation = (tp tn - fp fn) / sqrt(...) = 10 / sqrt(5·4·6·5)', () => {
    expect(matthewsCorrelation(preds, labels)).toBeCloseTo(10 / Math.sqrt(600), 15);
    expect(matthewsCorrelation([1, 1, 1], [1, 0, 1])).toBe(0); // a constant prediction
    expect(matthewsCorrelation(labels, labels)).toBe(1);
  });
});

describe('correlation metrics', () => {
  it('Pearson on a hand example', () => {
    // x = 1..4, y = 2,4,5,9: means 2.5 and 5, sxy = 4.5 + 0.5 + 0 + 6 = 11, sxx = 5, syy = 26 -> 11 / sqrt(130)
    expect(pearson([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(130), 15);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBe(0);
  });

  it('ranks average ties; Spearman is Pearson of ranks', () => {
    expect([...ranks([10, 20, 20, 5])]).toEqual([2, 3.5, 3.5, 1]);
    // Monotone but non-linear: Spearman 1, Pearson < 1.
    const x = [1, 2, 3, 4, 5];
    const y = x.map((v) => v ** 3);
    expect(spearman(x, y)).toBeCloseTo(1, 15);
    expect(pearson(x, y)).toBeLessThan(0.99);
    expect(() => spearman([], [])).toThrow(/empty/);
  });
});
