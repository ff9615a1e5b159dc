// Byte-level BPE tokenizer (GPT-2 style) built from merges learned on the user's corpus (bpe-train.ts):
// ids 0..255 are the bytes, id 256 + r is the token made by merge r. Any text encodes (no unknowns);
// encode(decode) gives the text back exactly for every well-formed string (a lone surrogate has no UTF-8
// form and comes back as U+FFFD).
import { MergeTable, PAIR_BASE } from './bpe-merge.ts';
import { bytesToPrintable, chunksOf, DEFAULT_MAX_CHUNK_LENGTH, GPT2_SPLIT_PATTERN } from './byte-level.ts';
import { SpecialTokenTable } from './special-tokens.ts';
import type { BpeTokenizerJson, Tokenizer } from './types.ts';

export const BYTE_VOCAB_SIZE = 256;
/** Unique chunks remembered by the encode cache before it is cleared. */
const CACHE_LIMIT = 200_000;

export interface ByteBpeOptions {
  /** Pre-split regex source, compiled with flags 'gu' (default: GPT-2's). */
  pattern?: string;
  /** Longer chunks are cut (see byte-level.ts); 0 or less: never cut. */
  maxChunkLength?: number;
}

export class ByteBpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly pattern: string;
  readonly maxChunkLength: number;
  /** Flat merge pairs: merge r joins ids merges[2r] and merges[2r + 1]. */
  private readonly merges: readonly number[];
  private readonly table: MergeTable;
  private readonly bytes: Uint8Array[] = [];
  private readonly regex: RegExp;
  private readonly special: SpecialTokenTable;
  private readonly cache = new Map<string, number[]>();
  private readonly utf8 = new TextEncoder();
  private printable: Map<string, number> | undefined;

  constructor(merges: readonly number[], options: ByteBpeOptions = {}) {
    if (merges.length % 2 !== 0) throw new Error('BPE merges must come in pairs.');
    this.merges = merges.slice();
    this.pattern = options.pattern ?? GPT2_SPLIT_PATTERN;
    this.maxChunkLength = options.maxChunkLength ?? DEFAULT_MAX_CHUNK_LENGTH;
    this.regex = new RegExp(this.pattern, 'gu');
    for (let b = 0; b < BYTE_VOCAB_SIZE; b++) this.bytes.push(Uint8Array.of(b));
    const triples: [number, number, number][] = [];
    for (let r = 0; 2 * r < merges.length; r++) {
      const a = merges[2 * r]!;
      const b = merges[2 * r + 1]!;
      const product = BYTE_VOCAB_SIZE + r;
      if (product >= PAIR_BASE) throw new RangeError(`Too many merges (at most ${PAIR_BASE - BYTE_VOCAB_SIZE}).`);
      for (const id of [a, b]) {
        if (!Number.isInteger(id) || id < 0 || id >= product) {
          throw new Error(`BPE merge ${r}: id ${id} does not exist yet (ids must be below ${product}).`);
        }
      }
      const left = this.bytes[a]!;
      const right = this.bytes[b]!;
      const joined = new Uint8Array(left.length + right.length);
      joined.set(left);
      joined.set(right, left.length);
      this.bytes.push(joined);
      triples.push([a, b, product]);
    }
    this.table = new MergeTable(triples);
    this.special = new SpecialTokenTable(this.bytes.length);
  }

  static fromJSON(json: BpeTokenizerJson): ByteBpeTokenizer {
    if (json.kind !== 'bpe' || json.version !== 1) throw new Error('Not a version-1 byte-level BPE tokenizer.');
    const tokenizer = new ByteBpeTokenizer(json.merges, { pattern: json.pattern, maxChunkLength: json.maxChunkLength });
    tokenizer.addSpecialTokens(json.specialTokens);
    return tokenizer;
  }

  get vocabSize(): number {
    return this.bytes.length + this.special.size;
  }

  /** 256 bytes + one token per merge, without special tokens. */
  get baseVocabSize(): number {
    return this.bytes.length;
  }

  get mergeCount(): number {
    return this.merges.length / 2;
  }

  get specialTokens(): readonly string[] {
    return this.special.tokens;
  }

  addSpecialTokens(tokens: readonly string[]): number[] {
    return this.special.add(tokens, (token) => this.printableIds().get(token));
  }

  /** Tokens are shown in GPT-2's printable byte alphabet ('Ġthe' for ' the'). */
  tokenToId(token: string): number | undefined {
    return this.printableIds().get(token) ?? this.special.idOf(token);
  }

  idToToken(id: number): string | undefined {
    const bytes = this.bytes[id];
    return bytes !== undefined ? bytesToPrintable(bytes) : this.special.tokenOf(id);
  }

  /** The bytes of a base token (undefined for special tokens and unknown ids). */
  tokenBytes(id: number): Uint8Array | undefined {
    return this.bytes[id];
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const segment of this.special.split(text)) {
      if ('id' in segment) {
        out.push(segment.id);
        continue;
      }
      for (const chunk of chunksOf(segment.text, this.regex, this.maxChunkLength)) {
        let ids = this.cache.get(chunk);
        if (ids === undefined) {
          ids = this.table.apply(Array.from(this.utf8.encode(chunk)));
          if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
          this.cache.set(chunk, ids);
        }
        for (const id of ids) out.push(id);
      }
    }
    return out;
  }

  /** Bytes to UTF-8 text; an incomplete sequence (ids cut mid-character) decodes as U+FFFD. */
  decode(ids: readonly number[]): string {
    const decoder = new TextDecoder('utf-8');
    let out = '';
    let buffer: number[] = [];
    const flush = (): void => {
      if (buffer.length > 0) out += decoder.decode(Uint8Array.from(buffer));
      buffer = [];
    };
    for (const id of ids) {
      const bytes = this.bytes[id];
      if (bytes !== undefined) {
        for (const b of bytes) buffer.push(b);
        continue;
      }
      const token = this.special.tokenOf(id);
      if (token === undefined || !Number.isInteger(id)) {
        throw new RangeError(`Token id ${id} is outside the vocabulary (size ${this.vocabSize}).`);
      }
      flush();
      out += token;
    }
    flush();
    return out;
  }

  toJSON(): BpeTokenizerJson {
    return {
      kind: 'bpe',
      version: 1,
      pattern: this.pattern,
      maxChunkLength: this.maxChunkLength,
      merges: this.merges.slice(),
      specialTokens: this.special.tokens.slice(),
    };
  }

  private printableIds(): Map<string, number> {
    if (this.printable === undefined) {
      // Two merges can spell the same bytes ('ab' + 'c' and 'a' + 'bc'): the text names the first id.
      const map = new Map<string, number>();
      this.bytes.forEach((bytes, id) => {
        const text = bytesToPrintable(bytes);
        if (!map.has(text)) map.set(text, id);
      });
      this.printable = map;
    }
    return this.printable;
  }
}
