// Which metric a fine-tuning run reports, and all of a dev set's metrics from the head's predictions:
// GLUE's choices by dataset (MRPC F1, CoLA Matthews, STS-B Pearson), accuracy otherwise. Accuracy is
// always reported for classes and choices; a regression has none (null), and reports Pearson as its value
// with Spearman beside it.
import type { TaskFormat } from '../data/tasks/task-types.ts';
import { accuracy, confusionMatrix, f1, matthewsCorrelation, pearson, spearman } from './metrics.ts';

export type TaskMetricName = 'accuracy' | 'f1' | 'mcc' | 'pearson' | 'spearman';

export const TASK_METRIC_NAMES: readonly TaskMetricName[] = ['accuracy', 'f1', 'mcc', 'pearson', 'spearman'];

/** GLUE's metric for a dataset: F1 for MRPC (and QQP), Matthews for CoLA, Pearson for scores, else accuracy. */
export function defaultMetric(dataset: { format: TaskFormat; regression: boolean; fileName?: string }): TaskMetricName {
  if (dataset.regression) return 'pearson';
  if (dataset.format === 'glue-mrpc') return 'f1';
  if (dataset.format === 'glue-cola') return 'mcc';
  // QQP has no format of its own (mapped columns): recognise it by name.
  if (dataset.fileName && /qqp/i.test(dataset.fileName)) return 'f1';
  return 'accuracy';
}

export interface TaskMetrics {
  /** Examples evaluated. */
  n: number;
  /** Fraction correct in [0, 1]; null for regression. */
  accuracy: number | null;
  /** F1 of class 1 and Matthews correlation: binary classes only. */
  f1?: number;
  mcc?: number;
  /** Regression only. */
  pearson?: number;
  spearman?: number;
  /** confusion[label][prediction]; classes and choices only. */
  confusion?: number[][];
  /** Class names for the confusion rows (the training file's labels). */
  classNames?: string[];
}

/**
 * Every metric that applies: regression -> Pearson, Spearman; classes or choices -> accuracy and confusion, plus
 * F1 and MCC for two classes.
 */
export function computeTaskMetrics(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: { regression: boolean; classes: number; classNames?: string[]; choices?: boolean },
): TaskMetrics {
  const n = labels.length;
  if (options.regression) {
    return { n, accuracy: null, pearson: pearson(predictions, labels), spearman: spearman(predictions, labels) };
  }
  const metrics: TaskMetrics = {
    n,
    accuracy: accuracy(predictions, labels),
    confusion: confusionMatrix(predictions, labels, options.classes),
  };
  if (options.classNames) metrics.classNames = options.classNames;
  // F1 and Matthews are about a positive class: not for choice indices (COPA's "choice 2" is no positive).
  if (options.classes === 2 && !options.choices) {
    metrics.f1 = f1(predictions, labels, 1);
    metrics.mcc = matthewsCorrelation(predictions, labels);
  }
  return metrics;
}

/** The named metric's value, or an error naming what the task offers. */
export function metricValue(metrics: TaskMetrics, name: TaskMetricName): number {
  const value = name === 'accuracy' ? metrics.accuracy : metrics[name];
  if (value === null || value === undefined) {
    const offered = TASK_METRIC_NAMES.filter((m) => (m === 'accuracy' ? metrics.accuracy : metrics[m]) != null);
    throw new Error(`This task has no ${name} (it offers ${offered.join(', ')}).`);
  }
  return value;
}

/** Checks a metric name from the user (CLI, UI). */
export function parseMetricName(text: string): TaskMetricName {
  if ((TASK_METRIC_NAMES as readonly string[]).includes(text)) return text as TaskMetricName;
  throw new Error(`Unknown metric "${text}" (use ${TASK_METRIC_NAMES.join(', ')}).`);
}
