// Corpus reading: the real tiny-shakespeare file, and every kind of bad input with its message.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorpusError, readCorpus } from './corpus.ts';
import { findUtf8Problem } from './utf8.ts';

const SHAKESPEARE = resolve('../shared/data/pretrain/tinyshakespeare.txt');
const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (s: string) => new TextEncoder().encode(s);

function errorOf(f: () => unknown): CorpusError {
  try {
    f();
  } catch (error) {
    if (error instanceof CorpusError) return error;
    throw error;
  }
  throw new Error('expected a CorpusError');
}

describe('readCorpus', () => {
  it('reads tiny shakespeare with its published size', () => {
    const corpus = readCorpus('tinyshakespeare.txt', readFileSync(SHAKESPEARE));
    expect(corpus.chars).toBe(1_115_394);
    expect(corpus.lines).toBe(40_000);
    expect(corpus.distinctChars).toBe(65);
    expect(corpus.text.startsWith('First Citizen:')).toBe(true);
  });

  it('strips a BOM and normalises CRLF and CR line endings', () => {
    const corpus = readCorpus('x.txt', utf8('\ufeffline one\r\nline two\rline three\n'));
    expect(corpus.text).toBe('line one\nline two\nline three\n');
    expect(corpus.lines).toBe(3);
  });

  it('refuses empty, oversized, binary, invalid and too-short input with what and where', () => {
    expect(errorOf(() => readCorpus('a.txt', new Uint8Array(0))).code).toBe('empty');
    const big = errorOf(() => readCorpus('big.txt', new Uint8Array(3 * 2 ** 20), { maxBytes: 2 ** 20 }));
    expect(big.code).toBe('too-large');
    expect(big.message).toMatch(/big\.txt is 3\.0 MiB; the limit is 1 MiB/);
    const binary = errorOf(() => readCorpus('model.bin', bytes(0x50, 0x4b, 3, 4, 0, 0, 65, 66)));
    expect(binary.message).toMatch(/model\.bin looks binary \(a NUL byte at offset 4\)/);
    const latin1 = new Uint8Array([...utf8('hello there\nsecond line caf'), 0xe9, ...utf8(' au lait')]);
    const bad = errorOf(() => readCorpus('latin1.txt', latin1));
    expect(bad.code).toBe('invalid-utf8');
    expect(bad.message).toMatch(/latin1\.txt is not valid UTF-8 at byte 27 \(line 2\)/);
    expect(errorOf(() => readCorpus('s.txt', utf8('short'))).code).toBe('too-short');
  });
});

describe('findUtf8Problem', () => {
  it('agrees with TextDecoder in fatal mode on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(data);
        } catch {
          valid = false;
        }
        expect(findUtf8Problem(data) === undefined).toBe(valid);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts every valid string and names overlong, surrogate and truncated sequences', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => findUtf8Problem(utf8(s)) === undefined));
    expect(findUtf8Problem(bytes(0xc0, 0x80))?.reason).toMatch(/cannot start/);
    expect(findUtf8Problem(bytes(0xe0, 0x80, 0x80))?.reason).toBe('overlong encoding');
    expect(findUtf8Problem(bytes(0xed, 0xa0, 0x80))?.reason).toBe('encoded UTF-16 surrogate');
    expect(findUtf8Problem(bytes(0x41, 0xe2, 0x82))).toEqual({
      offset: 1,
      line: 1,
      reason: 'the file ends inside a multi-byte character',
    });
  });
});
