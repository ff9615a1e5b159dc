// Fine-tuning step points, outside the store (charts read them; React never renders per point): per run, the
// steps with L1 (aux LM), L2 (task), L3 (total) and the learning rate. Charts learn that they grew through the
// store's metricsTick (the redraw signal every LineChart listens to), bumped at most every FLUSH_MS.
import type { FinetunePoint } from '../../../engine/protocol.ts';
import type { ChartData } from '../../charts/LineChart.tsx';
import { useAppStore } from '../../store/index.ts';

export interface TaskSeries {
  step: number[];
  lmLoss: (number | null)[];
  taskLoss: number[];
  loss: number[];
  lr: number[];
}

const buffers = new Map<string, TaskSeries>();
const FLUSH_MS = 120;
let scheduled = false;

export function taskSeries(runId: string): TaskSeries {
  let series = buffers.get(runId);
  if (!series) {
    series = { step: [], lmLoss: [], taskLoss: [], loss: [], lr: [] };
    buffers.set(runId, series);
  }
  return series;
}

/** Appends points (a comparison's variants each get their own key: runId/variant). */
export function appendTaskPoints(key: string, points: readonly FinetunePoint[]): void {
  const series = taskSeries(key);
  for (const p of points) {
    series.step.push(p.step);
    series.lmLoss.push(p.lmLoss);
    series.taskLoss.push(p.taskLoss);
    series.loss.push(p.loss);
    series.lr.push(p.lr);
  }
  scheduleRedraw();
}

export function scheduleRedraw(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    useAppStore.setState((s) => ({ metricsTick: s.metricsTick + 1 }));
  }, FLUSH_MS);
}

/** L1, L2, L3 against the step, for the loss chart. */
export function lossChartData(runId: string | undefined): ChartData | null {
  const series = runId ? buffers.get(runId) : undefined;
  if (!series?.step.length) return null;
  return { x: series.step, ys: [series.lmLoss, series.taskLoss, series.loss] };
}

/** The dev metric at each evaluation (percent). */
export function evalChartData(evals: readonly { step: number; value: number }[]): ChartData | null {
  if (!evals.length) return null;
  return { x: evals.map((e) => e.step), ys: [evals.map((e) => e.value * 100)] };
}

/** The latest point of a run (for the stats line). */
export function latestPoint(runId: string | undefined): FinetunePoint | undefined {
  const s = runId ? buffers.get(runId) : undefined;
  const i = (s?.step.length ?? 0) - 1;
  if (!s || i < 0) return undefined;
  return {
    step: s.step[i]!,
    epoch: 0,
    lmLoss: s.lmLoss[i] ?? null,
    taskLoss: s.taskLoss[i]!,
    loss: s.loss[i]!,
    lr: s.lr[i]!,
    gradNorm: 0,
    elapsedMs: 0,
  };
}
