// What the progress bar, the stats line and the document title say about a run: fraction, ETA, rates.
import type { RunRecord } from './store/runs-slice.ts';

export interface RunProgress {
  step: number;
  total: number;
  fraction: number;
  /** Remaining steps × EMA of ms/step; undefined before the first timed step or once finished. */
  etaMs?: number;
}

export function runProgress(run: RunRecord): RunProgress {
  const step = Math.max(run.step, run.latest?.step ?? 0);
  const total = Math.max(1, run.totalSteps || run.settings.steps);
  const fraction = Math.min(1, step / total);
  const remaining = total - step;
  const etaMs = run.msPerStep && remaining > 0 && run.state === 'running' ? remaining * run.msPerStep : undefined;
  return { step, total, fraction, etaMs };
}

export const STATE_LABELS: Record<RunRecord['state'], string> = {
  starting: 'starting',
  preparing: 'preparing',
  running: 'running',
  pausing: 'pausing…',
  paused: 'paused',
  stopped: 'stopped',
  done: 'done',
  error: 'error',
};
