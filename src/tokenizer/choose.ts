// Building the tokenizer a run asks for: "char", "bpe:N" (trained on the corpus) or "gpt1" (the original
// files, given as a name -> text map so this works in the browser and in Node alike).
import { trainBpe } from './bpe-train.ts';
import { CharTokenizer } from './char.ts';
import { gpt1TokenizerFromFiles } from './gpt1-files.ts';
import type { Tokenizer } from './types.ts';

export type TokenizerChoice = { kind: 'char' } | { kind: 'bpe'; vocabSize: number } | { kind: 'gpt1' };

/** Parses "char", "bpe:N" or "gpt1" (the CLI's gpt1:DIR passes its directory separately). */
export function parseTokenizerChoice(text: string): TokenizerChoice {
  if (text === 'char') return { kind: 'char' };
  if (text === 'gpt1' || text.startsWith('gpt1:')) return { kind: 'gpt1' };
  const bpe = /^bpe:(\d+)$/.exec(text);
  if (bpe) return { kind: 'bpe', vocabSize: Number(bpe[1]) };
  throw new Error(`unknown tokenizer "${text}": use char, bpe:N (e.g. bpe:4096) or gpt1:DIR`);
}

export async function buildTokenizer(
  choice: TokenizerChoice,
  corpus: string,
  options: { gpt1Files?: ReadonlyMap<string, string>; onProgress?: (done: number, total: number) => void } = {},
): Promise<Tokenizer> {
  switch (choice.kind) {
    case 'char':
      return CharTokenizer.fromCorpus(corpus);
    case 'bpe':
      return trainBpe(corpus, { vocabSize: choice.vocabSize, onProgress: options.onProgress });
    case 'gpt1':
      if (!options.gpt1Files) throw new Error('the gpt1 tokenizer needs its vocabulary and merges files');
      return gpt1TokenizerFromFiles(options.gpt1Files);
  }
}
