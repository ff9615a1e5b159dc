// BERT basic splitting: the clean-up, CJK, case, accent and punctuation rules one at a time.
import { describe, expect, it } from 'vitest';
import { bertBasicSplit, bertNormalize } from './bert-basic.ts';

describe('bertBasicSplit', () => {
  it('lower-cases and splits off every punctuation character', () => {
    expect(bertBasicSplit("It's 3:45pm — don't   panic...")).toEqual([
      'it',
      "'",
      's',
      '3',
      ':',
      '45pm',
      '—',
      'don',
      "'",
      't',
      'panic',
      '.',
      '.',
      '.',
    ]);
  });

  it('treats the ASCII symbols $ + < = > ^ ` | ~ as punctuation, but not other symbols', () => {
    expect(bertBasicSplit('a$b+c<d=e>f^g`h|i~j')).toEqual('a $ b + c < d = e > f ^ g ` h | i ~ j'.split(' '));
    expect(bertBasicSplit('5€ 3×4 ©x 🙂y')).toEqual(['5€', '3×4', '©x', '🙂y']);
    expect(bertBasicSplit('«quoted»¿qué?')).toEqual(['«', 'quoted', '»', '¿', 'que', '?']);
  });

  it('drops NUL, U+FFFD and category C (Cc, Cf, Co, Cs, Cn) but keeps \\t \\n \\r as spaces', () => {
    expect(bertNormalize('a\u0000b\ufffdc\u0007d\u200be\u00adf\ufeffg')).toBe('abcdefg');
    expect(bertNormalize('a\ue000b\uf065c\u{10ffff}d\u0378e')).toBe('abcde'); // private use, unassigned
    expect(bertNormalize('a\tb\nc\rd')).toBe('a b c d');
    expect(bertNormalize('a\ud800b')).toBe('ab');
  });

  it('maps Zs and line/paragraph separators to spaces', () => {
    expect(bertBasicSplit('a\u00a0b\u2003c\u3000d\u2028e\u2029f')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('puts CJK ideographs in words of their own, not kana or hangul', () => {
    expect(bertBasicSplit('中文字符mixed')).toEqual(['中', '文', '字', '符', 'mixed']);
    expect(bertBasicSplit('x\u{20000}y')).toEqual(['x', '\u{20000}', 'y']);
    // kana stay one word; the dakuten of が is a combining mark (Mn) after NFD, so it goes, as in BERT
    expect(bertBasicSplit('ひらがな')).toEqual(['ひらかな']);
  });

  it('strips accents (NFD, drop Mn) after lower-casing', () => {
    expect(bertBasicSplit('naïve CAFÉ Résumé Ångström')).toEqual(['naive', 'cafe', 'resume', 'angstrom']);
    expect(bertBasicSplit('İstanbul')).toEqual(['istanbul']);
    expect(bertBasicSplit('ΣΟΦΟΣ')).toEqual(['σοφος']);
  });

  it('returns nothing for empty or blank text', () => {
    expect(bertBasicSplit('')).toEqual([]);
    expect(bertBasicSplit(' \t\n ')).toEqual([]);
  });
});
