// The original GPT-1 tokenizer (40,478 BPE tokens, `</w>` on the last piece of a word), fast-path rules:
// BERT basic splitting (bert-basic.ts), then BPE per word with the 40,000 ranked merges. Matches the
// fixture made with OpenAI's vocabulary and merges, tokens and ids, on all of its texts.
//
// Out-of-vocabulary symbols: GPT-1's vocabulary covers 239 characters; any other character (an emoji,
// a CJK ideograph, "—", curly quotes) stays a lone symbol that no merge touches, and the fixture gives it
// id null. Decision: such a token becomes the id of `<unk>` when the vocabulary has one (GPT-1: id 0,
// exactly what OpenAI's text_utils.py does with `encoder.get(t, 0)` and what Hugging Face's fast tokenizer
// does with unk_token "<unk>"), and is dropped when it has none. `encodeDetailed` keeps the null ids.
import { bertBasicSplit } from './bert-basic.ts';
import { MergeTable } from './bpe-merge.ts';
import { SpecialTokenTable } from './special-tokens.ts';
import type { Gpt1TokenizerJson, Tokenizer } from './types.ts';

export const END_OF_WORD = '</w>';
export const GPT1_UNK = '<unk>';
/** The special tokens GPT-1 fine-tuning adds (ids 40478, 40479, 40480 after the original vocabulary). */
export const GPT1_FINETUNE_TOKENS = ['_start_', '_delimiter_', '_classify_'] as const;

/** Unique words remembered by the per-word BPE cache before it is cleared. */
const CACHE_LIMIT = 200_000;

export class Gpt1Tokenizer implements Tokenizer {
  readonly kind = 'gpt1' as const;
  /** Id of `<unk>`, which out-of-vocabulary symbols become; undefined: they are dropped. */
  readonly unkId: number | undefined;
  private readonly vocab: readonly string[];
  private readonly ids = new Map<string, number>();
  private readonly merges: readonly string[];
  private readonly table: MergeTable;
  private readonly special: SpecialTokenTable;
  /**
   * word -> symbol ids after BPE; a symbol outside the vocabulary is stored as -(2 * code point + end + 1),
   * end = 1 when it carries `</w>`, so that its token text can be rebuilt.
   */
  private readonly cache = new Map<string, number[]>();

  /** `vocab[id]` is the token of id; `merges` in rank order, each 'a b' (both parts and a+b in vocab). */
  constructor(vocab: readonly string[], merges: readonly string[]) {
    this.vocab = vocab.slice();
    this.vocab.forEach((token, id) => {
      if (this.ids.has(token)) throw new Error(`GPT-1 vocabulary: token ${JSON.stringify(token)} appears twice.`);
      this.ids.set(token, id);
    });
    this.merges = merges.slice();
    const triples = this.merges.map((merge, rank): [number, number, number] => {
      const parts = merge.split(' ');
      const a = parts.length === 2 ? this.ids.get(parts[0]!) : undefined;
      const b = parts.length === 2 ? this.ids.get(parts[1]!) : undefined;
      const product = parts.length === 2 ? this.ids.get(parts[0]! + parts[1]!) : undefined;
      if (a === undefined || b === undefined || product === undefined) {
        throw new Error(
          `GPT-1 merge ${rank + 1} (${JSON.stringify(merge)}): a part or the result is not in the vocabulary.`,
        );
      }
      return [a, b, product];
    });
    this.table = new MergeTable(triples);
    this.unkId = this.ids.get(GPT1_UNK);
    this.special = new SpecialTokenTable(this.vocab.length);
  }

  static fromJSON(json: Gpt1TokenizerJson): Gpt1Tokenizer {
    if (json.kind !== 'gpt1' || json.version !== 1) throw new Error('Not a version-1 GPT-1 tokenizer.');
    const tokenizer = new Gpt1Tokenizer(json.vocab, json.merges);
    tokenizer.addSpecialTokens(json.specialTokens);
    return tokenizer;
  }

  get vocabSize(): number {
    return this.vocab.length + this.special.size;
  }

