// Task metrics as the paper prints them: everything × 100 (accuracy and F1 in percent, Matthews and Pearson
// correlations × 100), one decimal.
import type { TaskMetricName } from '../../../train/task-metrics.ts';

export const METRIC_LABELS: Record<TaskMetricName, string> = {
  accuracy: 'accuracy',
  f1: 'F1',
  mcc: 'Matthews corr.',
  pearson: 'Pearson corr.',
  spearman: 'Spearman corr.',
};

export function formatMetricValue(metric: TaskMetricName, value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${(value * 100).toFixed(1)}${metric === 'accuracy' || metric === 'f1' ? ' %' : ''}`;
}
