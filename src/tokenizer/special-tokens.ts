// Special tokens appended after a tokenizer's base vocabulary (GPT-1 fine-tuning adds `_start_`,
// `_delimiter_` and `_classify_` as 40478..40480), and splitting text around literal occurrences of them.

/** One piece of text to encode normally, or the id of a special token found in the text. */
export type Segment = { text: string } | { id: number };

export class SpecialTokenTable {
  private readonly ids = new Map<string, number>();
  private readonly list: string[] = [];
  private pattern: RegExp | undefined;
  private readonly baseSize: number;

  /** `baseSize` is the size of the vocabulary without special tokens; special ids start there. */
  constructor(baseSize: number) {
    this.baseSize = baseSize;
  }

  get tokens(): readonly string[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  /**
   * Adds tokens not yet present (in order) and returns the id of each requested token. `existing` looks
   * a token up in the base vocabulary: a token that is already a regular token is rejected, because
   * it could not be told apart from ordinary text.
   */
  add(tokens: readonly string[], existing: (token: string) => number | undefined): number[] {
    const out: number[] = [];
    for (const token of tokens) {
      if (token.length === 0) throw new Error('A special token cannot be empty.');
      let id = this.ids.get(token);
      if (id === undefined) {
        if (existing(token) !== undefined) {
          throw new Error(`Special token ${JSON.stringify(token)} is already in the base vocabulary.`);
        }
        id = this.baseSize + this.list.length;
        this.ids.set(token, id);
        this.list.push(token);
        this.pattern = undefined;
      }
      out.push(id);
    }
    return out;
  }

  idOf(token: string): number | undefined {
    return this.ids.get(token);
  }

  tokenOf(id: number): string | undefined {
    return this.list[id - this.baseSize];
  }

  has(id: number): boolean {
    return id >= this.baseSize && id < this.baseSize + this.list.length;
  }

  /** Splits text at literal special tokens (longest first at each position). */
  split(text: string): Segment[] {
    if (this.list.length === 0 || text.length === 0) return [{ text }];
    if (this.pattern === undefined) {
      const alternatives = [...this.list].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    const segments: Segment[] = [];
    let last = 0;
    for (const match of text.matchAll(this.pattern)) {
      const start = match.index;
      if (start > last) segments.push({ text: text.slice(last, start) });
      segments.push({ id: this.ids.get(match[0])! });
      last = start + match[0].length;
    }
    if (last < text.length) segments.push({ text: text.slice(last) });
    return segments;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
