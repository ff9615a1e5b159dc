// Fine-tuning input transformations (paper §3.3): labelled examples -> token rows -> fixed-size batches.
//   classification   [start] text [extract]
//   entailment       [start] premise [delim] hypothesis [extract]
//   similarity       [start] A [delim] B [extract] and [start] B [delim] A [extract] (final states added)
//   multiple choice  [start] context [delim] choice_k [extract], k < K (scores softmaxed over k)
// Truncation policies: task-layout.ts. Example order: task-order.ts.
//
// Padding: rows are padded to T with `padId` (default 0, as OpenAI's train.py and HF's example script).
// Attention is causal and the extract token is the last real token, so no real position (least of all
// the extract position the heads read) ever attends to padding; padding outputs feed no loss, so the pad
// id's value never matters and its embedding gets no gradient.
//
// Auxiliary LM targets (L1): position t predicts token t+1 of the same row, for t < length - 1; the last
// real token (extract) and padding get IGNORE_INDEX. Default 'all' also predicts the delimiter and the
// extract token, exactly the positions OpenAI's train.py masks in (M[:, 1:]) and HF's DoubleHeads counts,
// so losses compare with both. 'text' keeps only targets that are task text (the paper's L1 read literally).
// The start token is never a target; predicting the first text token from it counts in both modes.
import type { TaskExample, TaskFamily } from '../data/tasks/task-types.ts';
import { IGNORE_INDEX } from '../ops/crossentropy.ts';
import { GPT1_FINETUNE_TOKENS, type Tokenizer } from '../tokenizer/index.ts';
import type { Gpt1Config } from './config.ts';
import {
  layoutExample,
  minimumContext,
  type RowLayout,
  rowLength,
  rowTruncated,
  type TruncationPolicy,
} from './task-layout.ts';

export type { TruncationPolicy } from './task-layout.ts';
export { TASK_ORDER_STREAM, type TaskCursor, TaskOrder, type TaskOrderOptions } from './task-order.ts';

/** The fine-tuning special tokens, in id order (GPT-1: 40478, 40479, 40480). */
export const TASK_SPECIAL_TOKENS = GPT1_FINETUNE_TOKENS;

export interface TaskSpecialIds {
  start: number;
  delimiter: number;
  /** `_classify_`: the heads read the final hidden state here. */
  extract: number;
}

/** Adds the special tokens if missing (the tokenizer's vocabSize grows: the model grows its embedding). */
export function ensureTaskSpecialTokens(tokenizer: Tokenizer): TaskSpecialIds {
  const [start, delimiter, extract] = tokenizer.addSpecialTokens(TASK_SPECIAL_TOKENS);
  return { start: start!, delimiter: delimiter!, extract: extract! };
}

export interface TaskEncodingStats {
  examples: number;
  rows: number;
  truncatedExamples: number;
  truncatedRows: number;
  /** Longest row after truncation (<= T), special tokens included. */
  maxLength: number;
  /** Longest row before truncation: the context every row would need to fit whole. */
  maxFullLength: number;
  /** Mean row length after truncation. */
  meanLength: number;
}

export interface EncodedTaskSet {
  family: TaskFamily;
  regression: boolean;
  T: number;
  special: TaskSpecialIds;
  /** K: 1, 2 for similarity, the number of choices for multiple choice. Row of (example e, k): e*K + k. */
  sequencesPerExample: number;
  /** All rows back to back, special tokens included: row r is tokens[offsets[r] .. offsets[r + 1]). */
  tokens: Uint32Array<ArrayBuffer>;
  offsets: Uint32Array<ArrayBuffer>;
  /** Per example: class id, choice index or regression score. */
  labels: Float64Array<ArrayBuffer>;
  /** Per row: 1 where truncation removed tokens. */
  truncated: Uint8Array<ArrayBuffer>;
  /** Per example: its line in the source file. */
  lines: Uint32Array<ArrayBuffer>;
  stats: TaskEncodingStats;
}

