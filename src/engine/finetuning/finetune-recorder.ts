// What a fine-tuning run leaves behind for the Runs tab after a reload: FinetuneRecorder watches one job's
// events (started, step points, dev evaluations, done) per variant and turns each finished or stopped run into
// a FinetuneRecord (src/storage/finetune-record.ts), its curves thinned to a bounded size. A job that fails
// still leaves the runs it finished before the failure.
import type { TaskFamily } from '../../data/tasks/task-types.ts';
import {
  FINETUNE_CURVE_POINTS,
  FINETUNE_RECORD_VERSION,
  type FinetuneRecord,
  type StoredEval,
} from '../../storage/finetune-record.ts';
import type { AblationVariant } from '../../train/finetune-ablation.ts';
import type { FinetunePoint, FinetuneRunInfo, FinetuneSummary } from '../../train/finetune-run.ts';
import type { FinetuneSettings } from '../../train/settings/finetune-settings.ts';
import type { CompareCell, EngineEvent } from '../protocol.ts';

/** Indices of at most `max` evenly spread items of `n` (the first and the last always among them). */
export function thinIndices(n: number, max = FINETUNE_CURVE_POINTS): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max <= 1) return [n - 1];
  return Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
}

/** The storage key of a run or of a comparison's variant ('+' is not a file-name character here). */
export function recordKey(runId: string, variant?: AblationVariant, cell?: CompareCell): string {
  if (variant === undefined) return runId;
  const key = `${runId}.${variant.replace('+', '-')}`;
  return cell === undefined ? key : `${key}.${cell.stage}-s${cell.seed}-lr${cell.lr}`;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

interface Collected {
  variant?: AblationVariant;
  cell?: CompareCell;
  startedAt: number;
  info?: FinetuneRunInfo;
  points: FinetunePoint[];
  evals: StoredEval[];
  summary?: FinetuneSummary;
}

/** One job's events, gathered per variant (a plain run has one, without a variant). */
export class FinetuneRecorder {
  private readonly runs: Collected[] = [];

  constructor(
    private readonly job: {
      runId: string;
      kind: 'finetune' | 'compare';
      family: TaskFamily;
      settings: FinetuneSettings;
      dataset: { train: string; dev: string };
    },
    private readonly now: () => number = Date.now,
  ) {}

  observe(event: EngineEvent): void {
    if (!('runId' in event) || event.runId !== this.job.runId) return;
    const variant = 'variant' in event ? event.variant : undefined;
    const last = this.runs.at(-1);
    // Points, evaluations and the summary belong to the variant that started last.
    const current = last && last.variant === variant ? last : undefined;
    switch (event.type) {
      case 'finetune-started':
        this.runs.push({ variant, cell: event.cell, startedAt: this.now(), info: event.info, points: [], evals: [] });
        break;
      case 'finetune-metrics':
        current?.points.push(...event.points);
        break;
      case 'finetune-eval': {
        const { step, epoch, value, metrics } = event.eval;
        current?.evals.push({ step, epoch, value, accuracy: metrics.accuracy ?? null });
        break;
      }
      case 'finetune-done':
        if (current) current.summary = event.summary;
        break;
    }
  }

  /**
   * Records of the runs that started, given how the job ended. A job that failed (a lost device, a NaN) keeps
   * only the runs that finished before the failure: a comparison's earlier variants are not lost with it.
   */
  records(jobState: string): FinetuneRecord[] {
    const runs =
      jobState === 'done' || jobState === 'stopped'
        ? this.runs
        : jobState === 'error'
          ? this.runs.filter((run) => run.summary)
          : [];
    const endedAt = new Date(this.now()).toISOString();
    return runs.flatMap((run) => (run.info ? [this.record(run, run.info, endedAt)] : []));
  }

  private record(run: Collected, info: FinetuneRunInfo, endedAt: string): FinetuneRecord {
    const { runId, kind, family, settings, dataset } = this.job;
    const keep = thinIndices(run.points.length);
    const pick = <T>(f: (p: FinetunePoint) => T) => keep.map((i) => f(run.points[i]!));
    let best: FinetuneRecord['best'] = null;
    for (const { step, value } of run.evals) {
      if (value !== null && Number.isFinite(value) && (!best || value > best.value)) best = { step, value };
    }
    const last = run.points.at(-1);
    return {
      version: FINETUNE_RECORD_VERSION,
      key: recordKey(runId, run.variant, run.cell),
      runId,
      kind,
      ...(run.variant !== undefined ? { variant: run.variant } : {}),
      ...(run.cell ? { cell: run.cell } : {}),
      family,
      state: run.summary ? 'done' : 'stopped',
      // A learning-rate trial trains on the fit part of the training file and is scored on its held part.
      dataset:
        run.cell?.stage === 'trial'
          ? { train: `${dataset.train} (fit part)`, dev: `${dataset.train} (held part)` }
          : dataset,
      settings,
      info,
      steps: run.summary?.steps ?? last?.step ?? 0,
      seconds: run.summary?.seconds ?? (last?.elapsedMs ?? 0) / 1000,
      startedAt: new Date(run.startedAt).toISOString(),
      endedAt,
      final: finiteOrNull(run.evals.at(-1)?.value ?? Number.NaN),
      best,
      evals: run.evals.map((e) => ({ ...e, value: finiteOrNull(e.value ?? Number.NaN) })),
      curves: {
        step: pick((p) => p.step),
        lmLoss: pick((p) => p.lmLoss),
        taskLoss: pick((p) => p.taskLoss),
        loss: pick((p) => p.loss),
      },
    };
  }
}
