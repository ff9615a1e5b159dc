// A fine-tuning run as the Runs tab keeps it across reloads (one JSON file per run or comparison variant):
// its shape, and parseFinetuneRecord, which reads one back and refuses a file that is not such a record
// with an error naming the file.

import type { TaskFamily } from '../data/tasks/task-types.ts';
import type { AblationVariant } from '../train/finetune-ablation.ts';
import type { FinetuneRunInfo } from '../train/finetune-run.ts';
import type { FinetuneSettings } from '../train/settings/finetune-settings.ts';

/** Points kept per curve: enough for a chart's width, a few tens of KiB of JSON per run. */
export const FINETUNE_CURVE_POINTS = 2000;
export const FINETUNE_RECORD_VERSION = 1;

/** A dev evaluation as a stored fine-tuning run keeps it (the metric's value; accuracy where it has one). */
export interface StoredEval {
  step: number;
  epoch: number;
  /** null: not a finite number. */
  value: number | null;
  accuracy: number | null;
}

/**
 * A finished or stopped fine-tuning run (or one variant of a comparison) as it is kept across reloads: what it
 * trained on and how, its dev metrics and its curves (at most FINETUNE_CURVE_POINTS points). Its weights are
 * not here: a fine-tuning run's are kept apart, as a model (finetuned-model-store.ts).
 */
export interface FinetuneRecord {
  version: 1;
  /** Where it is stored: the run id, or `<runId>.<variant>` for a comparison's variant. */
  key: string;
  runId: string;
  kind: 'finetune' | 'compare';
  variant?: AblationVariant;
  /** Which run of the variant, when a comparison ran it more than once (seeds, a learning-rate sweep). */
  cell?: { stage: 'recipe' | 'trial' | 'tuned'; seed: number; lr: number };
  family: TaskFamily;
  state: 'done' | 'stopped';
  dataset: { train: string; dev: string };
  settings: FinetuneSettings;
  info: FinetuneRunInfo;
  steps: number;
  seconds: number;
  /** ISO 8601. */
  startedAt: string;
  endedAt: string;
  /** The last and the best dev evaluation's value (null: no evaluation before a stop). */
  final: number | null;
  best: { step: number; value: number } | null;
  evals: StoredEval[];
  /** Step points, evenly thinned to at most FINETUNE_CURVE_POINTS (first and last kept). */
  curves: { step: number[]; lmLoss: (number | null)[]; taskLoss: number[]; loss: number[] };
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
