// Where a run's checkpoints go while it trains (a pre-training run, or a fine-tuning run kept as a model): its
// fixed files once (settings, corpus or task files), then a
// checkpoint at step boundaries (every N steps but not more often than a minimum interval, and on pause,
// stop and the end), each written atomically by the store. A failed save is reported and changes nothing:
// the previous checkpoint stays, and training goes on. When storage is full, the report says which step is
// kept and names the other saved runs with their sizes, so the person knows what to delete.
import {
  type CheckpointStore,
  formatMiB,
  type SavedRunSummary,
  StorageFullError,
  type StoredSummary,
} from '../../storage/checkpoint-store.ts';
import { runFiles } from '../../storage/run-files.ts';
import type { ProbeSet } from '../../train/probes/probe-sets.ts';
import type { PretrainSettings } from '../../train/settings/pretrain-settings.ts';
import type { EmitFn } from '../protocol.ts';

export interface RunIdentity {
  runId: string;
  settings: PretrainSettings;
  corpus: { name: string; text: string };
  /** The zero-shot probe sets it scores, saved with it. */
  probeSets?: readonly ProbeSet[];
}

/** What the store keeps of a run besides its checkpoints: pre-training runs and kept fine-tuned models. */
export interface CheckpointedRun<S extends StoredSummary> {
  runId: string;
  /** The run's fixed files (run.json among them), saved once before the first checkpoint. */
  files(): Map<string, Uint8Array>;
  /** The summary a checkpoint of `step` is listed with. */
  summary(step: number): S;
}

/** A pre-training run as the store keeps it: settings and corpus once, the settings in every summary. */
export function pretrainingRun(run: RunIdentity): CheckpointedRun<SavedRunSummary> {
  return {
    runId: run.runId,
    files: () => {
      const manifest = {
        runId: run.runId,
        settings: run.settings,
        corpusName: run.corpus.name,
        createdAt: new Date().toISOString(),
      };
      return runFiles(manifest, run.corpus.text, run.probeSets);
    },
    summary: (step) => ({
      runId: run.runId,
      step,
      totalSteps: run.settings.steps,
      savedAt: new Date().toISOString(),
      settings: run.settings,
    }),
  };
}

export interface CheckpointPacing {
  /** Every N steps (default 200; 0: only on pause, stop and the end)... */
  checkpointEvery?: number;
  /** ... and not more often than this (default 30 s). */
  checkpointMinMs?: number;
}

export class RunCheckpoints<S extends StoredSummary = SavedRunSummary> {
  /** The step of the last complete checkpoint (-1: none yet). */
  lastSavedStep = -1;
  private lastSaveAt: number;
  private runFilesSaved = false;

  constructor(
    private readonly store: CheckpointStore<S> | undefined,
    private readonly run: CheckpointedRun<S>,
    private readonly pacing: CheckpointPacing,
    private readonly emit: EmitFn,
    private readonly now: () => number,
  ) {
    this.lastSaveAt = now();
  }

  /** A run rebuilt from its folder: its files are there, and its checkpoint is at `step`. */
  restored(step: number): void {
    this.runFilesSaved = true;
    this.lastSavedStep = step;
  }

  /** Whether the periodic save is due after `step` steps. */
  due(step: number): boolean {
    const every = this.pacing.checkpointEvery ?? 200;
    if (!this.store || every <= 0 || step % every !== 0) return false;
    return this.now() - this.lastSaveAt >= (this.pacing.checkpointMinMs ?? 30_000);
  }

  /** Saves the run's fixed files once (before the first checkpoint). */
  async saveRunFiles(): Promise<void> {
    const { store, run } = this;
    if (!store || this.runFilesSaved) return;
    try {
      await store.saveRun(run.runId, run.files());
      this.runFilesSaved = true;
    } catch (error) {
      await this.reportFailure(error, 'The run could not be saved');
    }
  }

  /**
   * Saves a checkpoint of `step` (once per step: a second call at the same step does nothing); `files`
   * builds its files at the step boundary. Resolves whether or not it could be saved.
   */
  async save(step: number, files: () => Promise<Map<string, Uint8Array>>): Promise<void> {
    const { store, run } = this;
    if (!store || step === this.lastSavedStep) return;
    await this.saveRunFiles();
    if (!this.runFilesSaved) return;
    try {
      const bytes = await store.saveCheckpoint(run.runId, await files(), run.summary(step));
      this.lastSavedStep = step;
      this.lastSaveAt = this.now();
      this.emit({ type: 'checkpoint-saved', runId: run.runId, step, bytes });
    } catch (error) {
      await this.reportFailure(error, `The checkpoint of step ${step} was not saved`);
    }
  }

  /** What a run that failed at a step keeps, in words. */
  keptNote(): string {
    return this.lastSavedStep >= 0
      ? ` The last good checkpoint (step ${this.lastSavedStep}) is kept: resume from it.`
      : ' No checkpoint was saved yet.';
  }

  private async reportFailure(error: unknown, what: string): Promise<void> {
    const message =
      error instanceof StorageFullError
        ? await this.storageFull(error, what)
        : error instanceof Error
          ? error.message
          : String(error);
    this.emit({ type: 'error', runId: this.run.runId, where: 'checkpoint', message });
  }

  /** Full storage, in words: what was not saved, what is kept, and what could be deleted to make room. */
  private async storageFull(error: StorageFullError, what: string): Promise<string> {
    const { runId } = this.run;
    const kept =
      this.lastSavedStep >= 0
        ? `Training goes on, and the checkpoint of step ${this.lastSavedStep} is kept.`
        : 'Training goes on, but nothing of this run is saved yet.';
    let others: S[] = [];
    try {
      others = (await this.store!.list()).filter((r) => r.runId !== runId);
    } catch {
      // Listing is advice only: without it the message still says what to do.
    }
    others.sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0));
    const named = others.map((r) => (r.bytes === undefined ? r.runId : `${r.runId} (${formatMiB(r.bytes)})`));
    const advice = named.length
      ? `To make room, delete saved runs you no longer need on the Runs tab: ${named.join(', ')}; or export this run to keep a copy on disk.`
      : `No other run is saved here to delete: export this run to keep a copy on disk, or free space for this site in the browser's settings.`;
    return `${what}: ${error.where} is full (${error.shortage}). ${kept} ${advice}`;
  }
}
