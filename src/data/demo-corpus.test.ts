// The demo corpus: deterministic, in the size range, plain ASCII prose that readCorpus accepts.
import { describe, expect, it } from 'vitest';
import { readCorpus } from './corpus.ts';
import { DEMO_CORPUS_NAME, demoCorpusBytes, demoCorpusText } from './demo-corpus.ts';

/** FNV-1a over the text: a stable fingerprint, so any change to the grammar or the generator is seen. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

describe('demo corpus', () => {
  it('is deterministic, 150-300 KB, ASCII, and valid for readCorpus', () => {
    const text = demoCorpusText();
    expect(demoCorpusText()).toBe(text);
    const bytes = demoCorpusBytes();
    expect(bytes.length).toBe(text.length); // ASCII: one byte per character
    expect(bytes.length).toBeGreaterThanOrEqual(150_000);
    expect(bytes.length).toBeLessThanOrEqual(300_000);
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
    const corpus = readCorpus(DEMO_CORPUS_NAME, bytes);
    expect(corpus.text).toBe(text);
    expect(corpus.distinctChars).toBeLessThan(80);
    expect(corpus.lines).toBeGreaterThan(1000);
    // Pinned: the demo's text is part of the app's behaviour (saved runs store their own copy, though).
    expect(fnv1a(text).toString(16)).toBe('8bc3cf22');
  });

  it('reads as prose with recurring characters', () => {
    const text = demoCorpusText();
    expect(text.startsWith('The Lab Notebook of Ada, Bruno, Clara, Dev and Elena\n')).toBe(true);
    for (const name of ['Ada', 'Bruno', 'Clara', 'Dev', 'Elena', 'Pixel']) {
      expect(text.split(name).length - 1, name).toBeGreaterThan(200);
    }
    expect(text).toMatch(/\nDay 1\. /);
    expect(text).toMatch(/\nStory 1\.\n/);
    expect(text).not.toMatch(/[{}]/); // every grammar slot was filled
  });
});
