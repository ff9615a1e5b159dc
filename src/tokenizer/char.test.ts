// Character tokenizer: sorted code points, exact round trip, <unk> for unseen characters, JSON.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CharTokenizer } from './char.ts';
import { tokenizerFromJSON } from './from-json.ts';

const shakespeare = readFileSync(path.resolve('../shared/data/pretrain/tinyshakespeare.txt'), 'utf8');

describe('CharTokenizer', () => {
  it('has the 65 characters of tinyshakespeare in code point order, then <unk>', () => {
    const t = CharTokenizer.fromCorpus(shakespeare);
    expect(t.vocabSize).toBe(66);
    expect(t.idToToken(0)).toBe('\n');
    expect(t.idToToken(1)).toBe(' ');
    expect(t.idToToken(64)).toBe('z');
    expect(t.idToToken(65)).toBe('<unk>');
    expect(t.tokenToId('<unk>')).toBe(65);
    expect(t.decode(t.encode(shakespeare))).toBe(shakespeare);
  });

  it('sorts by code point, not UTF-16 unit, and keeps astral characters whole', () => {
    const t = CharTokenizer.fromCorpus('b\uffff🙂a');
    expect([0, 1, 2, 3].map((id) => t.idToToken(id))).toEqual(['a', 'b', '\uffff', '🙂']);
    expect(t.encode('🙂a')).toEqual([3, 0]);
  });

  it('maps unseen characters to <unk>, which decodes to U+FFFD', () => {
    const t = CharTokenizer.fromCorpus('abc');
    expect(t.encode('abxc')).toEqual([0, 1, 3, 2]);
    expect(t.decode(t.encode('abxc'))).toBe('ab\ufffdc');
    expect(() => t.decode([4])).toThrow(RangeError);
  });

  it('round-trips any text made of its characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const t = CharTokenizer.fromCorpus(text);
        expect(t.decode(t.encode(text))).toBe(text);
      }),
    );
  });

  it('adds special tokens after <unk> and survives JSON', () => {
    const t = CharTokenizer.fromCorpus('hello world');
    expect(t.addSpecialTokens(['_start_', '_classify_'])).toEqual([9, 10]);
    const ids = t.encode('_start_hello_classify_');
    expect(ids[0]).toBe(9);
    expect(ids.at(-1)).toBe(10);
    const copy = tokenizerFromJSON(JSON.parse(JSON.stringify(t.toJSON())));
    expect(copy.kind).toBe('char');
    expect(copy.vocabSize).toBe(11);
    expect(copy.encode('_start_hello_classify_')).toEqual(ids);
    expect(copy.decode(ids)).toBe('_start_hello_classify_');
  });

  it('rejects a bad character list', () => {
    expect(() => new CharTokenizer(['a', 'a'])).toThrow(/twice/);
    expect(() => new CharTokenizer(['ab'])).toThrow(/not one code point/);
    expect(() => tokenizerFromJSON({ kind: 'nope' })).toThrow(/Unknown tokenizer kind/);
    expect(() => tokenizerFromJSON(null)).toThrow(/expected a JSON object/);
    expect(() => tokenizerFromJSON({ kind: 'char', version: 2 })).toThrow(/unsupported version 2/);
    expect(() => tokenizerFromJSON({ kind: 'char', version: 1, chars: ['a', 3], specialTokens: [] })).toThrow(
      /chars\[1\] must be a string/,
    );
    expect(() => tokenizerFromJSON({ kind: 'bpe', version: 1, merges: [], specialTokens: [] })).toThrow(/pattern/);
    expect(() => tokenizerFromJSON({ kind: 'gpt1', version: 1, vocab: 'x', merges: [], specialTokens: [] })).toThrow(
      /"vocab" must be an array/,
    );
  });
});
