// Character-level tokenizer: one id per distinct character (Unicode code point) of the corpus, in code
// point order (so ids equal nanoGPT/char-rnn's sorted-character ids), then `<unk>` for characters unseen
// at build time, then special tokens. Encoding known text and decoding it gives the text back exactly.
import { SpecialTokenTable } from './special-tokens.ts';
import type { CharTokenizerJson, Tokenizer } from './types.ts';

export const CHAR_UNK = '<unk>';
/** What `<unk>` decodes to. */
const UNK_TEXT = '\uFFFD';

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  /** Id of `<unk>`: the id right after the characters. */
  readonly unkId: number;
  private readonly chars: readonly string[];
  private readonly ids = new Map<string, number>();
  private readonly special: SpecialTokenTable;

  /** `chars`: distinct single code points, in id order. */
  constructor(chars: readonly string[]) {
    this.chars = chars.slice();
    this.chars.forEach((char, id) => {
      if (char.length === 0 || char.codePointAt(0)! > 0xffff !== (char.length === 2) || char.length > 2) {
        throw new Error(`Character tokenizer: entry ${id} (${JSON.stringify(char)}) is not one code point.`);
      }
      if (this.ids.has(char)) throw new Error(`Character tokenizer: ${JSON.stringify(char)} appears twice.`);
      this.ids.set(char, id);
    });
    this.unkId = this.chars.length;
    this.special = new SpecialTokenTable(this.chars.length + 1);
  }

  /** Builds the vocabulary from the distinct characters of `corpus`. */
  static fromCorpus(corpus: string): CharTokenizer {
    const seen = new Set<string>();
    for (const char of corpus) seen.add(char);
    const chars = [...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(chars);
  }

  static fromJSON(json: CharTokenizerJson): CharTokenizer {
    if (json.kind !== 'char' || json.version !== 1) throw new Error('Not a version-1 character tokenizer.');
    const tokenizer = new CharTokenizer(json.chars);
    tokenizer.addSpecialTokens(json.specialTokens);
    return tokenizer;
  }

  get vocabSize(): number {
    return this.chars.length + 1 + this.special.size;
  }

  get specialTokens(): readonly string[] {
    return this.special.tokens;
  }

  addSpecialTokens(tokens: readonly string[]): number[] {
    return this.special.add(tokens, (token) => this.tokenToIdBase(token));
  }

  tokenToId(token: string): number | undefined {
    return this.tokenToIdBase(token) ?? this.special.idOf(token);
  }

  idToToken(id: number): string | undefined {
    if (id === this.unkId) return CHAR_UNK;
    return this.chars[id] ?? this.special.tokenOf(id);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const segment of this.special.split(text)) {
      if ('id' in segment) out.push(segment.id);
      else for (const char of segment.text) out.push(this.ids.get(char) ?? this.unkId);
    }
    return out;
  }

  /** `<unk>` decodes to U+FFFD; special tokens to their text. */
  decode(ids: readonly number[]): string {
    let out = '';
    for (const id of ids) {
      const char = this.chars[id];
      if (char !== undefined) out += char;
      else if (id === this.unkId) out += UNK_TEXT;
      else {
        const token = this.special.tokenOf(id);
        if (token === undefined || !Number.isInteger(id)) {
          throw new RangeError(`Token id ${id} is outside the vocabulary (size ${this.vocabSize}).`);
        }
        out += token;
      }
    }
    return out;
  }

  toJSON(): CharTokenizerJson {
    return { kind: 'char', version: 1, chars: this.chars.slice(), specialTokens: this.special.tokens.slice() };
  }

  private tokenToIdBase(token: string): number | undefined {
    return token === CHAR_UNK ? this.unkId : this.ids.get(token);
  }
}
