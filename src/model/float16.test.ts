// F16/BF16 conversions: known bit patterns, exhaustive F16 round trip, ties to even.
import { describe, expect, it } from 'vitest';
import {
  f16BitsToNumber,
  narrowToBF16,
  narrowToF16,
  numberToBF16Bits,
  numberToF16Bits,
  widenBF16,
  widenF16,
} from './float16.ts';

describe('float16', () => {
  it('converts known F16 bit patterns', () => {
    const cases: [number, number][] = [
      [0x0000, 0],
      [0x3c00, 1],
      [0xc000, -2],
      [0x7bff, 65504],
      [0x0001, 2 ** -24],
      [0x03ff, 1023 * 2 ** -24],
      [0x0400, 2 ** -14],
      [0x3555, 0.333251953125],
      [0x7c00, Number.POSITIVE_INFINITY],
      [0xfc00, Number.NEGATIVE_INFINITY],
    ];
    for (const [bits, value] of cases) {
      expect(f16BitsToNumber(bits)).toBe(value);
      expect(numberToF16Bits(value)).toBe(bits);
    }
    expect(Object.is(f16BitsToNumber(0x8000), -0)).toBe(true);
    expect(numberToF16Bits(-0)).toBe(0x8000);
    expect(Number.isNaN(f16BitsToNumber(0x7e00))).toBe(true);
  });

  it('round-trips all 65,536 F16 patterns through float32 (NaN stays NaN)', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const wide = widenF16(all);
    const back = narrowToF16(wide);
    for (let i = 0; i < 65536; i++) {
      const nan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (nan) expect(Number.isNaN(wide[i])).toBe(true);
      else {
        expect(wide[i]).toBe(f16BitsToNumber(i));
        expect(back[i]).toBe(i);
      }
    }
  });

  it('rounds to nearest, ties to even, and overflows to infinity', () => {
    expect(numberToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even (down)
    expect(numberToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(numberToF16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(numberToF16Bits(65520)).toBe(0x7c00); // rounds up past the largest finite value
    expect(numberToF16Bits(65519)).toBe(0x7bff);
    expect(numberToF16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal -> 0
    expect(numberToF16Bits(2 ** -25 + 2 ** -35)).toBe(0x0001);
    expect(numberToF16Bits(1e-10)).toBe(0);
    expect(numberToF16Bits(1e6)).toBe(0x7c00);
  });

  it('converts BF16 exactly one way and rounds to nearest even the other', () => {
    expect(widenBF16(Uint16Array.of(0x3f80, 0xc000, 0x7f80))).toEqual(Float32Array.of(1, -2, Number.POSITIVE_INFINITY));
    expect(numberToBF16Bits(1)).toBe(0x3f80);
    expect(numberToBF16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie -> even
    expect(numberToBF16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(numberToBF16Bits(Number.NaN) & 0x7fc0).toBe(0x7fc0);
    const all = new Uint16Array(65536).map((_, i) => i);
    const back = narrowToBF16(widenBF16(all));
    for (let i = 0; i < 65536; i++) {
      if ((i & 0x7f80) !== 0x7f80 || (i & 0x7f) === 0) expect(back[i]).toBe(i);
    }
  });
});
