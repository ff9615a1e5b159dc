// Token ids as people read them: the text of each piece (for attention maps and tokenizer previews),
// prompts that always have at least one token, and streaming decode that never splits a character.
import type { Tokenizer } from '../tokenizer/types.ts';

/** The text of one token: GPT-1's raw piece (with its </w>), otherwise the decoded text. */
export function pieceText(tokenizer: Tokenizer, id: number): string {
  if (tokenizer.kind === 'gpt1') return tokenizer.idToToken(id) ?? `<${id}>`;
  try {
    return tokenizer.decode([id]);
  } catch {
    return tokenizer.idToToken(id) ?? `<${id}>`;
  }
}

/** The prompt's ids; an empty prompt starts from a newline (or token 0 when that encodes to nothing). */
export function promptIds(tokenizer: Tokenizer, prompt: string): number[] {
  const ids = tokenizer.encode(prompt);
  if (ids.length > 0) return ids;
  const newline = tokenizer.encode('\n');
  return newline.length > 0 ? newline : [0];
}

/**
 * Turns a growing list of ids into text deltas. A byte-level BPE token can end inside a multi-byte
 * character (decoded as U+FFFD); such a tail is held back until the next token completes it.
 */
export class TextStream {
  private readonly ids: number[] = [];
  private sent = '';

  constructor(private readonly tokenizer: Tokenizer) {}

  /** Adds a token; returns the new text (possibly empty) and the whole text so far. */
  push(id: number, last: boolean): { delta: string; full: string } {
    this.ids.push(id);
    const full = this.tokenizer.decode(this.ids);
    if (!last && full.endsWith('\uFFFD')) return { delta: '', full: this.sent };
    // Decoders of word pieces may re-join earlier text; the delta is what follows the common prefix.
    let common = 0;
    while (common < this.sent.length && common < full.length && this.sent[common] === full[common]) common++;
    const delta = full.slice(common);
    this.sent = full;
    return { delta, full };
  }

  get text(): string {
    return this.sent;
  }
}
