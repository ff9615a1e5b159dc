// Fine-tuning input transformations: hand-checked char-tokenizer encodings per family, truncation
// policies and counts, batch packing (shapes, extract indices, LM targets), the seeded example order,
// previews, and the real GPT-1 tokenizer on SST-2 and COPA rows.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTaskFile } from '../data/tasks/parse-task-file.ts';
import type { TaskExample } from '../data/tasks/task-types.ts';
import { IGNORE_INDEX } from '../ops/crossentropy.ts';
import { loadGpt1TokenizerFromDir } from '../tokenizer/gpt1-node.ts';
import { CharTokenizer } from '../tokenizer/index.ts';
import {
  type EncodedTaskSet,
  encodeTaskExamples,
  ensureTaskSpecialTokens,
  packBatch,
  previewExample,
  TASK_SPECIAL_TOKENS,
  TaskOrder,
  truncationWarning,
} from './task-inputs.ts';
import { fitPair } from './task-layout.ts';

// ' '=0 a=1 b=2 c=3 x=4 y=5 z=6 <unk>=7, then _start_=8 _delimiter_=9 _classify_=10.
const S = 8;
const D = 9;
const E = 10;
const chars = () => CharTokenizer.fromCorpus('abc xyz');
const text = (t: string, label = 0, line = 1): TaskExample => ({ kind: 'text', text: t, label, line });
const pair = (a: string, b: string, label = 0, line = 1): TaskExample => ({ kind: 'pair', a, b, label, line });
const choice = (context: string, choices: string[], label = 0, line = 1): TaskExample => ({
  kind: 'choice',
  context,
  choices,
  label,
  line,
});
const rows = (set: EncodedTaskSet): number[][] =>
  Array.from({ length: set.offsets.length - 1 }, (_, r) =>
    Array.from(set.tokens.subarray(set.offsets[r]!, set.offsets[r + 1]!)),
  );

describe('special tokens', () => {
  it('adds _start_, _delimiter_, _classify_ once, after the vocabulary', () => {
    const tok = chars();
    expect(TASK_SPECIAL_TOKENS).toEqual(['_start_', '_delimiter_', '_classify_']);
    expect(ensureTaskSpecialTokens(tok)).toEqual({ start: S, delimiter: D, extract: E });
    expect(ensureTaskSpecialTokens(tok)).toEqual({ start: S, delimiter: D, extract: E });
    expect(tok.vocabSize).toBe(11);
  });
});