export interface EncodeOptions {
  /** Labels are scores (STS-B), not class ids. Not for multiple choice. */
  regression?: boolean;
  truncation?: TruncationPolicy;
}

/** A growable Uint32Array. */
class U32Builder {
  private data = new Uint32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  toArray(): Uint32Array<ArrayBuffer> {
    return this.data.slice(0, this.length);
  }
}

/** Row ids with their special tokens: start, kept piece 0, [delimiter, kept piece 1], extract. */
function writeRow(row: RowLayout, special: TaskSpecialIds, out: U32Builder): void {
  out.push(special.start);
  row.pieces.forEach((piece, i) => {
    if (i > 0) out.push(special.delimiter);
    for (let t = 0; t < piece.kept; t++) out.push(piece.ids[t]!);
  });
  out.push(special.extract);
}

function checkContext(family: TaskFamily, T: number): void {
  const minimum = minimumContext(family);
  if (!Number.isInteger(T) || T < minimum) throw new Error(`A ${family} context needs at least ${minimum} tokens.`);
}

function checkLabel(example: TaskExample, family: TaskFamily, regression: boolean, K: number): void {
  const { label, line } = example;
  if (regression) {
    if (family === 'multiple-choice') throw new Error('Multiple choice cannot be a regression task.');
    if (!Number.isFinite(label)) throw new Error(`Line ${line}: the score ${label} is not a finite number.`);
  } else if (!Number.isInteger(label) || label < 0 || (family === 'multiple-choice' && label >= K)) {
    const what = family === 'multiple-choice' ? `a choice index below ${K}` : 'a class id';
    throw new Error(`Line ${line}: label ${label} is not ${what}.`);
  }
}

/** Tokenizes, transforms and truncates every example (adding the special tokens to the tokenizer if needed). */
export function encodeTaskExamples(
  examples: readonly TaskExample[],
  family: TaskFamily,
  tokenizer: Tokenizer,
  T: number,
  options: EncodeOptions = {},
): EncodedTaskSet {
  checkContext(family, T);
  const first = examples[0];
  if (first === undefined) throw new Error('There are no examples to encode.');
  const regression = options.regression ?? false;
  const policy = options.truncation ?? 'longest-first';
  const special = ensureTaskSpecialTokens(tokenizer);
  const K = first.kind === 'choice' ? first.choices.length : family === 'similarity' ? 2 : 1;
  const encode = (text: string) => tokenizer.encode(text);

  const tokens = new U32Builder();
  const offsets = new Uint32Array(examples.length * K + 1);
  const truncated = new Uint8Array(examples.length * K);
  const labels = new Float64Array(examples.length);
  const lines = new Uint32Array(examples.length);
  const stats: TaskEncodingStats = {
    examples: examples.length,
    rows: examples.length * K,
    truncatedExamples: 0,
    truncatedRows: 0,
    maxLength: 0,
    maxFullLength: 0,
    meanLength: 0,
  };
  examples.forEach((example, e) => {
    if (example.kind === 'choice' && example.choices.length !== K) {
      throw new Error(`Line ${example.line}: ${example.choices.length} choices, but the first example has ${K}.`);
    }
    checkLabel(example, family, regression, K);
    const rows = layoutExample(example, family, encode, T, policy);
    let cut = false;
    rows.forEach((row, k) => {
      const r = e * K + k;
      writeRow(row, special, tokens);
      offsets[r + 1] = tokens.length;
      const length = rowLength(row);
      stats.maxLength = Math.max(stats.maxLength, length);
      stats.maxFullLength = Math.max(stats.maxFullLength, rowLength(row, true));
      if (rowTruncated(row)) {
        truncated[r] = 1;
        stats.truncatedRows++;
        cut = true;
      }
    });
    if (cut) stats.truncatedExamples++;
    labels[e] = example.label;
    lines[e] = example.line;
  });
  stats.meanLength = tokens.length / stats.rows;
  const set = { family, regression, T, special, sequencesPerExample: K, offsets, truncated, labels, lines, stats };
  return { ...set, tokens: tokens.toArray() };
}

