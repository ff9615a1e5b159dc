// What a fine-tuning run leaves behind for the Runs tab after a reload: FinetuneRecorder watches one job's
// events (started, step points, dev evaluations, done) per variant and turns each finished or stopped run into
// a FinetuneRecord, its curves thinned to a bounded size; parseFinetuneRecord reads one back, refusing a file
// that is not such a record with an error naming the file.
import type { TaskFamily } from '../../data/tasks/task-types.ts';
import type { AblationVariant } from '../../train/finetune-ablation.ts';
import type {
  EngineEvent,
  FinetunePoint,
  FinetuneRecord,
  FinetuneRunInfo,
  FinetuneSettings,
  FinetuneSummary,
  StoredEval,
} from '../protocol.ts';

/** Points kept per curve: enough for a chart's width, a few tens of KiB of JSON per run. */
export const FINETUNE_CURVE_POINTS = 2000;
export const FINETUNE_RECORD_VERSION = 1;

/** Indices of at most `max` evenly spread items of `n` (the first and the last always among them). */
export function thinIndices(n: number, max = FINETUNE_CURVE_POINTS): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max <= 1) return [n - 1];
  return Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
}

/** The storage key of a run or of a comparison's variant ('+' is not a file-name character here). */
export function recordKey(runId: string, variant?: AblationVariant): string {
  return variant === undefined ? runId : `${runId}.${variant.replace('+', '-')}`;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

interface Collected {
  variant?: AblationVariant;
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
        this.runs.push({ variant, startedAt: this.now(), info: event.info, points: [], evals: [] });
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

  /** Records of the runs that started, given how the job ended; none for a job that failed. */
  records(jobState: string): FinetuneRecord[] {
    if (jobState !== 'done' && jobState !== 'stopped') return [];
    const endedAt = new Date(this.now()).toISOString();
    return this.runs.flatMap((run) => (run.info ? [this.record(run, run.info, endedAt)] : []));
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
      key: recordKey(runId, run.variant),
      runId,
      kind,
      ...(run.variant !== undefined ? { variant: run.variant } : {}),
      family,
      state: run.summary ? 'done' : 'stopped',
      dataset,
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

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
// JSON writes NaN and ±Infinity as null: a diverged run's loss reads back as null.
const isNumberish = (x: unknown) => x === null || typeof x === 'number';

/** The record in `text`, or an error saying what is wrong with the file `where`. */
export function parseFinetuneRecord(text: string, where: string): FinetuneRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where} is not valid JSON (${(error as Error).message}); skipped.`);
  }
  if (!isObject(value)) throw new Error(`${where} does not hold a fine-tuning run record; skipped.`);
  if (value.version !== FINETUNE_RECORD_VERSION) {
    throw new Error(
      `${where} has record version ${JSON.stringify(value.version)}, this page reads version ` +
        `${FINETUNE_RECORD_VERSION}; skipped.`,
    );
  }
  const missing: string[] = ['key', 'runId', 'family', 'state'].filter((k) => typeof value[k] !== 'string');
  for (const k of ['settings', 'info', 'dataset', 'curves']) if (!isObject(value[k])) missing.push(k);
  if (!Array.isArray(value.evals)) missing.push('evals');
  if (typeof value.steps !== 'number') missing.push('steps');
  const curves = value.curves as Record<string, unknown> | undefined;
  if (isObject(curves)) {
    const n = Array.isArray(curves.step) ? curves.step.length : -1;
    for (const k of ['step', 'lmLoss', 'taskLoss', 'loss']) {
      const series = curves[k];
      if (!Array.isArray(series) || series.length !== n || !series.every(isNumberish)) missing.push(`curves.${k}`);
    }
  }
  if (missing.length)
    throw new Error(`${where} is not a complete fine-tuning run record (${missing.join(', ')}); skipped.`);
  return value as unknown as FinetuneRecord;
}
