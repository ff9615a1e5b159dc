// Fine-tuning step points, outside the store (charts read them; React never renders per point): per run, the
// steps with L1 (aux LM), L2 (task), L3 (total) and the learning rate. Charts learn that they grew through the
// store's metricsTick (the redraw signal every LineChart listens to), bumped at most every FLUSH_MS.
import type { FinetunePoint } from '../../engine/protocol.ts';
import { useAppStore } from './index.ts';

export interface FinetuneSeries {
  step: number[];
  lmLoss: (number | null)[];
  taskLoss: number[];
  loss: number[];
  lr: number[];
}

const buffers = new Map<string, FinetuneSeries>();
const FLUSH_MS = 120;
let scheduled = false;

/** Where a comparison variant's points go, so each variant keeps its own curve. */
export function pointsKey(runId: string, variant?: string): string {
  return variant ? `${runId}/${variant}` : runId;
}

/** A run's points so far, if any. */
export function peekFinetuneSeries(key: string): FinetuneSeries | undefined {
  return buffers.get(key);
}

/** Appends points (a comparison's variants each get their own key: pointsKey). */
export function appendFinetunePoints(key: string, points: readonly FinetunePoint[]): void {
  let series = buffers.get(key);
  if (!series) {
    series = { step: [], lmLoss: [], taskLoss: [], loss: [], lr: [] };
    buffers.set(key, series);
  }
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
