// IEEE half (F16) and bfloat16 (BF16) <-> float32 conversions for checkpoint I/O. Widening is exact; narrowing
// rounds to nearest, ties to even (as torch's .half() / .bfloat16() do), keeps signed zeros, infinities and NaN.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float value of one F16 bit pattern. */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero or subnormal
  if (exp === 31) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

/** Widens F16 bit patterns to float32 (exact). */
export function widenF16(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i]!;
    const exp = (h >> 10) & 0x1f;
    if (exp === 0) {
      out[i] = f16BitsToNumber(h); // zero and subnormals: exact in float32
    } else {
      const sign = (h & 0x8000) << 16;
      const mant = (h & 0x3ff) << 13;
      bits[i] = exp === 31 ? sign | 0x7f800000 | mant : sign | ((exp + 112) << 23) | mant;
    }
  }
  return out;
}

/** Widens BF16 bit patterns to float32 (exact: BF16 is the top half of a float32). */
export function widenBF16(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
  return out;
}

/** Rounds one number to the nearest F16 bit pattern (ties to even; overflow gives infinity). */
export function numberToF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 255) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: signed zero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry into the exponent is correct (may give inf)
  return sign | half;
}

/** Rounds one number to the nearest BF16 bit pattern (ties to even). */
export function numberToBF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) return ((b >>> 16) & 0x8000) | 0x7fc0; // quiet NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

export function narrowToF16(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = numberToF16Bits(src[i]!);
  return out;
}

export function narrowToBF16(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = numberToBF16Bits(src[i]!);
  return out;
}
