// Preparing the tokenizer a run will use, from the loaded corpus: char, byte-level BPE trained on the
// corpus (with progress, abortable) or GPT-1's original BPE from files the user supplies (not shipped with
// the app), or an imported model's own, whose weights the run then starts from (pre-training it further on
// this corpus). Encodes the whole corpus once and describes the result for the UI.
import { trainBpe } from '../../tokenizer/bpe-train.ts';
import { CharTokenizer } from '../../tokenizer/char.ts';
import type { TokenizerChoice } from '../../tokenizer/choose.ts';
import { tokenizerFromJSON } from '../../tokenizer/from-json.ts';
import { gpt1TokenizerFromFiles } from '../../tokenizer/gpt1-files.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import type { PretrainedModel } from '../../train/finetune-prepare.ts';
import type { PretrainTokenizerChoice, TokenizerStats } from '../protocol.ts';
import { pieceText } from '../token-pieces.ts';

export const GPT1_FILES_NEEDED =
  'The GPT-1 tokenizer needs its files, which the app does not ship: add encoder_bpe_40000.json and ' +
  'vocab_40000.bpe (OpenAI), or vocab.json and merges.txt (Hugging Face openai-gpt).';

/** Largest BPE vocabulary trained in the browser. */
const MAX_BPE_VOCAB = 65_536;
const SAMPLE_CHARS = 120;

export interface PreparedTokenizer {
  tokenizer: Tokenizer;
  /** The whole corpus, encoded. */
  ids: Uint32Array;
  stats: TokenizerStats;
  /** The model whose tokenizer this is, when the run starts from its weights (choice 'model'). */
  model?: PretrainedModel;
}

export const NO_IMPORTED_MODEL =
  'Import a model first (a task tab\'s "Imported checkpoint"): its tokenizer and weights are what this choice uses.';

export interface PrepareOptions {
  files?: readonly { name: string; text: string }[];
  /** The imported model, for choice 'model'. */
  model?: PretrainedModel;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

async function build(choice: TokenizerChoice, corpus: string, options: PrepareOptions): Promise<Tokenizer> {
  switch (choice.kind) {
    case 'char':
      return CharTokenizer.fromCorpus(corpus);
    case 'bpe': {
      const { vocabSize } = choice;
      if (!Number.isInteger(vocabSize) || vocabSize < 257 || vocabSize > MAX_BPE_VOCAB) {
        throw new Error(`A BPE vocabulary must have 257 to ${MAX_BPE_VOCAB} tokens (got ${vocabSize}).`);
      }
      return trainBpe(corpus, { vocabSize, onProgress: options.onProgress, signal: options.signal });
    }
    case 'gpt1': {
      if (!options.files?.length) throw new Error(GPT1_FILES_NEEDED);
      return gpt1TokenizerFromFiles(new Map(options.files.map((f) => [f.name, f.text])));
    }
  }
}

/** The first non-empty line (up to SAMPLE_CHARS characters) as the model sees it. */
function sampleOf(tokenizer: Tokenizer, corpus: string): TokenizerStats['sample'] {
  const line = corpus.split('\n').find((l) => l.trim().length > 0) ?? corpus;
  const text = [...line].slice(0, SAMPLE_CHARS).join('');
  return { text, pieces: tokenizer.encode(text).map((id) => pieceText(tokenizer, id)) };
}

export function tokenizerStats(tokenizer: Tokenizer, corpus: string, ids: Uint32Array, chars: number): TokenizerStats {
  return {
    kind: tokenizer.kind,
    vocabSize: tokenizer.vocabSize,
    tokens: ids.length,
    charsPerToken: ids.length ? chars / ids.length : 0,
    sample: sampleOf(tokenizer, corpus),
  };
}

export async function prepareTokenizer(
  choice: PretrainTokenizerChoice,
  corpus: { text: string; chars: number },
  options: PrepareOptions = {},
): Promise<PreparedTokenizer> {
  const { model } = options;
  if (choice.kind === 'model' && !model) throw new Error(NO_IMPORTED_MODEL);
  // A copy of the model's: the run's tokenizer must not share state with the fine-tuning source's.
  const own = model?.tokenizer;
  const tokenizer =
    choice.kind !== 'model'
      ? await build(choice, corpus.text, options)
      : tokenizerFromJSON(own && 'toJSON' in own ? own.toJSON() : own!);
  options.signal?.throwIfAborted();
  const ids = Uint32Array.from(tokenizer.encode(corpus.text));
  const stats = tokenizerStats(tokenizer, corpus.text, ids, corpus.chars);
  if (choice.kind !== 'model') return { tokenizer, ids, stats };
  const { config, name } = model!;
  const shape = { nLayer: config.nLayer, nEmbd: config.nEmbd, nHead: config.nHead, nPositions: config.nPositions };
  return { tokenizer, ids, stats: { ...stats, model: { name: name ?? 'the imported model', ...shape } }, model };
}
