// The host RNG (random.ts): bit-exact against an independent BigInt implementation of lowbias32 and of the
// (seed, stream, index) composition, and statistical sanity of the uniforms and dropout masks it yields.
// The GPU side (random.wgsl) is compared with these functions in random.gpu.test.ts.
import { describe, expect, it } from 'vitest';
import { dropoutScale, lowbias32, randomU32, randomUniform } from './random.ts';

const MASK = 0xffffffffn;

/** lowbias32 in BigInt arithmetic mod 2^32: shares no code (or Math.imul) with the implementation. */
function lowbias32Big(v: bigint): bigint {
  let x = v & MASK;
  x ^= x >> 16n;
  x = (x * 0x7feb352dn) & MASK;
  x ^= x >> 15n;
  x = (x * 0x846ca68bn) & MASK;
  x ^= x >> 16n;
  return x;
}

function randomU32Big(seed: number, stream: number, index: number): number {
  const s = lowbias32Big(BigInt(stream) + lowbias32Big(BigInt(seed)));
  return Number(lowbias32Big(BigInt(index) + s));
}

// Statistical bounds are 5 standard deviations of the estimator: a correct generator fails one with
// probability below 1e-6, and with fixed seeds each check is deterministic (it passes or fails forever).
const N = 1 << 17;

function mean(values: Float64Array): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('counter-based RNG (host)', () => {
  it('lowbias32 matches an independent BigInt implementation', () => {
    expect(lowbias32(0)).toBe(0); // every step maps 0 to 0
    const inputs = [1, 2, 3, 0x7fffffff, 0x80000000, 0xffffffff, 0xdeadbeef, 12345678];
    for (const v of inputs) expect(lowbias32(v)).toBe(Number(lowbias32Big(BigInt(v))));
  });

  it('randomU32 composes the hash over (seed, stream, index) with wrapping adds', () => {
    const triples = [
      [0, 0, 0],
      [1, 2, 3],
      [0xffffffff, 0xffffffff, 0xffffffff],
      [42, 7, 4_000_000_000],
      [0x80000000, 1, 65535],
    ] as const;
    for (const [seed, stream, index] of triples) {
      expect(randomU32(seed, stream, index)).toBe(randomU32Big(seed, stream, index));
    }
  });

  it('uniforms have mean 1/2 and fill 16 bins evenly', () => {
    const u = Float64Array.from({ length: N }, (_, i) => randomUniform(1234, 5, i));
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    // Mean of N uniforms: sd = 1 / sqrt(12 N).
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(5 / Math.sqrt(12 * N));
    // Pearson chi-square over 16 bins, 15 degrees of freedom: P(chi2 > 55) < 1e-6.
    const bins = new Float64Array(16);
    for (const x of u) bins[Math.floor(x * 16)]!++;
    const expected = N / 16;
    const chi2 = bins.reduce((s, b) => s + (b - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(55);
  });

  it('neighbouring indices, streams and seeds are uncorrelated', () => {
    // Sample correlation of independent series: sd ~ 1 / sqrt(N).
    const bound = 5 / Math.sqrt(N);
    const at = (seed: number, stream: number, shift: number) =>
      Float64Array.from({ length: N }, (_, i) => randomUniform(seed, stream, i + shift));
    const base = at(9, 1, 0);
    expect(Math.abs(correlation(base, at(9, 1, 1)))).toBeLessThan(bound);
    expect(Math.abs(correlation(base, at(9, 2, 0)))).toBeLessThan(bound);
    expect(Math.abs(correlation(base, at(10, 1, 0)))).toBeLessThan(bound);
  });

  for (const p of [0.1, 0.5, 0.9]) {
    it(`dropout keeps a fraction 1 - p of elements, p = ${p}`, () => {
      let kept = 0;
      for (let i = 0; i < N; i++) if (dropoutScale(77, 3, i, p) !== 0) kept++;
      // Binomial(N, 1 - p) / N: sd = sqrt(p (1 - p) / N).
      expect(Math.abs(kept / N - (1 - p))).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
    });
  }

  it('dropout at p = 0 keeps everything with multiplier exactly 1', () => {
    for (let i = 0; i < 1000; i++) expect(dropoutScale(1, 2, i, 0)).toBe(1);
  });
});