describe('encodings per family (char tokenizer)', () => {
  it('classification: [start] text [extract]', () => {
    const set = encodeTaskExamples([text('abc', 1), text('zy x', 0, 2)], 'classification', chars(), 16);
    expect(set.sequencesPerExample).toBe(1);
    expect(rows(set)).toEqual([
      [S, 1, 2, 3, E],
      [S, 6, 5, 0, 4, E],
    ]);
    expect(Array.from(set.labels)).toEqual([1, 0]);
    expect(Array.from(set.lines)).toEqual([1, 2]);
    expect(set.stats).toEqual({
      examples: 2,
      rows: 2,
      truncatedExamples: 0,
      truncatedRows: 0,
      maxLength: 6,
      maxFullLength: 6,
      meanLength: 5.5,
    });
  });

  it('entailment: [start] premise [delim] hypothesis [extract]', () => {
    const set = encodeTaskExamples([pair('ab', 'x', 2)], 'entailment', chars(), 16);
    expect(rows(set)).toEqual([[S, 1, 2, D, 4, E]]);
    expect(set.sequencesPerExample).toBe(1);
  });

  it('similarity: both orders, A $ B then B $ A', () => {
    const set = encodeTaskExamples([pair('ab', 'x'), pair('c', 'yz')], 'similarity', chars(), 16);
    expect(set.sequencesPerExample).toBe(2);
    expect(rows(set)).toEqual([
      [S, 1, 2, D, 4, E],
      [S, 4, D, 1, 2, E],
      [S, 3, D, 5, 6, E],
      [S, 5, 6, D, 3, E],
    ]);
  });

  it('multiple choice with K = 2: [start] context [delim] choice_k [extract]', () => {
    const set = encodeTaskExamples([choice('a b', ['x', 'yz'], 1)], 'multiple-choice', chars(), 16);
    expect(set.sequencesPerExample).toBe(2);
    expect(rows(set)).toEqual([
      [S, 1, 0, 2, D, 4, E],
      [S, 1, 0, 2, D, 5, 6, E],
    ]);
  });

  it('multiple choice with K = 4', () => {
    const set = encodeTaskExamples(
      [choice('ab', ['x', 'y', 'z', 'xy'], 3), choice('c', ['a', 'b', 'c', ' '], 0, 2)],
      'multiple-choice',
      chars(),
      16,
    );
    expect(set.sequencesPerExample).toBe(4);
    expect(rows(set)).toEqual([
      [S, 1, 2, D, 4, E],
      [S, 1, 2, D, 5, E],
      [S, 1, 2, D, 6, E],
      [S, 1, 2, D, 4, 5, E],
      [S, 3, D, 1, E],
      [S, 3, D, 2, E],
      [S, 3, D, 3, E],
      [S, 3, D, 0, E],
    ]);
    expect(Array.from(set.labels)).toEqual([3, 0]);
  });

  it('regression labels keep their scores', () => {
    const set = encodeTaskExamples([pair('a', 'b', 3.8), pair('b', 'a', 0.25)], 'similarity', chars(), 8, {
      regression: true,
    });
    expect(Array.from(set.labels)).toEqual([3.8, 0.25]);
  });

  it('rejects a family/kind mismatch, bad labels, uneven K, a tiny context and no examples', () => {
    expect(() => encodeTaskExamples([text('a')], 'entailment', chars(), 8)).toThrow(/text example cannot/);
    expect(() => encodeTaskExamples([text('a', 0.5)], 'classification', chars(), 8)).toThrow(/not a class id/);
    expect(() => encodeTaskExamples([choice('a', ['x', 'y'], 2)], 'multiple-choice', chars(), 8)).toThrow(
      /choice index below 2/,
    );
    expect(() =>
      encodeTaskExamples([choice('a', ['x', 'y']), choice('a', ['x', 'y', 'z'], 0, 7)], 'multiple-choice', chars(), 8),
    ).toThrow(/Line 7: 3 choices/);
    expect(() =>
      encodeTaskExamples([pair('a', 'b', Number.NaN)], 'similarity', chars(), 8, { regression: true }),
    ).toThrow(/finite/);
    expect(() => encodeTaskExamples([pair('a', 'b')], 'entailment', chars(), 2)).toThrow(/at least 3/);
    expect(() => encodeTaskExamples([], 'classification', chars(), 8)).toThrow(/no examples/);
  });
});

