// Special-token ids after the base vocabulary and splitting text at literal special tokens.
import { describe, expect, it } from 'vitest';
import { SpecialTokenTable } from './special-tokens.ts';

describe('SpecialTokenTable', () => {
  it('numbers new tokens after the base vocabulary and keeps existing ids', () => {
    const table = new SpecialTokenTable(10);
    expect(table.add(['<a>', '<b>'], () => undefined)).toEqual([10, 11]);
    expect(table.add(['<b>', '<c>'], () => undefined)).toEqual([11, 12]);
    expect(table.tokens).toEqual(['<a>', '<b>', '<c>']);
    expect(table.tokenOf(12)).toBe('<c>');
    expect(table.tokenOf(9)).toBeUndefined();
    expect(table.has(10)).toBe(true);
    expect(table.has(13)).toBe(false);
    expect(() => table.add([''], () => undefined)).toThrow(/empty/);
    expect(() => table.add(['x'], () => 3)).toThrow(/already in the base vocabulary/);
  });

  it('splits text at special tokens, longest first, with regex characters escaped', () => {
    const table = new SpecialTokenTable(0);
    table.add(['<s>', '<s>>', '[.*]'], () => undefined);
    expect(table.split('a<s>>b<s>[.*]c')).toEqual([
      { text: 'a' },
      { id: 1 },
      { text: 'b' },
      { id: 0 },
      { id: 2 },
      { text: 'c' },
    ]);
    expect(table.split('plain')).toEqual([{ text: 'plain' }]);
    expect(new SpecialTokenTable(0).split('x')).toEqual([{ text: 'x' }]);
  });
});
