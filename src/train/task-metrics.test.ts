// Task metric choice and values: GLUE's metric per dataset, and every metric against hand-computed values.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTaskFile } from '../data/tasks/parse-task-file.ts';
import { computeTaskMetrics, defaultMetric, metricValue, parseMetricName } from './task-metrics.ts';

/** The first `lines` lines of a shared data file. */
const head = (path: string, lines: number) =>
  readFileSync(resolve('../shared/data', path), 'utf8').split('\n').slice(0, lines).join('\n');

describe('defaultMetric', () => {
  it('picks F1 for MRPC, Matthews for CoLA, Pearson for STS-B, accuracy otherwise', () => {
    const metric = (path: string) => defaultMetric(parseTaskFile(path, head(path, 9)));
    expect(metric('similarity/mrpc/train.tsv')).toBe('f1');
    expect(metric('classification/cola/train.tsv')).toBe('mcc');
    expect(metric('similarity/stsb/train.tsv')).toBe('pearson');
    expect(metric('classification/sst2/train.tsv')).toBe('accuracy');
    expect(metric('entailment/rte/train.tsv')).toBe('accuracy');
    expect(metric('multiple-choice/copa/train.jsonl')).toBe('accuracy');
    expect(defaultMetric({ format: 'mapped-columns', regression: false, fileName: 'QQP-train.tsv' })).toBe('f1');
  });
});

describe('computeTaskMetrics', () => {
  it('binary: accuracy, F1 of class 1, Matthews and the confusion matrix', () => {
    // tp = 2 (rows 0, 3), tn = 2 (rows 1, 5), fp = 1 (row 2), fn = 1 (row 4).
    const m = computeTaskMetrics([1, 0, 1, 1, 0, 0], [1, 0, 0, 1, 1, 0], { regression: false, classes: 2 });
    expect(m.n).toBe(6);
    expect(m.accuracy).toBeCloseTo(4 / 6, 15);
    expect(m.f1).toBeCloseTo((2 * 2) / (2 * 2 + 1 + 1), 15); // 2/3
    expect(m.mcc).toBeCloseTo((2 * 2 - 1 * 1) / Math.sqrt(3 * 3 * 3 * 3), 15); // 1/3
    expect(m.confusion).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(metricValue(m, 'f1')).toBe(m.f1);
  });

  it('three classes: accuracy and confusion, no binary metrics', () => {
    const m = computeTaskMetrics([0, 1, 2, 2], [0, 1, 1, 2], {
      regression: false,
      classes: 3,
      classNames: ['a', 'b', 'c'],
    });
    expect(m.accuracy).toBe(0.75);
    expect(m.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(m.f1).toBeUndefined();
    expect(m.classNames).toEqual(['a', 'b', 'c']);
    expect(() => metricValue(m, 'mcc')).toThrow(/no mcc.*offers accuracy/);
  });

  it('two choices: accuracy and confusion, no F1 or Matthews (no positive class)', () => {
    const m = computeTaskMetrics([1, 0, 1], [1, 1, 1], { regression: false, classes: 2, choices: true });
    expect(m.accuracy).toBeCloseTo(2 / 3, 15);
    expect(m.confusion).toEqual([
      [0, 0],
      [1, 2],
    ]);
    expect(m.f1).toBeUndefined();
    expect(m.mcc).toBeUndefined();
  });

  it('regression: Pearson and Spearman, accuracy null', () => {
    // x - 2.5 = [-1.5, -0.5, 0.5, 1.5]; y - 5.125 = [-3.125, -1.125, 0.875, 3.375]
    // sxy = 10.75, sxx = 5, syy = 23.1875; the ranks agree exactly, so Spearman is 1.
    const m = computeTaskMetrics([1, 2, 3, 4], [2, 4, 6, 8.5], { regression: true, classes: 1 });
    expect(m.accuracy).toBeNull();
    expect(m.pearson).toBeCloseTo(10.75 / Math.sqrt(5 * 23.1875), 14);
    expect(m.spearman).toBeCloseTo(1, 15);
    expect(m.confusion).toBeUndefined();
    expect(() => metricValue(m, 'accuracy')).toThrow(/no accuracy.*offers pearson, spearman/);
  });

  it('refuses unknown metric names', () => {
    expect(parseMetricName('mcc')).toBe('mcc');
    expect(() => parseMetricName('auc')).toThrow(/Unknown metric "auc"/);
  });
});
