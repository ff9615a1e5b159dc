// Sampling: greedy, top-k, temperature, and reproducibility from the seed; the next-token distribution
// against hand-computed softmaxes.
import { describe, expect, it } from 'vitest';
import { nextTokenDistribution, sampleToken, samplingRng } from './sampling.ts';

const logits = [1, 3, 2, -1]; // softmax: token 1 most likely

describe('sampleToken', () => {
  it('is greedy at temperature 0 and with top-k 1', () => {
    expect(sampleToken(logits, { temperature: 0, topK: 0 }, samplingRng(1))).toBe(1);
    for (let s = 0; s < 20; s++) expect(sampleToken(logits, { temperature: 5, topK: 1 }, samplingRng(s))).toBe(1);
  });

  it('draws from softmax(logits / T) restricted to the top k', () => {
    const rng = samplingRng(42);
    const counts = [0, 0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature: 1, topK: 2 }, rng)]!++;
    // Top-2 keeps tokens 1 and 3: p = e^3 / (e^3 + e^2) = 0.7311.
    expect(counts[0]).toBe(0);
    expect(counts[3]).toBe(0);
    const p = counts[1]! / n;
    expect(Math.abs(p - Math.E / (Math.E + 1))).toBeLessThan(5 * Math.sqrt((0.27 * 0.73) / n)); // 5 sigma
  });

  it('reproduces the same draws from the same seed', () => {
    const draw = (seed: number) => {
      const rng = samplingRng(seed);
      return Array.from({ length: 30 }, () => sampleToken(logits, { temperature: 2, topK: 0 }, rng));
    };
    expect(draw(9)).toEqual(draw(9));
    expect(draw(9)).not.toEqual(draw(10));
  });
});

describe('nextTokenDistribution', () => {
  const close = (actual: { id: number; probability: number }[], expected: [number, number][]) => {
    expect(actual.map((t) => t.id)).toEqual(expected.map(([id]) => id));
    // Hand-computed to 4 digits: 5e-5 is their rounding.
    actual.forEach((t, i) => {
      expect(Math.abs(t.probability - expected[i]![1])).toBeLessThan(5e-5);
    });
  };

  it('is softmax(logits / T) over all tokens, most likely first', () => {
    // e^3, e^2, e^1, e^-1 over their sum 30.5605: 0.6572, 0.2418, 0.0889, 0.0120.
    close(nextTokenDistribution(logits, { temperature: 1, topK: 0 }, 4), [
      [1, 0.6572],
      [2, 0.2418],
      [0, 0.0889],
      [3, 0.012],
    ]);
    // T = 2 flattens: e^1.5, e^1, e^0.5, e^-0.5 over 9.4552: 0.4740, 0.2875, 0.1744, 0.0641.
    close(nextTokenDistribution(logits, { temperature: 2, topK: 0 }, 2), [
      [1, 0.474],
      [2, 0.2875],
    ]);
  });

  it('renormalises over the top k, and is one-hot when greedy', () => {
    // Top-2 keeps tokens 1 and 2: e / (e + 1) = 0.7311 and 1 / (e + 1) = 0.2689.
    close(nextTokenDistribution(logits, { temperature: 1, topK: 2 }, 10), [
      [1, 0.7311],
      [2, 0.2689],
    ]);
    close(nextTokenDistribution(logits, { temperature: 0, topK: 0 }, 5), [[1, 1]]);
    // Ties go to the lower id, as sampleToken's top-k does.
    close(nextTokenDistribution([0, 2, 2, 0], { temperature: 1, topK: 0 }, 3), [
      [1, 0.4404],
      [2, 0.4404],
      [0, 0.0596],
    ]);
  });
});