/**
 * The token ids of `text` as a fine-tuned model's task sees a single text: the classification form, start +
 * text + extract, the text cut to fit `T` tokens (at most the model's positions).
 */
export function singleTextForm(tokenizer: Tokenizer, config: Gpt1Config, T: number, text: string): number[] {
  if (!text.trim()) throw new Error('The text has no tokens: type something to look at.');
  const example = { kind: 'text' as const, text, label: 0, line: 1 };
  const encoded = encodeTaskExamples([example], 'classification', tokenizer, Math.min(T, config.nPositions));
  return Array.from(encoded.tokens.subarray(encoded.offsets[0]!, encoded.offsets[1]!));
}

/** The warning shown when truncation happened, e.g. "3 of 100 examples were truncated to fit the 512-token context". */
export function truncationWarning(stats: TaskEncodingStats, T: number): string | undefined {
  if (stats.truncatedExamples === 0) return undefined;
  const n = (x: number) => x.toLocaleString('en-US');
  return (
    `${n(stats.truncatedExamples)} of ${n(stats.examples)} examples were truncated to fit the ${n(T)}-token ` +
    `context (the longest needs ${n(stats.maxFullLength)} tokens).`
  );
}

export interface TaskBatch {
  family: TaskFamily;
  /** Example slots (rows of the heads' output), padding slots included. */
  B: number;
  /** Real examples: slots 0..examples-1; slots after them are padding. */
  examples: number;
  /** Sequences per example; sequence s = b*K + k. */
  K: number;
  /** Sequences: B*K. */
  S: number;
  T: number;
  /** [S*T] token ids, rows padded with the pad id. */
  ids: Uint32Array<ArrayBuffer>;
  /** [S] real tokens per row (0 for padding slots). */
  lengths: Uint32Array<ArrayBuffer>;
  /** [S] flat index into [S*T] of each row's extract token: s*T + length - 1 (s*T for padding slots). */
  extract: Uint32Array<ArrayBuffer>;
  /** [S*T] next-token targets for the auxiliary LM loss; IGNORE_INDEX where none. */
  lmTargets: Uint32Array<ArrayBuffer>;
  /** [B] class id or right choice; IGNORE_INDEX for padding slots. Absent for regression. */
  labels?: Uint32Array<ArrayBuffer>;
  /** [B] regression scores; 0 for padding slots (use only the first `examples`). Absent for classes. */
  scores?: Float32Array<ArrayBuffer>;
  /** [examples] which encoded examples the batch holds. */
  exampleIndices: Uint32Array<ArrayBuffer>;
}

export interface PackOptions {
  /** Default 0. */
  padId?: number;
  /** Pad the batch with empty example slots up to this many (a fixed-shape graph). Default: no padding. */
  batchSize?: number;
  /** Which next tokens the LM loss predicts (see the header). Default 'all'. */
  lmTargets?: 'all' | 'text';
}

