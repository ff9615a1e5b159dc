// The common tokenizer interface (GPT-1 original BPE, character-level, byte-level BPE) and the JSON
// shapes they serialize to inside checkpoints. Engine code depends on this interface only.

export type TokenizerKind = 'gpt1' | 'char' | 'bpe';

export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Number of ids, special tokens included: the model's embedding has this many rows. */
  readonly vocabSize: number;
  /** Text to ids. Special tokens written literally in the text are recognised (exact match). */
  encode(text: string): number[];
  /** Ids to text. Throws RangeError on an id outside [0, vocabSize). */
  decode(ids: readonly number[]): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** Special tokens in id order (they follow the base vocabulary). */
  readonly specialTokens: readonly string[];
  /**
   * Appends special tokens after the vocabulary and returns their ids (a token already present keeps its id).
   * The model grows its embedding to the new vocabSize.
   */
  addSpecialTokens(tokens: readonly string[]): number[];
  toJSON(): TokenizerJson;
}

export interface Gpt1TokenizerJson {
  kind: 'gpt1';
  version: 1;
  /** Token strings in id order (ids 0..n-1). */
  vocab: string[];
  /** Merges in rank order, each 'a b'. */
  merges: string[];
  specialTokens: string[];
}

export interface CharTokenizerJson {
  kind: 'char';
  version: 1;
  /** The characters (code points) in id order; `<unk>` follows them. */
  chars: string[];
  specialTokens: string[];
}

export interface BpeTokenizerJson {
  kind: 'bpe';
  version: 1;
  /** Pre-split regex source (flags 'gu'). */
  pattern: string;
  /** Chunks longer than this many UTF-16 code units are cut; 0: never. */
  maxChunkLength: number;
  /** Merge i creates id 256 + i from the pair (merges[2i], merges[2i+1]). */
  merges: number[];
  specialTokens: string[];
}

export type TokenizerJson = Gpt1TokenizerJson | CharTokenizerJson | BpeTokenizerJson;
