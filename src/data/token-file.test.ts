// Token files: exact round trips at both id widths with the ids 8-byte aligned, and a refusal naming the file for
// every damaged or foreign one (scale/gpt1lab/token_file.py mirrors these checks).
import { describe, expect, it } from 'vitest';
import { readTokenFile, TOKEN_FILE_FORMAT, type TokenFileParts, writeTokenFile } from './token-file.ts';

const SHA = 'ab'.repeat(32);

function parts(vocabSize: number, train: number[], val: number[]): TokenFileParts {
  return {
    tokenizer: { kind: 'char', sha256: SHA, vocabSize },
    train: Uint32Array.from(train),
    val: Uint32Array.from(val),
    corpus: 'corpus.txt',
    validation: 'the last 10% of corpus.txt',
  };
}

function headerLength(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
}

describe('token file', () => {
  it('round-trips 16-bit ids and names the tokenizer, vocabulary and width', () => {
    const bytes = writeTokenFile(parts(65536, [0, 1, 65535, 7], [3, 2]));
    const file = readTokenFile(bytes, 'tokens.bin');
    expect([...file.train]).toEqual([0, 1, 65535, 7]);
    expect([...file.val]).toEqual([3, 2]);
    expect(file.header).toMatchObject({ format: TOKEN_FILE_FORMAT, tokenizer: 'char', tokenizer_sha256: SHA });
    expect(file.header).toMatchObject({ vocab_size: 65536, id_bytes: 2, train_tokens: 4, val_tokens: 2 });
    expect((12 + headerLength(bytes)) % 8).toBe(0);
    expect(bytes.length).toBe(12 + headerLength(bytes) + 6 * 2);
  });

  it('widens to 32-bit ids past 65,536 tokens', () => {
    const bytes = writeTokenFile(parts(70000, [69999, 5], [65536]));
    const file = readTokenFile(bytes, 'tokens.bin');
    expect(file.header.id_bytes).toBe(4);
    expect([...file.train, ...file.val]).toEqual([69999, 5, 65536]);
  });

  it('refuses damaged and foreign files, naming the file', () => {
    const good = writeTokenFile(parts(100, [1, 2, 3, 4], [5, 6]));
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated by a byte', good.subarray(0, good.length - 1), /truncated: the header promises 6 tokens/],
      ['cut inside the header', good.subarray(0, 20), /does not fit the file/],
      ['with bytes after the ids', new Uint8Array([...good, 0, 0]), /2 bytes follow the last/],
      ['not a token file', new TextEncoder().encode('hello world, this is text'), /not a gpt1-lab token file/],
    ];
    const outside = good.slice();
    outside[outside.length - 2] = 200; // the last id, little-endian: 200 >= vocabulary 100
    cases.push(['with an id outside the vocabulary', outside, /token 5 is id 200, outside the vocabulary of 100/]);
    for (const [what, bytes, message] of cases) {
      expect(() => readTokenFile(bytes, '/data/tokens.bin'), what).toThrow(/^\/data\/tokens\.bin: /);
      expect(() => readTokenFile(bytes, '/data/tokens.bin'), what).toThrow(message);
    }
  });

  it('refuses to write an id outside the vocabulary', () => {
    expect(() => writeTokenFile(parts(10, [1, 10], [2]))).toThrow(/id 10 is outside the vocabulary of 10/);
  });
});
