// Public surface of the tokenizer layer (browser, Web Worker and Node alike; the Node-only folder loader
// is imported from './gpt1-node.ts' directly).
export { BYTE_VOCAB_SIZE, type ByteBpeOptions, ByteBpeTokenizer } from './bpe.ts';
export { type BpeTrainOptions, trainBpe, trainBpeSync } from './bpe-train.ts';
export { CHAR_UNK, CharTokenizer } from './char.ts';
export { checkTokenizerJson, tokenizerFromJSON } from './from-json.ts';
export { END_OF_WORD, GPT1_FINETUNE_TOKENS, GPT1_UNK, Gpt1Tokenizer } from './gpt1.ts';
export { GPT1_TOKENIZER_FILE_NAMES, gpt1TokenizerFromFiles, parseGpt1Merges, parseGpt1Vocab } from './gpt1-files.ts';
export type {
  BpeTokenizerJson,
  CharTokenizerJson,
  Gpt1TokenizerJson,
  Tokenizer,
  TokenizerJson,
  TokenizerKind,
} from './types.ts';
