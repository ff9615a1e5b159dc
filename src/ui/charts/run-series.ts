// Chart data read straight from a run's metric buffers (zero-copy views), aligned for uPlot.
import uPlot from 'uplot';
import { lowerBound, type MetricKey, peekRunMetrics } from '../store/metrics-buffer.ts';
import type { ChartData } from './LineChart.tsx';

/** Train loss per step, and validation loss placed at the step it was measured (null elsewhere). */
export function lossData(runId: string | undefined): ChartData | null {
  const metrics = runId ? peekRunMetrics(runId) : undefined;
  if (!metrics) return null;
  const steps = metrics.columns.step.view();
  const val: (number | null)[] = new Array(steps.length).fill(null);
  const evalSteps = metrics.evalStep.view();
  const evalLoss = metrics.evalLoss.view();
  for (let i = 0; i < evalSteps.length; i++) {
    const index = lowerBound(steps, evalSteps[i]!);
    if (index < steps.length) val[index] = evalLoss[i]!;
  }
  return { x: steps, ys: [metrics.columns.loss.view(), val] };
}

export function metricData(runId: string | undefined, key: MetricKey): ChartData | null {
  const metrics = runId ? peekRunMetrics(runId) : undefined;
  if (!metrics) return null;
  return { x: metrics.columns.step.view(), ys: [metrics.columns[key].view()] };
}

/** Several runs' train loss on one step axis (the union of their steps), for the runs overlay. */
export function overlayLossData(runIds: string[]): ChartData | null {
  const tables: uPlot.AlignedData[] = [];
  for (const runId of runIds) {
    const metrics = peekRunMetrics(runId);
    const steps = metrics?.columns.step.view() ?? new Float64Array(0);
    tables.push([Array.from(steps), Array.from(metrics?.columns.loss.view() ?? [])]);
  }
  if (!tables.length) return null;
  const joined = uPlot.join(tables);
  return { x: joined[0] as ArrayLike<number>, ys: joined.slice(1) as ArrayLike<number | null>[] };
}
