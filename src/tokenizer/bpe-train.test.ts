// Byte-level BPE training: the classic hand-checked example, agreement with a naive trainer that
// recounts every pair before each merge, exact vocabulary size, determinism, progress and cancellation.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairKey } from './bpe-merge.ts';
import { trainBpe, trainBpeSync } from './bpe-train.ts';
import { chunksOf, GPT2_SPLIT_PATTERN } from './byte-level.ts';

const shakespeare = readFileSync(path.resolve('../shared/data/pretrain/tinyshakespeare.txt'), 'utf8');

/** Reference trainer: recount all pairs before every merge; highest count, then lowest (a, b). */
function naiveMerges(corpus: string, vocabSize: number, minPairCount: number): number[] {
  const counts = new Map<string, number>();
  for (const chunk of chunksOf(corpus, new RegExp(GPT2_SPLIT_PATTERN, 'gu'), 64)) {
    counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
  }
  const words = [...counts].map(([chunk, f]) => ({ symbols: Array.from(new TextEncoder().encode(chunk)), f }));
  const merges: number[] = [];
  for (let id = 256; id < vocabSize; id++) {
    const pairs = new Map<number, number>();
    for (const { symbols, f } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const k = pairKey(symbols[i]!, symbols[i + 1]!);
        pairs.set(k, (pairs.get(k) ?? 0) + f);
      }
    }
    let best = -1;
    let bestCount = 0;
    for (const [k, c] of pairs) if (c > bestCount || (c === bestCount && k < best)) [best, bestCount] = [k, c];
    if (best < 0 || bestCount < minPairCount) break;
    const a = Math.floor(best / 2 ** 21);
    const b = best - a * 2 ** 21;
    merges.push(a, b);
    for (const word of words) {
      const out: number[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (word.symbols[i] === a && word.symbols[i + 1] === b && i + 1 < word.symbols.length) {
          out.push(id);
          i++;
        } else out.push(word.symbols[i]!);
      }
      word.symbols = out;
    }
  }
  return merges;
}

const a = 97;
const b = 98;

describe('trainBpe', () => {
  it("learns the classic 'aaabdaaabac' merges: aa, then ab (tie with (aa, a) broken by lower ids), then aa+ab", () => {
    const t = trainBpeSync('aaabdaaabac', { vocabSize: 300 });
    expect(t.toJSON().merges).toEqual([a, a, a, b, 256, 257]);
    expect(t.vocabSize).toBe(259); // every remaining pair occurs once: fewer than the 300 asked for
    expect(t.idToToken(258)).toBe('aaab');
    expect(t.encode('aaabdaaabac')).toEqual([258, 100, 258, 97, 99]);
    const all = trainBpeSync('aaabdaaabac', { vocabSize: 300, minPairCount: 1 });
    expect(all.vocabSize).toBe(263); // with single pairs allowed it stops when the word is one token
    expect(all.encode('aaabdaaabac')).toEqual([262]);
  });

  it('agrees with a naive full-recount trainer on random corpora', () => {
    const alphabet = ['a', 'b', 'c', ' ', 'ab', 'é', '\n', "'s", '1', '!', '🙂'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...alphabet), { maxLength: 300 }).map((parts) => parts.join('')),
        fc.integer({ min: 256, max: 330 }),
        fc.integer({ min: 1, max: 3 }),
        (corpus, vocabSize, minPairCount) => {
          const t = trainBpeSync(corpus, { vocabSize, minPairCount });
          expect(t.toJSON().merges).toEqual(naiveMerges(corpus, vocabSize, minPairCount));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agrees with the naive trainer on the first 20,000 characters of tinyshakespeare', () => {
    const corpus = shakespeare.slice(0, 20_000);
    expect(trainBpeSync(corpus, { vocabSize: 400 }).toJSON().merges).toEqual(naiveMerges(corpus, 400, 2));
  });

  it('reaches exactly the requested size on tinyshakespeare, deterministically, and round-trips it', async () => {
    const progress: [number, number][] = [];
    const t = await trainBpe(shakespeare, { vocabSize: 1000, onProgress: (m, total) => progress.push([m, total]) });
    expect(t.vocabSize).toBe(1000);
    expect(t.mergeCount).toBe(744);
    expect(progress[0]).toEqual([0, 744]);
    expect(progress.at(-1)).toEqual([744, 744]);
    expect(progress.length).toBeLessThan(300);
    const again = trainBpeSync(shakespeare, { vocabSize: 1000 });
    expect(again.toJSON()).toEqual(t.toJSON());
    const ids = t.encode(shakespeare);
    expect(ids.length).toBeLessThan(shakespeare.length / 2);
    expect(t.decode(ids)).toBe(shakespeare);
  });

  it('stops with the signal: before starting and while running', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(trainBpe(shakespeare, { vocabSize: 1000, signal: controller.signal })).rejects.toThrow('stop');
    expect(() => trainBpeSync('abc', { vocabSize: 300, signal: controller.signal })).toThrow('stop');

    const running = new AbortController();
    const done = trainBpe(shakespeare.repeat(2), {
      vocabSize: 5000,
      minPairCount: 1,
      signal: running.signal,
      onProgress: (merged) => {
        if (merged > 0) running.abort();
      },
    });
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects impossible sizes', () => {
    expect(() => trainBpeSync('abc', { vocabSize: 255 })).toThrow(RangeError);
    expect(() => trainBpeSync('abc', { vocabSize: 300.5 })).toThrow(RangeError);
    expect(trainBpeSync('', { vocabSize: 256 }).vocabSize).toBe(256);
  });
});