/** Packs the given examples into [S, T] rows. T may be below the encoding's T if every row fits. */
export function packBatch(
  set: EncodedTaskSet,
  indices: ArrayLike<number>,
  T: number,
  options: PackOptions = {},
): TaskBatch {
  const K = set.sequencesPerExample;
  const n = indices.length;
  const B = options.batchSize ?? n;
  if (!Number.isInteger(B) || B < n || B < 1) throw new Error(`Batch size ${B} cannot hold ${n} examples.`);
  const padId = options.padId ?? 0;
  const textOnly = options.lmTargets === 'text';
  const { start, delimiter, extract: extractId } = set.special;
  const S = B * K;
  const batch: TaskBatch = {
    family: set.family,
    B,
    examples: n,
    K,
    S,
    T,
    ids: new Uint32Array(S * T).fill(padId),
    lengths: new Uint32Array(S),
    extract: new Uint32Array(S),
    lmTargets: new Uint32Array(S * T).fill(IGNORE_INDEX),
    exampleIndices: Uint32Array.from(indices),
  };
  if (set.regression) batch.scores = new Float32Array(B);
  else batch.labels = new Uint32Array(B).fill(IGNORE_INDEX);
  for (let s = 0; s < S; s++) batch.extract[s] = s * T;

  for (let b = 0; b < n; b++) {
    const e = indices[b]!;
    if (!Number.isInteger(e) || e < 0 || e >= set.labels.length) throw new RangeError(`No encoded example ${e}.`);
    for (let k = 0; k < K; k++) {
      const r = e * K + k;
      const s = b * K + k;
      const row = set.tokens.subarray(set.offsets[r]!, set.offsets[r + 1]!);
      if (row.length > T) throw new Error(`Example ${e} (line ${set.lines[e]}) has ${row.length} tokens, over ${T}.`);
      batch.ids.set(row, s * T);
      batch.lengths[s] = row.length;
      batch.extract[s] = s * T + row.length - 1;
      for (let t = 0; t + 1 < row.length; t++) {
        const target = row[t + 1]!;
        if (textOnly && (target === start || target === delimiter || target === extractId)) continue;
        batch.lmTargets[s * T + t] = target;
      }
    }
    if (batch.scores) batch.scores[b] = set.labels[e]!;
    if (batch.labels) batch.labels[b] = set.labels[e]!;
  }
  return batch;
}

export type PreviewTokenKind = 'start' | 'delimiter' | 'extract' | 'text' | 'truncated';

export interface PreviewToken {
  /** The vocabulary entry (GPT-1: `the</w>`; characters for the char tokenizer). */
  text: string;
  id: number;
  kind: PreviewTokenKind;
}

export interface PreviewSequence {
  title: string;
  /** Tokens the model sees (truncated ones excluded). */
  length: number;
  truncated: boolean;
  /** In row order; a piece's cut tokens follow its kept ones, with kind 'truncated'. */
  tokens: PreviewToken[];
}

function rowTitles(example: TaskExample, family: TaskFamily): string[] {
  if (family === 'classification') return ['text'];
  if (family === 'entailment') return ['premise $ hypothesis'];
  if (family === 'similarity') return ['A $ B', 'B $ A'];
  return example.kind === 'choice' ? example.choices.map((_, k) => `choice ${k + 1}`) : [];
}

/** What the model sees for one example, token by token (adds the special tokens to the tokenizer if needed). */
export function previewExample(
  example: TaskExample,
  family: TaskFamily,
  tokenizer: Tokenizer,
  T: number,
  options: { truncation?: TruncationPolicy } = {},
): PreviewSequence[] {
  checkContext(family, T);
  const special = ensureTaskSpecialTokens(tokenizer);
  const rows = layoutExample(
    example,
    family,
    (text) => tokenizer.encode(text),
    T,
    options.truncation ?? 'longest-first',
  );
  const titles = rowTitles(example, family);
  const token = (id: number, kind: PreviewTokenKind): PreviewToken => ({
    text: tokenizer.idToToken(id) ?? '',
    id,
    kind,
  });
  return rows.map((row, k) => {
    const tokens = [token(special.start, 'start')];
    row.pieces.forEach((piece, i) => {
      if (i > 0) tokens.push(token(special.delimiter, 'delimiter'));
      piece.ids.forEach((id, t) => {
        tokens.push(token(id, t < piece.kept ? 'text' : 'truncated'));
      });
    });
    tokens.push(token(special.extract, 'extract'));
    return { title: titles[k] ?? `row ${k + 1}`, length: rowLength(row), truncated: rowTruncated(row), tokens };
  });
}
