// Sampling: greedy, top-k, temperature, and reproducibility from the seed.
import { describe, expect, it } from 'vitest';
import { sampleToken, samplingRng } from './sampling.ts';

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
