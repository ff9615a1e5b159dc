// The heap merger agrees with the reference loop (on GPT-1's merges and on random tables), and the
// reference loop merges overlapping pairs left to right.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MergeTable, mergeReference, mergeWithHeap } from './bpe-merge.ts';
import { parseGpt1Merges, parseGpt1Vocab } from './gpt1-files.ts';

describe('MergeTable', () => {
  it('merges overlapping occurrences left to right', () => {
    const table = new MergeTable([[0, 0, 1]]);
    expect(mergeReference([0, 0, 0], table)).toEqual([1, 0]);
    expect(mergeWithHeap([0, 0, 0], table)).toEqual([1, 0]);
    expect(mergeWithHeap([], table)).toEqual([]);
    expect(mergeWithHeap([0], table)).toEqual([0]);
  });

  it('never merges negative (out-of-vocabulary) symbols', () => {
    const table = new MergeTable([[0, 1, 2]]);
    expect(table.apply([0, -5, 1, 0, 1])).toEqual([0, -5, 1, 2]);
  });

  it('flags tables where the heap order could differ', () => {
    expect(
      new MergeTable([
        [0, 1, 2],
        [2, 3, 4],
      ]).heapSafe,
    ).toBe(true);
    expect(
      new MergeTable([
        [2, 3, 4],
        [0, 1, 2],
      ]).heapSafe,
    ).toBe(false); // 2 used before it is made
    expect(
      new MergeTable([
        [0, 1, 2],
        [1, 0, 2],
      ]).heapSafe,
    ).toBe(false); // 2 made twice
  });

  it('heap and reference agree on GPT-1 merges for random long words', () => {
    const dir = path.resolve('../shared/data/gpt1-tokenizer');
    const vocab = parseGpt1Vocab(readFileSync(path.join(dir, 'encoder_bpe_40000.json'), 'utf8'));
    const ids = new Map(vocab.map((token, id) => [token, id]));
    const merges = parseGpt1Merges(readFileSync(path.join(dir, 'vocab_40000.bpe'), 'utf8'));
    const table = new MergeTable(
      merges.map((m): [number, number, number] => {
        const [a, b] = m.split(' ') as [string, string];
        return [ids.get(a)!, ids.get(b)!, ids.get(a + b)!];
      }),
    );
    expect(table.heapSafe).toBe(true);
    const letters = 'etaoinshrdlucmfwypvbgkjqxz';
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...letters), minLength: 1, maxLength: 300 }), (word) => {
        const chars = Array.from(word);
        const symbols = chars.map((c, i) => ids.get(i === chars.length - 1 ? `${c}</w>` : c)!);
        expect(mergeWithHeap(symbols, table)).toEqual(mergeReference(symbols, table));
      }),
      { numRuns: 300 },
    );
  });

  it('heap and reference agree on random well-formed tables', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 200 }),
        (pairs, symbols) => {
          // merge r may use the 4 base symbols and the products of earlier merges (ids 4..4+r-1)
          const triples = pairs.map(([x, y], r): [number, number, number] => [x % (4 + r), y % (4 + r), 4 + r]);
          const table = new MergeTable(triples);
          if (!table.heapSafe) return; // a repeated pair
          expect(mergeWithHeap(symbols, table)).toEqual(mergeReference(symbols, table));
        },
      ),
      { numRuns: 500 },
    );
  });
});
