// How one labelled example becomes its model sequences (paper §3.3) and how over-long inputs are cut so
// that the special tokens always survive. A row is  start piece0 [delimiter piece1] extract : one content
// piece for classification, two for the others. Encoding (task-inputs.ts) and the UI preview share this.
//
// Truncation policies (each piece is cut from its end; start, delimiter and extract are never cut):
//   'longest-first' (default): while the row is too long, drop the last token of the longer piece (the
//       second piece on a tie), as BERT's _truncate_seq_pair. A short piece is never cut while the other
//       is long, so the context is used fully; two long pieces end at ceil/floor of half the budget.
//   'gpt1-halves': OpenAI's finetune-transformer-lm (transform_roc): every piece is capped on its own at
//       floor(T/2) - 2 tokens, whatever the other's length. For reproducing the reference code.
// One piece (classification) keeps its first T - 2 tokens under both.
// Shared pieces are cut once: similarity uses the same cut A and B in both orders, and multiple choice
// fits the context against its longest choice, so all K rows of an example carry the same context.
import type { TaskExample, TaskFamily } from '../data/tasks/task-types.ts';

export type TruncationPolicy = 'longest-first' | 'gpt1-halves';

/** A content piece: its full token ids and how many of the first ones are kept. */
export interface PieceLayout {
  ids: readonly number[];
  kept: number;
}

/** One model sequence: one or two content pieces between the special tokens. */
export interface RowLayout {
  pieces: PieceLayout[];
}

/** Smallest usable context: start + extract, plus a delimiter for two-piece families. */
export function minimumContext(family: TaskFamily): number {
  return family === 'classification' ? 2 : 3;
}

/** Special tokens in a row of `pieceCount` content pieces (start, delimiters, extract). */
export function specialCount(pieceCount: number): number {
  return pieceCount + 1;
}

/** Kept lengths of two pieces sharing a context of T tokens with start, delimiter and extract. */
export function fitPair(a: number, b: number, T: number, policy: TruncationPolicy): [number, number] {
  if (policy === 'gpt1-halves') {
    const cap = Math.max(0, Math.floor(T / 2) - 2);
    return [Math.min(a, cap), Math.min(b, cap)];
  }
  const budget = Math.max(0, T - specialCount(2));
  if (a + b <= budget) return [a, b];
  // Closed form of "pop from the longer, from the second on a tie" (checked against the loop in tests).
  const shorter = Math.min(a, b);
  if (2 * shorter <= budget) return a <= b ? [a, budget - a] : [budget - b, b];
  return [Math.ceil(budget / 2), Math.floor(budget / 2)];
}

/** Kept length of the only piece of a classification row. */
export function fitSingle(a: number, T: number): number {
  return Math.min(a, Math.max(0, T - specialCount(1)));
}

/** Number of ids in a row, special tokens included, after (`kept`) or before (`full`) truncation. */
export function rowLength(row: RowLayout, full = false): number {
  let n = specialCount(row.pieces.length);
  for (const piece of row.pieces) n += full ? piece.ids.length : piece.kept;
  return n;
}

export function rowTruncated(row: RowLayout): boolean {
  return row.pieces.some((piece) => piece.kept < piece.ids.length);
}

const FAMILY_KIND: Record<TaskFamily, TaskExample['kind']> = {
  classification: 'text',
  entailment: 'pair',
  similarity: 'pair',
  'multiple-choice': 'choice',
};

/**
 * The rows of one example: classification 1, entailment 1, similarity 2 (A $ B, then B $ A), multiple
 * choice K (context $ choice_k). `encode` tokenizes one piece of text.
 */
export function layoutExample(
  example: TaskExample,
  family: TaskFamily,
  encode: (text: string) => number[],
  T: number,
  policy: TruncationPolicy,
): RowLayout[] {
  if (example.kind !== FAMILY_KIND[family]) {
    throw new Error(`Line ${example.line}: a ${example.kind} example cannot be encoded for ${family}.`);
  }
  if (example.kind === 'text') {
    const ids = encode(example.text);
    return [{ pieces: [{ ids, kept: fitSingle(ids.length, T) }] }];
  }
  if (example.kind === 'pair') {
    const a = encode(example.a);
    const b = encode(example.b);
    const [keptA, keptB] = fitPair(a.length, b.length, T, policy);
    const pa = { ids: a, kept: keptA };
    const pb = { ids: b, kept: keptB };
    return family === 'similarity' ? [{ pieces: [pa, pb] }, { pieces: [pb, pa] }] : [{ pieces: [pa, pb] }];
  }
  if (example.choices.length === 0) throw new Error(`Line ${example.line}: a multiple-choice example has no choices.`);
  const context = encode(example.context);
  const choices = example.choices.map(encode);
  const longest = Math.max(...choices.map((c) => c.length));
  const [keptContext, choiceCap] = fitPair(context.length, longest, T, policy);
  const pc = { ids: context, kept: keptContext };
  return choices.map((ids) => ({ pieces: [pc, { ids, kept: Math.min(ids.length, choiceCap) }] }));
}
