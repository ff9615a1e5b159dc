// The tokenizers run unchanged in Chromium: Unicode property escapes, TextEncoder/TextDecoder, the async
// trainer's event-loop hand-back and AbortSignal (no file access here, so the corpora are inline).
import { describe, expect, it } from 'vitest';
import { trainBpe } from './bpe-train.ts';
import { CharTokenizer } from './char.ts';
import { tokenizerFromJSON } from './from-json.ts';
import { Gpt1Tokenizer } from './gpt1.ts';

const corpus = 'First Citizen:\nBefore we proceed any further, hear me speak.\nAll:\nSpeak, speak.\n'.repeat(200);

describe('tokenizers in the browser', () => {
  it('trains byte-level BPE, round-trips unicode, and serializes', async () => {
    const progress: number[] = [];
    const t = await trainBpe(corpus, { vocabSize: 300, onProgress: (merged) => progress.push(merged) });
    expect(t.vocabSize).toBe(300);
    expect(progress.at(-1)).toBe(44);
    const text = 'naïve café — 中文 🙂 speak!';
    expect(t.decode(t.encode(text))).toBe(text);
    expect(tokenizerFromJSON(t.toJSON()).encode(corpus)).toEqual(t.encode(corpus));
    const controller = new AbortController();
    controller.abort();
    await expect(trainBpe(corpus, { vocabSize: 300, signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('runs the character tokenizer and the GPT-1 text rules', () => {
    const c = CharTokenizer.fromCorpus(corpus);
    expect(c.decode(c.encode(corpus))).toBe(corpus);
    const g = new Gpt1Tokenizer(['<unk>', 'a', 'b', 'e', 'a</w>', 'b</w>', 'e</w>', 'ab</w>', 'ca</w>'], ['a b</w>']);
    expect(g.encodeDetailed('AB, Café!').tokens).toEqual(['ab</w>', ',</w>', 'c', 'a', 'f', 'e</w>', '!</w>']);
    expect(g.encode('AB, Café!')).toEqual([7, 0, 0, 1, 0, 6, 0]);
  });
});
