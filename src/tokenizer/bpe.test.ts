// Byte-level BPE tokenizer: any text round-trips, chunks are cut safely, special tokens, JSON.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteBpeTokenizer } from './bpe.ts';
import { trainBpeSync } from './bpe-train.ts';
import { BYTE_TO_CHAR, chunksOf, GPT2_SPLIT_PATTERN } from './byte-level.ts';
import { tokenizerFromJSON } from './from-json.ts';

const shakespeare = readFileSync(path.resolve('../shared/data/pretrain/tinyshakespeare.txt'), 'utf8');
const trained = trainBpeSync(shakespeare.slice(0, 200_000), { vocabSize: 600 });

describe('ByteBpeTokenizer', () => {
  it('encodes bytes only with no merges, and decodes any text back', () => {
    const bytes = new ByteBpeTokenizer([]);
    expect(bytes.vocabSize).toBe(256);
    expect(bytes.encode('hé🙂')).toEqual([104, 0xc3, 0xa9, 0xf0, 0x9f, 0x99, 0x82]);
    expect(bytes.decode(bytes.encode('hé🙂'))).toBe('hé🙂');
  });

  it('round-trips random unicode strings exactly (valid strings: no lone surrogates)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(trained.decode(trained.encode(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (text) => {
        expect(trained.decode(trained.encode(text))).toBe(text);
      }),
    );
  });

  it('turns a lone surrogate into U+FFFD and an id sequence cut mid-character into U+FFFD', () => {
    expect(trained.decode(trained.encode('a\ud800b'))).toBe('a\ufffdb');
    const ids = trained.encode('🙂');
    expect(trained.decode(ids.slice(0, -1))).toContain('\ufffd');
    expect(() => trained.decode([trained.vocabSize])).toThrow(RangeError);
  });

  it('cuts long chunks without splitting surrogate pairs, and still round-trips', () => {
    const long = `${'中'.repeat(50)}${'🙂'.repeat(40)}`;
    const chunks = [...chunksOf(long, new RegExp(GPT2_SPLIT_PATTERN, 'gu'), 64)];
    expect(chunks.join('')).toBe(long);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThanOrEqual(64);
    for (const chunk of chunks) expect(chunk).not.toMatch(/\p{Cs}/u); // no half of a surrogate pair
    expect(trained.decode(trained.encode(long))).toBe(long);
    expect([...chunksOf('abcdef', /\w+/gu, 0)]).toEqual(['abcdef']);
  });

  it('shows tokens in the GPT-2 printable alphabet and finds them back', () => {
    expect(BYTE_TO_CHAR[32]).toBe('Ġ');
    expect(BYTE_TO_CHAR[10]).toBe('Ċ');
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    const ids = trained.encode(' the');
    expect(ids).toHaveLength(1);
    expect(trained.idToToken(ids[0]!)).toBe('Ġthe');
    expect(trained.tokenToId('Ġthe')).toBe(ids[0]);
    expect(new TextDecoder().decode(trained.tokenBytes(ids[0]!))).toBe(' the');
  });

  it('adds special tokens after the merges, recognises them in text and survives JSON', () => {
    const t = ByteBpeTokenizer.fromJSON(trained.toJSON());
    expect(t.addSpecialTokens(['<|start|>', '<|sep|>'])).toEqual([600, 601]);
    const ids = t.encode('<|start|>First Citizen<|sep|>');
    expect(ids[0]).toBe(600);
    expect(ids.at(-1)).toBe(601);
    expect(t.decode(ids)).toBe('<|start|>First Citizen<|sep|>');
    const copy = tokenizerFromJSON(JSON.parse(JSON.stringify(t.toJSON())));
    expect(copy.kind).toBe('bpe');
    expect(copy.vocabSize).toBe(602);
    expect(copy.encode(shakespeare.slice(0, 5000))).toEqual(t.encode(shakespeare.slice(0, 5000)));
    expect(() => t.addSpecialTokens(['Ġthe'])).toThrow(/already in the base vocabulary/);
  });

  it('rejects merges that use ids not made yet', () => {
    expect(() => new ByteBpeTokenizer([97, 256])).toThrow(/does not exist yet/);
    expect(() => new ByteBpeTokenizer([97])).toThrow(/pairs/);
  });
});
