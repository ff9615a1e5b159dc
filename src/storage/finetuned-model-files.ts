// What a kept fine-tuned model holds besides its checkpoint folder (checkpoint.ts), so the run continues after
// a page reload with nothing else: run.json (the tab's settings, the task family, the task files' names and
// column mappings, dates), train.txt and dev.txt (the task files' text: parsing them again with the same
// mapping gives the same examples, labels and label map), and per checkpoint history.json (the step points and
// dev evaluations so far, for the charts and the kept record). Its summary is what the Runs tab lists.
import type { ColumnMapping } from '../data/tasks/parse-task-file.ts';
import type { TaskFamily } from '../data/tasks/task-types.ts';
import type { FinetuneEval, FinetunePoint } from '../train/finetune-run.ts';
import type { FinetuneSettings } from '../train/settings/finetune-settings.ts';
import type { StoredSummary } from './checkpoint-store.ts';
import { RUN_MANIFEST } from './folder-store.ts';

export const FINETUNED_TRAIN_FILE = 'train.txt';
export const FINETUNED_DEV_FILE = 'dev.txt';
export const FINETUNED_HISTORY_FILE = 'history.json';
const MODEL_FORMAT = 'gpt1-lab-finetuned-model';

/** A task file as a kept model remembers it. */
export interface KeptTaskFile {
  name: string;
  mapping?: ColumnMapping;
}

/** A kept fine-tuned model as the Runs tab lists it: its latest complete checkpoint. */
export interface KeptModelSummary extends StoredSummary {
  family: TaskFamily;
  step: number;
  totalSteps: number;
  settings: FinetuneSettings;
  dataset: { train: string; dev: string };
  /** The last dev evaluation before the checkpoint (null: none yet). */
  lastEval: { metric: string; value: number | null } | null;
}

export interface KeptModelManifest {
  format: typeof MODEL_FORMAT;
  version: 1;
  runId: string;
  family: TaskFamily;
  settings: FinetuneSettings;
  train: KeptTaskFile;
  dev: KeptTaskFile;
  /** Where the run started, in words (FinetuneRunInfo.init): a resumed run still says so. */
  init?: string;
  createdAt: string;
}

export interface FinetuneHistory {
  points: FinetunePoint[];
  evals: FinetuneEval[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The fixed files of a kept model: run.json and the two task files' text. */
export function keptModelFiles(
  manifest: Omit<KeptModelManifest, 'format' | 'version'>,
  texts: { train: string; dev: string },
): Map<string, Uint8Array> {
  const full: KeptModelManifest = { format: MODEL_FORMAT, version: 1, ...manifest };
  return new Map([
    [FINETUNED_TRAIN_FILE, encoder.encode(texts.train)],
    [FINETUNED_DEV_FILE, encoder.encode(texts.dev)],
    [RUN_MANIFEST, encoder.encode(`${JSON.stringify(full, null, 1)}\n`)],
  ]);
}

/** The manifest and task files of a kept model; an error naming the file that is missing or wrong. */
export function parseKeptModelFiles(files: ReadonlyMap<string, Uint8Array>): {
  manifest: KeptModelManifest;
  train: Uint8Array;
  dev: Uint8Array;
} {
  const bytes = files.get(RUN_MANIFEST);
  const train = files.get(FINETUNED_TRAIN_FILE);
  const dev = files.get(FINETUNED_DEV_FILE);
  if (!bytes || !train || !dev) {
    throw new Error(
      `A kept fine-tuned model needs ${RUN_MANIFEST}, ${FINETUNED_TRAIN_FILE} and ${FINETUNED_DEV_FILE}.`,
    );
  }
  let manifest: KeptModelManifest;
  try {
    manifest = JSON.parse(decoder.decode(bytes)) as KeptModelManifest;
  } catch (error) {
    throw new Error(`${RUN_MANIFEST} is not valid JSON: ${(error as Error).message}`);
  }
  if (manifest?.format !== MODEL_FORMAT || manifest.version !== 1) {
    throw new Error(`${RUN_MANIFEST}: not a version-1 ${MODEL_FORMAT} manifest`);
  }
  const named = (f: KeptTaskFile | undefined) => typeof f?.name === 'string';
  if (typeof manifest.runId !== 'string' || !manifest.settings || !named(manifest.train) || !named(manifest.dev)) {
    throw new Error(`${RUN_MANIFEST}: runId, settings or a task file name is missing`);
  }
  return { manifest, train, dev };
}

export function encodeFinetuneHistory(history: FinetuneHistory): Uint8Array {
  return encoder.encode(JSON.stringify(history));
}

/** The history of a checkpoint; empty when missing or unreadable (charts only, never fatal). */
export function parseFinetuneHistory(bytes: Uint8Array | undefined): FinetuneHistory {
  if (!bytes) return { points: [], evals: [] };
  try {
    const parsed = JSON.parse(decoder.decode(bytes)) as FinetuneHistory;
    return {
      points: Array.isArray(parsed.points) ? parsed.points : [],
      evals: Array.isArray(parsed.evals) ? parsed.evals : [],
    };
  } catch {
    return { points: [], evals: [] };
  }
}
