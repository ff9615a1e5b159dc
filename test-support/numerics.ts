// Numerical test helpers: seeded random data, closeness checks that report the first mismatch and
// the worst error, and central finite differences in float64 for checking CPU backward references.

/** mulberry32: a small seeded PRNG for test data (not the engine's RNG). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values ~ N(0, std²) (Box-Muller), as float64. */
export function randn(n: number, seed: number, std = 1): Float64Array {
  const next = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(next(), 1e-12);
    out[i] = std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  }
  return out;
}

/** n values uniform in [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const next = rng(seed);
  return Float64Array.from({ length: n }, () => lo + (hi - lo) * next());
}

/** Integers in [0, max). */
export function randInts(n: number, seed: number, max: number): Uint32Array<ArrayBuffer> {
  const next = rng(seed);
  return Uint32Array.from({ length: n }, () => Math.floor(next() * max));
}

/** Rounds float64 data to float32 (what the GPU will see), keeping float64 storage for references. */
export function toF32(data: ArrayLike<number>): Float32Array<ArrayBuffer> {
  return Float32Array.from(data);
}
export function f32Exact(data: ArrayLike<number>): Float64Array {
  return Float64Array.from(Float32Array.from(data));
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Comparison {
  ok: boolean;
  maxAbs: number;
  maxRel: number;
  firstMismatch: number;
  message: string;
}

/** |actual - expected| <= atol + rtol * |expected| everywhere (NaN never passes). */
export function compare(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  what = 'values',
): Comparison {
  if (actual.length !== expected.length) {
    return {
      ok: false,
      maxAbs: Number.POSITIVE_INFINITY,
      maxRel: Number.POSITIVE_INFINITY,
      firstMismatch: 0,
      message: `${what}: length ${actual.length} != expected ${expected.length}`,
    };
  }
  let maxAbs = 0;
  let maxRel = 0;
  let firstMismatch = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const diff = Math.abs(a - e);
    const bad = !(diff <= tol.atol + tol.rtol * Math.abs(e)); // NaN-safe
    if (bad && firstMismatch < 0) firstMismatch = i;
    if (!Number.isNaN(diff)) {
      maxAbs = Math.max(maxAbs, diff);
      if (Math.abs(e) > 0) maxRel = Math.max(maxRel, diff / Math.abs(e));
    } else maxAbs = Number.NaN;
  }
  const ok = firstMismatch < 0;
  const message = ok
    ? `${what}: ok (max abs ${maxAbs.toExponential(2)}, max rel ${maxRel.toExponential(2)})`
    : `${what}: first mismatch at [${firstMismatch}]: got ${actual[firstMismatch]}, expected ${expected[firstMismatch]} ` +
      `(atol ${tol.atol}, rtol ${tol.rtol}); max abs ${maxAbs}, max rel ${maxRel}, n ${expected.length}`;
  return { ok, maxAbs, maxRel, firstMismatch, message };
}

/** Throws with the first mismatch when `actual` is not close to `expected`. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  what?: string,
): void {
  const result = compare(actual, expected, tol, what);
  if (!result.ok) throw new Error(result.message);
}

/**
 * Central finite differences of the fake loss L(x) = sum(f(x) * dout) with respect to `x`
 * (llm.c's trick: its gradient is exactly the backward of f applied to dout). float64 throughout.
 */
export function finiteDifferenceGrad(
  f: (x: Float64Array) => Float64Array,
  x: Float64Array,
  dout: Float64Array,
  eps = 1e-6,
): Float64Array {
  const grad = new Float64Array(x.length);
  const xp = Float64Array.from(x);
  const loss = (v: Float64Array) => f(v).reduce((s, o, i) => s + o * dout[i]!, 0);
  for (let i = 0; i < x.length; i++) {
    const orig = xp[i]!;
    xp[i] = orig + eps;
    const up = loss(xp);
    xp[i] = orig - eps;
    const down = loss(xp);
    xp[i] = orig;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

/** Tolerance for comparing an analytic float64 gradient with central differences at eps = 1e-6. */
export const FD_TOLERANCE: Tolerance = { atol: 1e-7, rtol: 1e-6 };
