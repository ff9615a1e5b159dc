// The --tokenizer option shared by the pretrain and finetune commands: char | bpe:N (trained on the given
// text) | gpt1:DIR (the original files from a folder).
import { buildTokenizer, parseTokenizerChoice } from '../tokenizer/choose.ts';
import { loadGpt1TokenizerFromDir } from '../tokenizer/gpt1-node.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { UsageError } from './args.ts';
import { progress } from './progress.ts';

export async function tokenizerFromOption(spec: string, corpus: string): Promise<Tokenizer> {
  const choice = parseTokenizerChoice(spec);
  if (choice.kind === 'gpt1') {
    const dir = spec.slice('gpt1:'.length);
    if (!dir) throw new UsageError('--tokenizer gpt1 needs a folder: gpt1:DIR');
    return loadGpt1TokenizerFromDir(dir);
  }
  return buildTokenizer(choice, corpus, {
    onProgress: (done, total) => done === total && progress(`BPE: ${total} merges`),
  });
}
