// A fine-tuning run kept as a model while it trains: its task files and settings once, then checkpoints at step
// boundaries (every N steps but not more often than a minimum interval, on pause, on stop and at the end),
// through the same RunCheckpoints and atomic folder protocol as pre-training. Each checkpoint is the folder the
// CLI writes (weights with the task head, Adam moments, training state, tokenizer, label map in config.json,
// model card) plus history.json, the step points and dev evaluations so far. A failed save is reported and
// changes nothing: the previous checkpoint stays and training goes on.
import type { ColumnMapping } from '../../data/tasks/parse-task-file.ts';
import {
  encodeFinetuneHistory,
  FINETUNED_HISTORY_FILE,
  type FinetuneHistory,
  type KeptModelSummary,
  keptModelFiles,
} from '../../storage/finetuned-model-files.ts';
import type { FinetunedModelStore } from '../../storage/finetuned-model-store.ts';
import { writeCheckpoint } from '../../train/checkpoint.ts';
import type { PreparedFinetune } from '../../train/finetune-prepare.ts';
import type { FinetuneEval, FinetunePoint } from '../../train/finetune-run.ts';
import type { FinetuneTrainer } from '../../train/finetune-trainer.ts';
import type { FinetuneSettings } from '../../train/settings/finetune-settings.ts';
import { type CheckpointedRun, type CheckpointPacing, RunCheckpoints } from '../pretraining/run-checkpoints.ts';
import type { EmitFn } from '../protocol.ts';

/** A task file as the run read it. */
export interface RunTaskFile {
  name: string;
  text: string;
  mapping?: ColumnMapping;
}

/** What keeping a fine-tuning run needs: where, and what it trains on. */
export interface KeptRunSetup {
  store: FinetunedModelStore;
  settings: FinetuneSettings;
  files: { train: RunTaskFile; dev: RunTaskFile };
  /** A run continued from its kept checkpoint: the step it is at and the history so far. */
  restored?: { step: number; history: FinetuneHistory };
}

export class FinetuneKeeper {
  readonly history: FinetuneHistory;
  private readonly checkpoints: RunCheckpoints<KeptModelSummary>;

  constructor(
    readonly runId: string,
    private readonly setup: KeptRunSetup,
    private readonly prepared: PreparedFinetune,
    pacing: CheckpointPacing,
    emit: EmitFn,
    now: () => number,
  ) {
    const { restored } = setup;
    this.history = restored
      ? {
          // Points past the checkpoint (a later history) would repeat after resuming: drop them.
          points: restored.history.points.filter((p) => p.step <= restored.step),
          evals: restored.history.evals.filter((e) => e.step <= restored.step),
        }
      : { points: [], evals: [] };
    this.checkpoints = new RunCheckpoints(setup.store, this.keptRun(), pacing, emit, now);
    if (restored) this.checkpoints.restored(restored.step);
  }

  private keptRun(): CheckpointedRun<KeptModelSummary> {
    const { runId, prepared } = this;
    const { settings, files } = this.setup;
    const dataset = { train: files.train.name, dev: files.dev.name };
    const taskFile = ({ name, mapping }: RunTaskFile) => ({ name, ...(mapping ? { mapping } : {}) });
    return {
      runId,
      files: () =>
        keptModelFiles(
          {
            runId,
            family: settings.family,
            settings,
            train: taskFile(files.train),
            dev: taskFile(files.dev),
            init: prepared.initDescription,
            createdAt: new Date().toISOString(),
          },
          { train: files.train.text, dev: files.dev.text },
        ),
      summary: (step) => {
        const last = this.history.evals.filter((e) => e.step <= step).at(-1);
        return {
          runId,
          family: settings.family,
          step,
          totalSteps: prepared.totalSteps,
          savedAt: new Date().toISOString(),
          settings,
          dataset,
          lastEval: last ? { metric: last.metric, value: Number.isFinite(last.value) ? last.value : null } : null,
        };
      },
    };
  }

  addPoints(points: readonly FinetunePoint[]): void {
    this.history.points.push(...points);
  }

  addEval(evaluation: FinetuneEval): void {
    this.history.evals.push(evaluation);
  }

  /** Whether the periodic save is due after `step` steps. */
  due(step: number): boolean {
    return this.checkpoints.due(step);
  }

  /** A checkpoint of the trainer at its current step boundary (once per step); failures are reported. */
  save(trainer: FinetuneTrainer, elapsedMs: number): Promise<void> {
    const { prepared } = this;
    const step = trainer.step;
    return this.checkpoints.save(step, async () => {
      const notes = { runId: this.runId, train: this.setup.files.train.name, elapsedMs };
      const ckpt = await trainer.checkpoint(prepared.tokenizer.toJSON(), notes, prepared.classNames);
      const files = writeCheckpoint(ckpt);
      files.set(FINETUNED_HISTORY_FILE, encodeFinetuneHistory(this.history));
      return files;
    });
  }

  /** What a run that failed keeps, in words ('' when nothing was saved yet); `resumable`: say to resume it. */
  keptNote(resumable: boolean): string {
    const step = this.checkpoints.lastSavedStep;
    if (step < 0) return '';
    const advice = resumable ? ': resume it from the Runs tab (a fresh GPU device will be opened)' : '';
    return ` Its last good checkpoint (step ${step}) is kept${advice}.`;
  }
}
