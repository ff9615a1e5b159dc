// Where a pre-training run's checkpoints go while it trains: its fixed files once (settings, corpus), then a
// checkpoint at step boundaries (every N steps but not more often than a minimum interval, and on pause,
// stop and the end), each written atomically by the store. A failed save is reported and changes nothing:
// the previous checkpoint stays, and training goes on.
import type { CheckpointStore, SavedRunSummary } from '../../storage/checkpoint-store.ts';
import { runFiles } from '../../storage/run-files.ts';
import type { PretrainSettings } from '../../train/settings/pretrain-settings.ts';
import type { EmitFn } from '../protocol.ts';

export interface RunIdentity {
  runId: string;
  settings: PretrainSettings;
  corpus: { name: string; text: string };
}

export interface CheckpointPacing {
  /** Every N steps (default 200; 0: only on pause, stop and the end)... */
  checkpointEvery?: number;
  /** ... and not more often than this (default 30 s). */
  checkpointMinMs?: number;
}

export class RunCheckpoints {
  /** The step of the last complete checkpoint (-1: none yet). */
  lastSavedStep = -1;
  private lastSaveAt: number;
  private runFilesSaved = false;

  constructor(
    private readonly store: CheckpointStore | undefined,
    private readonly run: RunIdentity,
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
    const manifest = {
      runId: run.runId,
      settings: run.settings,
      corpusName: run.corpus.name,
      createdAt: new Date().toISOString(),
    };
    try {
      await store.saveRun(run.runId, runFiles(manifest, run.corpus.text));
      this.runFilesSaved = true;
    } catch (error) {
      this.reportFailure(error);
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
      const summary: SavedRunSummary = {
        runId: run.runId,
        step,
        totalSteps: run.settings.steps,
        savedAt: new Date().toISOString(),
        settings: run.settings,
      };
      const bytes = await store.saveCheckpoint(run.runId, await files(), summary);
      this.lastSavedStep = step;
      this.lastSaveAt = this.now();
      this.emit({ type: 'checkpoint-saved', runId: run.runId, step, bytes });
    } catch (error) {
      this.reportFailure(error);
    }
  }

  /** What a run that failed at a step keeps, in words. */
  keptNote(): string {
    return this.lastSavedStep >= 0
      ? ` The last good checkpoint (step ${this.lastSavedStep}) is kept: resume from it.`
      : ' No checkpoint was saved yet.';
  }

  private reportFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.emit({ type: 'error', runId: this.run.runId, where: 'checkpoint', message });
  }
}
