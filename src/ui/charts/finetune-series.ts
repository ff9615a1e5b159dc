// Chart data for a fine-tuning run: its L1 / L2 / L3 points from the buffers, and the dev metric per evaluation.
import { peekFinetuneSeries } from '../store/finetune-buffers.ts';
import type { ChartData } from './LineChart.tsx';

/** L1, L2, L3 against the step, for the loss chart. */
export function finetuneLossData(runId: string | undefined): ChartData | null {
  const series = runId ? peekFinetuneSeries(runId) : undefined;
  if (!series?.step.length) return null;
  return { x: series.step, ys: [series.lmLoss, series.taskLoss, series.loss] };
}

/** The dev metric at each evaluation (percent). */
export function finetuneEvalData(evals: readonly { step: number; value: number }[]): ChartData | null {
  if (!evals.length) return null;
  return { x: evals.map((e) => e.step), ys: [evals.map((e) => e.value * 100)] };
}
