// The statistics of a comparison over seeds, as pure functions of the dev values: a row's mean and min–max,
// whether two rows' ranges overlap, the chance level of the dev set (with the noise band a finite dev set
// puts around it) and the verdict in words: every row at chance, every row within seed noise, or which rows
// are apart and which overlap. The CLI's table and the Compare panel both say what these say.
import type { TaskMetricName } from './task-metrics.ts';

/** A row's dev values over its seeds. */
export interface Spread {
  mean: number;
  min: number;
  max: number;
  n: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (!values.length) return { mean: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { mean: sum / values.length, min, max, n: values.length };
}

/** Closed ranges [min, max] that share a point: the seeds do not tell the two rows apart. */
export function rangesOverlap(a: Spread, b: Spread): boolean {
  return a.min <= b.max && b.min <= a.max;
}

/** What guessing scores on this dev set, and how far above it a finite dev set still reads as guessing. */
export interface ChanceLevel {
  metric: TaskMetricName;
  /** The best score of a predictor that ignores its input. */
  value: number;
  /** Two standard errors of that score on `examples` dev examples. */
  band: number;
  examples: number;
  /** How `value` was found, in words. */
  how: string;
}

/**
 * Chance on a dev set: accuracy of always answering the commonest class (or 1/K for K choices); F1 of always
 * answering the positive class, 2p/(1+p); 0 for MCC and the correlations. The band is two standard errors: of
 * a proportion, √(c(1−c)/n) (the binomial), and of a correlation with none, 1/√n (its large-n null spread).
 */
export function chanceLevel(
  metric: TaskMetricName,
  labels: ArrayLike<number>,
  options: { choices?: number } = {},
): ChanceLevel {
  const n = labels.length;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(labels[i]!, (counts.get(labels[i]!) ?? 0) + 1);
  const proportionBand = (c: number) => (n ? 2 * Math.sqrt((c * (1 - c)) / n) : Number.NaN);
  if (metric === 'accuracy') {
    if (options.choices) {
      const c = 1 / options.choices;
      return { metric, value: c, band: proportionBand(c), examples: n, how: `1 in ${options.choices} choices` };
    }
    const top = Math.max(0, ...counts.values());
    const c = n ? top / n : Number.NaN;
    return { metric, value: c, band: proportionBand(c), examples: n, how: 'always answering the commonest class' };
  }
  if (metric === 'f1') {
    const p = n ? (counts.get(1) ?? 0) / n : Number.NaN;
    const c = (2 * p) / (1 + p);
    return { metric, value: c, band: proportionBand(c), examples: n, how: 'always answering the positive class' };
  }
  return { metric, value: 0, band: n ? 2 / Math.sqrt(n) : Number.NaN, examples: n, how: 'no correlation' };
}

/** A row at chance: even its best seed is within the band above chance. */
export function atChance(row: Spread, chance: ChanceLevel): boolean {
  return row.max <= chance.value + chance.band;
}

export interface VerdictRow {
  name: string;
  spread: Spread;
}

export type VerdictKind = 'at-chance' | 'within-noise' | 'one-seed' | 'apart';

export interface Verdict {
  kind: VerdictKind;
  /** What to say, in sentences. */
  text: string;
  /** Pairs of row names whose ranges overlap. */
  overlapping: [string, string][];
  /** Pairs told apart: the first is above the second. */
  apart: [string, string][];
}

/** What would make the rows differ, beyond what was already tried. */
export interface VerdictAdvice {
  /** The tuned-learning-rate column exists (else suggest it). */
  tuned: boolean;
  /** The verdict is on the tuned column itself (then a wider sweep is what is left to try). */
  onTuned?: boolean;
  /** λ of the aux-LM rows (λ 0 is suggested when it is above 0). */
  auxLm: number;
  seeds: number;
}

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join('; ')} and ${items.at(-1)}`;
}

function suggestions(advice: VerdictAdvice): string {
  const ideas = ['more epochs (or more training examples)'];
  if (advice.auxLm > 0) ideas.push('λ 0 (the aux LM competes with a small task)');
  ideas.push(
    advice.onTuned
      ? 'a wider learning-rate sweep'
      : advice.tuned
        ? 'the tuned learning rate (its column)'
        : 'the learning-rate sweep (a tuned column)',
  );
  if (advice.seeds < 3) ideas.push('3 or more seeds');
  return `What would change it: ${ideas.join(', ')}.`;
}

/** The verdict on a set of rows (one column: the paper recipe or the tuned rate). */
export function compareVerdict(rows: readonly VerdictRow[], chance: ChanceLevel | undefined, advice: VerdictAdvice) {
  const overlapping: [string, string][] = [];
  const apart: [string, string][] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const a = rows[i]!;
      const b = rows[j]!;
      if (rangesOverlap(a.spread, b.spread)) overlapping.push([a.name, b.name]);
      else apart.push(a.spread.mean >= b.spread.mean ? [a.name, b.name] : [b.name, a.name]);
    }
  }
  const seeds = Math.min(...rows.map((r) => r.spread.n));
  const verdict = (kind: VerdictKind, text: string): Verdict => ({ kind, text, overlapping, apart });
  if (chance && rows.length && rows.every((r) => atChance(r.spread, chance))) {
    return verdict(
      'at-chance',
      `Every row is at chance: no run scored above ${fixed(chance.value + chance.band)} (chance ${fixed(chance.value)}, ` +
        `${chance.how}, plus two standard errors on ${chance.examples} dev examples), so nothing was learned and the ` +
        `order of the rows means nothing. ${suggestions(advice)}`,
    );
  }
  if (seeds < 2) {
    return verdict(
      'one-seed',
      `One seed per row: nothing shows how far another seed would move a row, so the order of the rows may be ` +
        `noise. ${suggestions(advice)}`,
    );
  }
  if (rows.length > 1 && !apart.length) {
    return verdict(
      'within-noise',
      `Every row's min–max range over ${seeds} seeds overlaps every other's: the differences are within seed ` +
        `noise, so the order of the rows is not evidence. ${suggestions(advice)}`,
    );
  }
  const parts = apart.map(([hi, lo]) => `${hi} above ${lo}`);
  const same = overlapping.map(([a, b]) => `${a} and ${b}`);
  return verdict(
    'apart',
    `Apart beyond seed noise (ranges over ${seeds} seeds do not overlap): ${list(parts)}.` +
      (same.length ? ` Overlapping, so not told apart: ${list(same)}.` : ''),
  );
}
