// Where a run's checkpoints live: one interface, an OPFS implementation for the browser (opfs-store.ts)
// and an in-memory one for tests and for browsers without OPFS (memory-store.ts). Both share the folder
// protocol of folder-store.ts, so a checkpoint is either complete or invisible, and the previous one
// stays until its successor is complete.
import type { PretrainSettings } from '../train/settings/pretrain-settings.ts';

/** What the saved-runs list shows for one run: its latest complete checkpoint. */
export interface SavedRunSummary {
  runId: string;
  step: number;
  totalSteps: number;
  /** ISO 8601 time of the latest checkpoint. */
  savedAt: string;
  settings: PretrainSettings;
  /** The run's files and latest checkpoint in bytes (set by list(): what deleting the run frees). */
  bytes?: number;
}

/** What every kind of saved run's summary has (pre-training runs, kept fine-tuned models). */
export interface StoredSummary {
  runId: string;
  /** ISO 8601 time of the latest checkpoint. */
  savedAt: string;
  /** The run's files and latest checkpoint in bytes (set by list(): what deleting the run frees). */
  bytes?: number;
}

/** A run folder's contents: its fixed files and its latest complete checkpoint. */
export interface SavedRun<S extends StoredSummary = SavedRunSummary> {
  summary: S;
  /** Files written once when the run started (run.json, corpus.txt). */
  run: Map<string, Uint8Array>;
  /** The checkpoint's files (writeCheckpoint's map, plus history.json). */
  checkpoint: Map<string, Uint8Array>;
}

export interface CheckpointStore<S extends StoredSummary = SavedRunSummary> {
  /** A label for messages ("browser storage (OPFS)", "memory"). */
  readonly label: string;
  /** Saves the run's fixed files once, before its first checkpoint; complete or invisible. */
  saveRun(runId: string, files: ReadonlyMap<string, Uint8Array>): Promise<void>;
  /**
   * Saves a checkpoint atomically and returns its size in bytes. The previous checkpoint stays intact until
   * this one is complete; a failure (e.g. StorageFullError) leaves it as it was.
   */
  saveCheckpoint(runId: string, files: ReadonlyMap<string, Uint8Array>, summary: S): Promise<number>;
  /** The run's files and latest complete checkpoint; throws when there is none. */
  load(runId: string): Promise<SavedRun<S>>;
  /** Runs with at least one complete checkpoint, newest first. */
  list(): Promise<S[]>;
  delete(runId: string): Promise<void>;
}

/**
 * Not enough storage for a checkpoint: says how much is needed and how much is free. `available` is undefined
 * when the storage itself refused the write (a quota error) after its estimate said the files would fit.
 */
export class StorageFullError extends Error {
  /** How much was needed against what was there, in words ("it needs 1.4 MiB, 0.2 MiB is free"). */
  readonly shortage: string;

  constructor(
    readonly needed: number,
    readonly available: number | undefined,
    readonly where: string,
  ) {
    const shortage =
      available === undefined
        ? `it needs ${formatMiB(needed)}, and the browser refused the write: this site's storage quota is used up`
        : `it needs ${formatMiB(needed)}, ${formatMiB(Math.max(0, available))} is free`;
    super(
      `Not enough space in ${where} to save the checkpoint: ${shortage}. The previous checkpoint is kept. ` +
        'Free space (delete old saved runs) or download the checkpoint.',
    );
    this.shortage = shortage;
    this.name = 'StorageFullError';
  }
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function totalBytes(files: ReadonlyMap<string, Uint8Array>): number {
  let sum = 0;
  for (const data of files.values()) sum += data.byteLength;
  return sum;
}