describe('truncation', () => {
  it('classification keeps the first T - 2 text tokens and both special tokens', () => {
    const set = encodeTaskExamples([text('abcab'), text('ab')], 'classification', chars(), 4);
    expect(rows(set)).toEqual([
      [S, 1, 2, E],
      [S, 1, 2, E],
    ]);
    expect(set.stats).toMatchObject({ truncatedExamples: 1, truncatedRows: 1, maxLength: 4, maxFullLength: 7 });
    expect(Array.from(set.truncated)).toEqual([1, 0]);
  });

  it('longest-first cuts only the long piece while the other is short', () => {
    const set = encodeTaskExamples([pair('abcabc', 'xy')], 'entailment', chars(), 8);
    expect(rows(set)).toEqual([[S, 1, 2, 3, D, 4, 5, E]]);
  });

  it('longest-first splits the budget when both pieces are long (first piece gets the odd token)', () => {
    const set = encodeTaskExamples([pair('abcabc', 'xyzxy')], 'entailment', chars(), 8);
    expect(rows(set)).toEqual([[S, 1, 2, 3, D, 4, 5, E]]);
    const swapped = encodeTaskExamples([pair('xyzxy', 'abcabc')], 'entailment', chars(), 8);
    expect(rows(swapped)).toEqual([[S, 4, 5, 6, D, 1, 2, E]]);
  });

  it("gpt1-halves caps each piece at floor(T/2) - 2 like OpenAI's transform_roc", () => {
    const set = encodeTaskExamples([pair('abcabc', 'xy')], 'entailment', chars(), 8, { truncation: 'gpt1-halves' });
    expect(rows(set)).toEqual([[S, 1, 2, D, 4, 5, E]]);
  });

  it('fitPair matches the pop-from-the-longer loop and always fits', () => {
    const loop = (a: number, b: number, budget: number): [number, number] => {
      while (a + b > budget) {
        if (a > b) a--;
        else b--;
      }
      return [a, b];
    };
    fc.assert(
      fc.property(fc.nat(300), fc.nat(300), fc.integer({ min: 3, max: 400 }), (a, b, T) => {
        expect(fitPair(a, b, T, 'longest-first')).toEqual(loop(a, b, T - 3));
        const [ha, hb] = fitPair(a, b, T, 'gpt1-halves');
        expect(ha + hb + 3).toBeLessThanOrEqual(T);
        expect(ha).toBeLessThanOrEqual(a);
        expect(hb).toBeLessThanOrEqual(b);
      }),
    );
  });

  it('similarity cuts once and counts both rows', () => {
    const set = encodeTaskExamples([pair('abcabc', 'xy'), pair('a', 'b')], 'similarity', chars(), 8);
    expect(rows(set).slice(0, 2)).toEqual([
      [S, 1, 2, 3, D, 4, 5, E],
      [S, 4, 5, D, 1, 2, 3, E],
    ]);
    expect(set.stats).toMatchObject({ examples: 2, rows: 4, truncatedExamples: 1, truncatedRows: 2 });
  });

  it('multiple choice fits the context against the longest choice; every row keeps the same context', () => {
    const set = encodeTaskExamples([choice('abcabc', ['x', 'xyzxyz'])], 'multiple-choice', chars(), 8);
    expect(rows(set)).toEqual([
      [S, 1, 2, 3, D, 4, E],
      [S, 1, 2, 3, D, 4, 5, E],
    ]);
    expect(set.stats).toMatchObject({ truncatedExamples: 1, truncatedRows: 2, maxLength: 8, maxFullLength: 15 });
  });

  it('no row is ever longer than T, and the special tokens survive', () => {
    const tok = chars();
    fc.assert(
      fc.property(
        fc.stringMatching(/^[abcxyz ]{0,40}$/),
        fc.stringMatching(/^[abcxyz ]{0,40}$/),
        fc.integer({ min: 3, max: 30 }),
        (a, b, T) => {
          const set = encodeTaskExamples([choice(a, [b, a, 'x'])], 'multiple-choice', tok, T);
          for (const row of rows(set)) {
            expect(row.length).toBeLessThanOrEqual(T);
            expect(row[0]).toBe(S);
            expect(row.at(-1)).toBe(E);
            expect(row.filter((id) => id === D)).toHaveLength(1);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('warns "N of M examples were truncated"', () => {
    const set = encodeTaskExamples([text('abcab'), text('ab'), text('abcabc')], 'classification', chars(), 4);
    expect(truncationWarning(set.stats, 4)).toBe(
      '2 of 3 examples were truncated to fit the 4-token context (the longest needs 8 tokens).',
    );
    const fits = encodeTaskExamples([text('ab')], 'classification', chars(), 4);
    expect(truncationWarning(fits.stats, 4)).toBeUndefined();
  });
});

describe('packBatch', () => {
  const set = encodeTaskExamples([pair('ab', 'x', 1), pair('c', 'yz', 0), pair('a', 'b', 1)], 'similarity', chars(), 8);

  it('lays out [S, T] rows, lengths, extract indices and labels', () => {
    const batch = packBatch(set, [2, 0], 8);
    expect(batch).toMatchObject({ family: 'similarity', B: 2, examples: 2, K: 2, S: 4, T: 8 });
    expect(Array.from(batch.ids)).toEqual([
      ...[S, 1, D, 2, E, 0, 0, 0],
      ...[S, 2, D, 1, E, 0, 0, 0],
      ...[S, 1, 2, D, 4, E, 0, 0],
      ...[S, 4, D, 1, 2, E, 0, 0],
    ]);
    expect(Array.from(batch.lengths)).toEqual([5, 5, 6, 6]);
    expect(Array.from(batch.extract)).toEqual([4, 12, 21, 29]);
    for (let s = 0; s < batch.S; s++) expect(batch.ids[batch.extract[s]!]).toBe(E);
    expect(Array.from(batch.labels!)).toEqual([1, 1]);
    expect(batch.scores).toBeUndefined();
    expect(Array.from(batch.exampleIndices)).toEqual([2, 0]);
  });

  it('LM targets: next token inside the row, IGNORE_INDEX at the extract token and at padding', () => {
    const batch = packBatch(set, [0], 8);
    const I = IGNORE_INDEX;
    expect(Array.from(batch.lmTargets)).toEqual([...[1, 2, D, 4, E, I, I, I], ...[4, D, 1, 2, E, I, I, I]]);
    const textOnly = packBatch(set, [0], 8, { lmTargets: 'text' });
    expect(Array.from(textOnly.lmTargets)).toEqual([...[1, 2, I, 4, I, I, I, I], ...[4, I, 1, 2, I, I, I, I]]);
  });

  it('pads to a fixed batch size with empty, ignored slots and a chosen pad id', () => {
    const batch = packBatch(set, [1], 7, { batchSize: 2, padId: E });
    expect(batch).toMatchObject({ B: 2, examples: 1, S: 4, T: 7 });
    expect(Array.from(batch.lengths)).toEqual([6, 6, 0, 0]);
    expect(Array.from(batch.extract)).toEqual([5, 12, 14, 21]);
    expect(Array.from(batch.labels!)).toEqual([0, IGNORE_INDEX]);
    expect(Array.from(batch.ids.subarray(14))).toEqual(new Array(14).fill(E));
    expect(batch.lmTargets.subarray(5, 7).every((t) => t === IGNORE_INDEX)).toBe(true);
    expect(batch.lmTargets.subarray(14).every((t) => t === IGNORE_INDEX)).toBe(true);
  });

  it('regression batches carry float scores', () => {
    const reg = encodeTaskExamples([pair('a', 'b', 4.2)], 'similarity', chars(), 8, { regression: true });
    const batch = packBatch(reg, [0], 8, { batchSize: 2 });
    expect(batch.labels).toBeUndefined();
    expect(Array.from(batch.scores!)).toEqual([Math.fround(4.2), 0]);
  });

  it('multiple choice: S = B*K, labels are choice indices', () => {
    const mc = encodeTaskExamples([choice('ab', ['x', 'y', 'z', 'xy'], 3)], 'multiple-choice', chars(), 8);
    const batch = packBatch(mc, [0, 0], 8);
    expect(batch).toMatchObject({ B: 2, K: 4, S: 8 });
    expect(batch.ids).toHaveLength(64);
    expect(Array.from(batch.extract)).toEqual([5, 13, 21, 30, 37, 45, 53, 62]);
    expect(Array.from(batch.labels!)).toEqual([3, 3]);
  });

  it('refuses rows longer than T, unknown examples and too small a batch size', () => {
    expect(() => packBatch(set, [0], 5)).toThrow(/6 tokens, over 5/);
    expect(() => packBatch(set, [3], 8)).toThrow(RangeError);
    expect(() => packBatch(set, [0, 1], 8, { batchSize: 1 })).toThrow(/cannot hold/);
  });
});

describe('TaskOrder', () => {
  const drain = (order: TaskOrder, B: number, batches: number) => Array.from({ length: batches }, () => order.next(B));

  it('is a seeded permutation per epoch, different across epochs and seeds', () => {
    const order = new TaskOrder(50, 7);
    const p0 = Array.from(order.permutation(0));
    expect([...p0].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(new TaskOrder(50, 7).permutation(0))).toEqual(p0);
    expect(Array.from(order.permutation(1))).not.toEqual(p0);
    expect(Array.from(new TaskOrder(50, 8).permutation(0))).not.toEqual(p0);
    expect(Array.from(new TaskOrder(5, 7, { shuffle: false }).permutation(3))).toEqual([0, 1, 2, 3, 4]);
  });

  it('hands out batches within an epoch and moves on', () => {
    const order = new TaskOrder(10, 1);
    const batches = drain(order, 4, 4);
    expect(batches.map((b) => [b.epoch, b.indices.length])).toEqual([
      [0, 4],
      [0, 4],
      [0, 2],
      [1, 4],
    ]);
    expect(batches.slice(0, 3).flatMap((b) => b.indices)).toEqual(Array.from(order.permutation(0)));
    expect(order.cursor).toEqual({ epoch: 1, position: 4 });
    expect(order.batchesPerEpoch(4)).toBe(3);
  });

  it('drops the partial batch when asked', () => {
    const order = new TaskOrder(10, 1, { dropLast: true });
    expect(drain(order, 4, 3).map((b) => [b.epoch, b.indices.length])).toEqual([
      [0, 4],
      [0, 4],
      [1, 4],
    ]);
    expect(order.batchesPerEpoch(4)).toBe(2);
  });

  it('resumes from a saved cursor with the same batches', () => {
    const full = drain(new TaskOrder(23, 99), 5, 12);
    const first = new TaskOrder(23, 99);
    drain(first, 5, 7);
    const resumed = new TaskOrder(23, 99);
    resumed.cursor = JSON.parse(JSON.stringify(first.cursor)) as typeof first.cursor;
    expect(drain(resumed, 5, 5)).toEqual(full.slice(7));
    expect(() => {
      resumed.cursor = { epoch: 0, position: 24 };
    }).toThrow(/Invalid task cursor/);
  });
});

describe('previewExample', () => {
  it('labels every token, cut tokens after the kept ones', () => {
    const preview = previewExample(pair('abcabc', 'xy'), 'similarity', chars(), 8);
    expect(preview.map((p) => [p.title, p.length, p.truncated])).toEqual([
      ['A $ B', 8, true],
      ['B $ A', 8, true],
    ]);
    expect(preview[0]!.tokens.map((t) => `${t.text}:${t.kind}`)).toEqual([
      '_start_:start',
      'a:text',
      'b:text',
      'c:text',
      'a:truncated',
      'b:truncated',
      'c:truncated',
      '_delimiter_:delimiter',
      'x:text',
      'y:text',
      '_classify_:extract',
    ]);
    expect(preview[1]!.tokens.map((t) => t.id)).toEqual([S, 4, 5, D, 1, 2, 3, 1, 2, 3, E]);
  });

  it('titles multiple-choice rows by choice', () => {
    const preview = previewExample(choice('ab', ['x', 'y', 'z']), 'multiple-choice', chars(), 16);
    expect(preview.map((p) => [p.title, p.length, p.truncated])).toEqual([
      ['choice 1', 6, false],
      ['choice 2', 6, false],
      ['choice 3', 6, false],
    ]);
  });
});

describe('GPT-1 tokenizer on SST-2 and COPA', () => {
  const data = (file: string) => readFileSync(path.resolve('../shared/data', file), 'utf8');
  const tokenizer = loadGpt1TokenizerFromDir(path.resolve('../shared/data/gpt1-tokenizer'));
  const [start, delimiter, extract] = [40478, 40479, 40480];

  it('special tokens are 40478..40480', () => {
    expect(ensureTaskSpecialTokens(tokenizer)).toEqual({ start, delimiter, extract });
    expect(tokenizer.vocabSize).toBe(40481);
  });

  it('SST-2 rows: [start] text [extract]', () => {
    const sst2 = parseTaskFile('train.tsv', data('classification/sst2/train.tsv'));
    const examples = sst2.examples.slice(0, 4);
    const set = encodeTaskExamples(examples, 'classification', tokenizer, 512);
    // "hide new secretions from the parental units": hide new secre|tions from the parental units
    expect(rows(set)[0]).toEqual([start, 2830, 783, 2004, 1526, 617, 481, 24373, 12246, extract]);
    expect(Array.from(set.labels)).toEqual([0, 0, 1, 0]);
    const texts = examples.map((ex) => (ex.kind === 'text' ? ex.text : ''));
    expect(rows(set).map((row) => row.slice(1, -1))).toEqual(texts.map((t) => tokenizer.encode(t)));
    expect(set.stats.truncatedExamples).toBe(0);
    const short = encodeTaskExamples(examples, 'classification', tokenizer, 6);
    expect(rows(short)[0]).toEqual([start, 2830, 783, 2004, 1526, extract]);
    expect(truncationWarning(short.stats, 6)).toMatch(/^\d of 4 examples were truncated to fit the 6-token context/);
  });

  it('COPA rows: K = 2, [start] premise + connective [delim] choice [extract]', () => {
    const copa = parseTaskFile('train.jsonl', data('multiple-choice/copa/train.jsonl'));
    const set = encodeTaskExamples(copa.examples.slice(0, 3), 'multiple-choice', tokenizer, 512);
    expect(set.sequencesPerExample).toBe(2);
    // "My body cast a shadow over the grass." (cause): "my body cast a shadow over the grass because"
    const context = [547, 956, 3517, 246, 3265, 715, 481, 3614, 912];
    expect(rows(set).slice(0, 2)).toEqual([
      [start, ...context, delimiter, 481, 2104, 509, 3665, 239, extract], // the sun was rising.
      [start, ...context, delimiter, 481, 3614, 509, 1892, 239, extract], // the grass was cut.
    ]);
    expect(Array.from(set.labels)).toEqual([0, 0, 1]);
    const batch = packBatch(set, [0, 1, 2], 64);
    expect(batch).toMatchObject({ B: 3, K: 2, S: 6, T: 64 });
    for (let s = 0; s < 6; s++) {
      expect(batch.ids[s * 64]).toBe(start);
      expect(batch.ids[batch.extract[s]!]).toBe(extract);
      expect(batch.lmTargets[batch.extract[s]!]).toBe(IGNORE_INDEX);
      expect(batch.lmTargets[batch.extract[s]! - 1]).toBe(extract);
    }
    const preview = previewExample(copa.examples[0]!, 'multiple-choice', tokenizer, 512);
    expect(preview[0]!.tokens.map((t) => t.text).join(' ')).toBe(
      '_start_ my</w> body</w> cast</w> a</w> shadow</w> over</w> the</w> grass</w> because</w> _delimiter_ ' +
        'the</w> sun</w> was</w> rising</w> .</w> _classify_',
    );
  });
});
