// The Compare panel's per-variant summary of a comparison's runs and its verdicts, on hand-made rows; its
// settings form as typed.
import { describe, expect, it } from 'vitest';
import type { ComparePlan, CompareRow } from '../../../engine/protocol.ts';
import { parseCompareForm } from './compare-form.ts';
import { compareVerdicts, summariseCompareRows } from './compare-summary.ts';

const plan: ComparePlan = {
  rows: 'table5',
  seeds: 2,
  lrSweep: [1e-3, 2e-3],
  variants: ['pretrained', 'scratch'],
  lr: 6.25e-5,
  layers: 2,
  auxLm: 0.5,
  chance: { metric: 'accuracy', value: 0.5, band: 0.1, examples: 100, how: 'always answering the commonest class' },
};

function row(variant: CompareRow['variant'], stage: CompareRow['stage'], seed: number, lr: number, value: number) {
  return {
    variant,
    description: variant,
    auxLm: 0.5,
    stage,
    seed,
    lr,
    metric: 'accuracy',
    value,
    accuracy: value,
    finalTaskLoss: 0.5,
    steps: 4,
    seconds: 1,
  } satisfies CompareRow;
}

describe('summariseCompareRows', () => {
  const rows = [
    row('pretrained', 'recipe', 0, 6.25e-5, 0.55),
    row('pretrained', 'recipe', 1, 6.25e-5, 0.52),
    row('pretrained', 'trial', 0, 1e-3, 0.9),
    row('pretrained', 'trial', 0, 2e-3, 0.8),
    row('pretrained', 'tuned', 0, 1e-3, 0.95),
    row('pretrained', 'tuned', 1, 1e-3, 0.91),
    row('scratch', 'recipe', 0, 6.25e-5, 0.5),
    row('scratch', 'recipe', 1, 6.25e-5, 0.54),
    row('scratch', 'trial', 0, 1e-3, 0.6),
  ];

  it('gathers each variant: recipe mean and min–max, the trials, the tuned rate once its runs are in', () => {
    const [pretrained, scratch] = summariseCompareRows(rows, plan);
    expect(pretrained!.recipe).toMatchObject({ min: 0.52, max: 0.55, n: 2 });
    expect(pretrained!.recipe.mean).toBeCloseTo(0.535, 15);
    expect(pretrained!.trials).toEqual([
      { lr: 1e-3, value: 0.9 },
      { lr: 2e-3, value: 0.8 },
    ]);
    expect(pretrained!.tuned).toMatchObject({ lr: 1e-3, spread: { min: 0.91, max: 0.95, n: 2 } });
    // (0.95 + 0.91) / 2 in float64.
    expect(pretrained!.tuned!.spread.mean).toBeCloseTo(0.93, 15);
    expect(pretrained!.seconds).toBe(6);
    // scratch's sweep is not finished: no tuned result yet.
    expect(scratch!.tuned).toBeUndefined();
  });

  it("a row whose sweep chose the recipe's rate shows the recipe runs as tuned", () => {
    const done = [...rows, row('scratch', 'trial', 0, 2e-3, 0.4)];
    const scratch = summariseCompareRows(done, { ...plan, lrSweep: [1e-3, 2e-3], lr: 1e-3 })[1]!;
    expect(scratch.tuned).toMatchObject({ lr: 1e-3, spread: { min: 0.5, max: 0.54, n: 2 } });
    expect(scratch.tuned!.spread.mean).toBeCloseTo(0.52, 15);
  });

  it('says the recipe column is at chance and the tuned one is apart', () => {
    const done = [
      ...rows.slice(0, 8),
      row('scratch', 'trial', 0, 1e-3, 0.6),
      row('scratch', 'trial', 0, 2e-3, 0.7),
      row('scratch', 'tuned', 0, 2e-3, 0.7),
      row('scratch', 'tuned', 1, 2e-3, 0.75),
    ];
    const verdicts = compareVerdicts(summariseCompareRows(done, plan), plan, (v) => v.toUpperCase());
    expect(verdicts.map((v) => [v.column, v.verdict.kind])).toEqual([
      ['Paper recipe', 'at-chance'],
      ['Tuned learning rate', 'apart'],
    ]);
    expect(verdicts[0]!.verdict.text).toMatch(/the tuned learning rate \(its column\)/);
    expect(verdicts[1]!.verdict.text).toBe(
      'Apart beyond seed noise (ranges over 2 seeds do not overlap): PRETRAINED above SCRATCH.',
    );
  });

  it('rows of a one-seed comparison (no plan sent by an older engine) stay one row per variant', () => {
    const one = [row('pretrained', 'recipe', 0, 1e-3, 0.8), row('scratch', 'recipe', 0, 1e-3, 0.6)];
    const summaries = summariseCompareRows(one);
    expect(summaries.map((s) => [s.variant, s.recipe.mean, s.recipe.n])).toEqual([
      ['pretrained', 0.8, 1],
      ['scratch', 0.6, 1],
    ]);
    expect(compareVerdicts(summaries, undefined, String)[0]!.verdict.kind).toBe('one-seed');
  });
});

describe('parseCompareForm', () => {
  it('reads the form, with the schema’s words beside a bad field', () => {
    expect(parseCompareForm({ compareRows: 'layers', seeds: '2', lrSweep: '1e-3, 2e-3' })).toEqual({
      compare: { rows: 'layers', seeds: 2, lrSweep: [1e-3, 2e-3] },
      problems: {},
    });
    expect(parseCompareForm({ compareRows: 'table5', seeds: '1', lrSweep: '' }).compare.lrSweep).toEqual([]);
    expect(parseCompareForm({ compareRows: 'table5', seeds: '0', lrSweep: 'x' }).problems).toEqual({
      seeds: 'A whole number from 1 to 20.',
      lrSweep: '"x" is not a learning rate: give rates like 6.25e-5, 1e-3 (empty: no sweep).',
    });
    expect(parseCompareForm({ compareRows: 'table5', seeds: '3', lrSweep: '1e-3, 1e-3' }).problems).toEqual({
      lrSweep: 'The learning-rate sweep names a rate twice.',
    });
  });
});