  /** Size of the BPE vocabulary without special tokens (GPT-1: 40,478). */
  get baseVocabSize(): number {
    return this.vocab.length;
  }

  get specialTokens(): readonly string[] {
    return this.special.tokens;
  }

  get mergeCount(): number {
    return this.merges.length;
  }

  addSpecialTokens(tokens: readonly string[]): number[] {
    return this.special.add(tokens, (token) => this.ids.get(token));
  }

  tokenToId(token: string): number | undefined {
    return this.ids.get(token) ?? this.special.idOf(token);
  }

  idToToken(id: number): string | undefined {
    return this.vocab[id] ?? this.special.tokenOf(id);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const segment of this.special.split(text)) {
      if ('id' in segment) {
        out.push(segment.id);
        continue;
      }
      for (const word of bertBasicSplit(segment.text)) {
        for (const id of this.bpe(word)) {
          if (id >= 0) out.push(id);
          else if (this.unkId !== undefined) out.push(this.unkId);
        }
      }
    }
    return out;
  }

  /** Tokens and ids as the reference gives them: an out-of-vocabulary token keeps its text and has id null. */
  encodeDetailed(text: string): { tokens: string[]; ids: (number | null)[] } {
    const tokens: string[] = [];
    const ids: (number | null)[] = [];
    for (const segment of this.special.split(text)) {
      if ('id' in segment) {
        tokens.push(this.special.tokenOf(segment.id)!);
        ids.push(segment.id);
        continue;
      }
      for (const word of bertBasicSplit(segment.text)) {
        for (const id of this.bpe(word)) {
          tokens.push(id >= 0 ? this.vocab[id]! : oovText(id));
          ids.push(id >= 0 ? id : null);
        }
      }
    }
    return { tokens, ids };
  }

  tokenize(text: string): string[] {
    return this.encodeDetailed(text).tokens;
  }

  /**
   * Joins the pieces, `</w>` becomes a space, and the result is trimmed (as the reference decoders do).
   * Special tokens and `<unk>` stand as words of their own.
   */
  decode(ids: readonly number[]): string {
    let out = '';
    for (const id of ids) {
      const token = this.idToToken(id);
      if (token === undefined)
        throw new RangeError(`Token id ${id} is outside the vocabulary (size ${this.vocabSize}).`);
      if (id === this.unkId || this.special.has(id)) {
        out += `${out.length > 0 && !out.endsWith(' ') ? ' ' : ''}${token} `;
      } else {
        out += token.endsWith(END_OF_WORD) ? `${token.slice(0, -END_OF_WORD.length)} ` : token;
      }
    }
    return out.trim();
  }

  toJSON(): Gpt1TokenizerJson {
    return {
      kind: 'gpt1',
      version: 1,
      vocab: this.vocab.slice(),
      merges: this.merges.slice(),
      specialTokens: this.special.tokens.slice(),
    };
  }

  /** Hugging Face `vocab.json` (token -> id, base vocabulary only; added tokens go to tokenizer files). */
  toHfVocabJson(): string {
    const record: Record<string, number> = {};
    this.vocab.forEach((token, id) => {
      record[token] = id;
    });
    return `${JSON.stringify(record, null, 2)}\n`;
  }

  /** Hugging Face `merges.txt`: the version line, then one merge per line in rank order. */
  toHfMergesTxt(): string {
    return `#version: 0.2\n${this.merges.map((merge) => `${merge}\n`).join('')}`;
  }

  /** Symbol ids of one word after BPE (negative: outside the vocabulary, see `cache`). */
  private bpe(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const chars = Array.from(word);
    const symbols = chars.map((char, i) => {
      const last = i === chars.length - 1;
      const id = this.ids.get(last ? char + END_OF_WORD : char);
      return id ?? -(2 * char.codePointAt(0)! + (last ? 1 : 0) + 1);
    });
    const result = this.table.apply(symbols);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, result);
    return result;
  }
}

function oovText(code: number): string {
  const n = -code - 1;
  const char = String.fromCodePoint(n >> 1);
  return n & 1 ? char + END_OF_WORD : char;
}
