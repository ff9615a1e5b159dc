// The comparison's statistics on hand-made numbers: spreads, overlaps, chance levels and the verdict's words.
import { describe, expect, it } from 'vitest';
import {
  atChance,
  type ChanceLevel,
  chanceLevel,
  compareVerdict,
  rangesOverlap,
  spreadOf,
  type VerdictRow,
} from './ablation-stats.ts';

const row = (name: string, values: number[]): VerdictRow => ({ name, spread: spreadOf(values) });
const advice = { tuned: false, auxLm: 0.5, seeds: 3 };

describe('spreads', () => {
  it('gives the mean, min and max over seeds', () => {
    expect(spreadOf([0.5, 0.75, 0.25])).toEqual({ mean: 0.5, min: 0.25, max: 0.75, n: 3 });
    expect(spreadOf([])).toMatchObject({ n: 0 });
    expect(Number.isNaN(spreadOf([]).mean)).toBe(true);
  });

  it('overlap: closed ranges sharing a point', () => {
    expect(rangesOverlap(spreadOf([0.1, 0.3]), spreadOf([0.3, 0.5]))).toBe(true);
    expect(rangesOverlap(spreadOf([0.1, 0.3]), spreadOf([0.2]))).toBe(true);
    expect(rangesOverlap(spreadOf([0.1, 0.29]), spreadOf([0.3, 0.5]))).toBe(false);
    expect(rangesOverlap(spreadOf([0.6, 0.9]), spreadOf([0.3, 0.5]))).toBe(false);
  });
});

describe('chance levels', () => {
  it('accuracy: the commonest class, with two binomial standard errors', () => {
    // 16 labels, 12 of class 0: chance 0.75, band 2·√(0.75·0.25/16) = 0.2165…
    const labels = [...Array(12).fill(0), ...Array(4).fill(1)];
    const chance = chanceLevel('accuracy', labels);
    expect(chance.value).toBe(0.75);
    expect(chance.band).toBeCloseTo(2 * Math.sqrt((0.75 * 0.25) / 16), 12);
    expect(chance.examples).toBe(16);
    expect(chance.how).toBe('always answering the commonest class');
  });

  it('accuracy over K choices is 1/K', () => {
    const chance = chanceLevel('accuracy', [0, 1, 1, 0], { choices: 4 });
    expect(chance.value).toBe(0.25);
    expect(chance.band).toBeCloseTo(2 * Math.sqrt((0.25 * 0.75) / 4), 12);
  });

  it('F1: always answering the positive class, 2p/(1+p)', () => {
    // p = 1/4: 2·0.25/1.25 = 0.4.
    expect(chanceLevel('f1', [1, 0, 0, 0]).value).toBeCloseTo(0.4, 12);
  });

  it('MCC and the correlations: 0, band 2/√n', () => {
    for (const metric of ['mcc', 'pearson', 'spearman'] as const) {
      const chance = chanceLevel(metric, [0.1, 0.2, 0.3, 0.4]);
      expect(chance.value).toBe(0);
      expect(chance.band).toBe(1);
    }
  });

  it('a row is at chance when its best seed is within the band', () => {
    const chance: ChanceLevel = { metric: 'accuracy', value: 0.5, band: 0.1, examples: 100, how: 'x' };
    expect(atChance(spreadOf([0.45, 0.6]), chance)).toBe(true);
    expect(atChance(spreadOf([0.45, 0.61]), chance)).toBe(false);
  });
});

describe('the verdict', () => {
  const chance: ChanceLevel = {
    metric: 'accuracy',
    value: 0.56,
    band: 0.07,
    examples: 200,
    how: 'always answering the commonest class',
  };

  it('every row at chance: says so, and what would change it', () => {
    const verdict = compareVerdict(
      [row('pretrained+aux', [0.515, 0.6]), row('scratch', [0.505, 0.51])],
      chance,
      advice,
    );
    expect(verdict.kind).toBe('at-chance');
    expect(verdict.text).toBe(
      'Every row is at chance: no run scored above 0.630 (chance 0.560, always answering the commonest class, plus ' +
        'two standard errors on 200 dev examples), so nothing was learned and the order of the rows means nothing. ' +
        'What would change it: more epochs (or more training examples), λ 0 (the aux LM competes with a small ' +
        'task), the learning-rate sweep (a tuned column).',
    );
  });

  it('suggests the tuned column once it exists, more seeds below 3, and no λ 0 at λ 0', () => {
    const rows = [row('a', [0.5]), row('b', [0.52])];
    const text = compareVerdict(rows, chance, { tuned: true, auxLm: 0, seeds: 1 }).text;
    expect(text).toMatch(
      /What would change it: more epochs \(or more training examples\), the tuned learning rate \(its column\), 3 or more seeds\.$/,
    );
  });

  it('on the tuned column, what is left is a wider sweep', () => {
    const text = compareVerdict([row('a', [0.5, 0.5])], chance, { ...advice, tuned: true, onTuned: true }).text;
    expect(text).toMatch(/λ 0 \(the aux LM competes with a small task\), a wider learning-rate sweep\.$/);
  });

  it('one seed above chance: the order may be noise', () => {
    const verdict = compareVerdict([row('a', [0.9]), row('b', [0.7])], chance, { ...advice, seeds: 1 });
    expect(verdict.kind).toBe('one-seed');
    expect(verdict.text).toMatch(/^One seed per row: nothing shows how far another seed would move a row/);
  });

  it('every range overlapping: within seed noise', () => {
    const verdict = compareVerdict(
      [row('a', [0.8, 0.9, 0.85]), row('b', [0.7, 0.82, 0.75]), row('c', [0.75, 0.81, 0.9])],
      chance,
      advice,
    );
    expect(verdict.kind).toBe('within-noise');
    expect(verdict.overlapping).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
    expect(verdict.text).toMatch(
      /^Every row's min–max range over 3 seeds overlaps every other's: the differences are within seed noise/,
    );
  });

  it('rows apart and rows overlapping, named in words', () => {
    const verdict = compareVerdict(
      [row('a', [0.9, 0.95]), row('b', [0.7, 0.75]), row('c', [0.74, 0.8])],
      chance,
      advice,
    );
    expect(verdict.kind).toBe('apart');
    expect(verdict.apart).toEqual([
      ['a', 'b'],
      ['a', 'c'],
    ]);
    expect(verdict.overlapping).toEqual([['b', 'c']]);
    expect(verdict.text).toBe(
      'Apart beyond seed noise (ranges over 2 seeds do not overlap): a above b and a above c. Overlapping, so not told apart: b and c.',
    );
  });

  it('one row above chance is enough to leave the at-chance verdict', () => {
    const verdict = compareVerdict([row('a', [0.5, 0.52]), row('b', [0.8, 0.85])], chance, advice);
    expect(verdict.kind).toBe('apart');
    expect(verdict.apart).toEqual([['b', 'a']]);
  });
});
