// One fine-tuning run on the GPU, for the CLI and the engine alike: a FinetuneTrainer over a prepared run,
// stepped by the StepDriver (a few steps in flight, points in batches, a stop honoured at the next step
// boundary), the dev set evaluated at every epoch end or only at the end, and the dataset's metric reported.
// What the caller does with points, evaluations and the trained model goes through callbacks.
import type { GpuContext } from '../gpu/device.ts';
import { parameterCount, parameterTable } from '../model/params.ts';
import type { Checkpoint } from './checkpoint.ts';
import { headWidth, taskHeads } from './finetune-graph.ts';
import type { PreparedFinetune } from './finetune-prepare.ts';
import { type FinetuneStepResult, FinetuneTrainer } from './finetune-trainer.ts';
import type { MetricsBatcherOptions } from './metrics-batcher.ts';
import { type BoundaryWork, StepDriver } from './step-driver.ts';
import { computeTaskMetrics, metricValue, type TaskMetricName, type TaskMetrics } from './task-metrics.ts';

/** One settled step, as charts and records keep it. */
export interface FinetunePoint {
  step: number;
  /** Epoch (0-based) the step's batch belongs to. */
  epoch: number;
  /** L1, the auxiliary LM loss (null when λ = 0). */
  lmLoss: number | null;
  /** L2, the task loss. */
  taskLoss: number;
  /** L3 = L2 + λ·L1. */
  loss: number;
  lr: number;
  gradNorm: number;
  /** Active time of the run when the step settled. */
  elapsedMs: number;
}

/** A run's shape, known once it is prepared. */
export interface FinetuneRunInfo {
  B: number;
  T: number;
  totalSteps: number;
  stepsPerEpoch: number;
  init: string;
  vocabSize: number;
  parameters: number;
  metric: TaskMetricName;
  auxLm: number;
  rows: { train: number; dev: number };
  warnings: string[];
}

/** A dev evaluation. */
export interface FinetuneEval {
  step: number;
  /** Epochs finished (fractional when the run stopped inside one). */
  epoch: number;
  metric: TaskMetricName;
  value: number;
  metrics: TaskMetrics;
}

export interface FinetuneSummary {
  metric: TaskMetricName;
  /** The last dev evaluation's value (NaN before the first). */
  value: number;
  accuracy: number | null;
  steps: number;
  /** Wall time from the start of the run (compiling included). */
  seconds: number;
  /** L2 of the first and the last step. */
  taskLoss: { first: number; last: number };
  init: string;
}

export interface FinetuneOutcome {
  stopped: boolean;
  summary: FinetuneSummary;
  /** L3 of the first and the last step. */
  loss: { first: number; last: number };
  /** The last dev evaluation (absent when stopped before the first), with the prediction per dev example. */
  lastEval?: FinetuneEval & { predictions: Float64Array };
}

export interface FinetuneRunOptions {
  /** Dev evaluation at every epoch end and at the end, or only at the end. */
  evaluate: 'epoch' | 'end';
  /** Steps submitted ahead of the host (default 2). */
  maxInFlight?: number;
  batching?: MetricsBatcherOptions;
  /** After compiling, before the first step. */
  onStarted?: (info: FinetuneRunInfo) => void;
  /** Step points, in batches. */
  onPoints?: (points: FinetunePoint[]) => void;
  onEval?: (evaluation: FinetuneEval) => void;
  /** A run that was not stopped, trained, before its GPU memory is freed (write a checkpoint, read weights). */
  onTrained?: (trainer: FinetuneTrainer) => Promise<void>;
  /** A run that was stopped, at its last step boundary, before its GPU memory is freed (write a checkpoint). */
  onStopped?: (trainer: FinetuneTrainer) => Promise<void>;
  /** Start paused: wait for resume() instead of stepping. */
  paused?: boolean;
  /** At the boundary where a pause takes effect, before waiting (e.g. a checkpoint). */
  onPausing?: (trainer: FinetuneTrainer) => Promise<void>;
  /** The run waits at `step`: a pause took effect. */
  onPaused?: (step: number) => void;
  /** Active time already spent (a resumed run). */
  elapsedMs?: number;
  /** Continue this checkpoint of the same run (weights, moments, step, data cursor) instead of starting. */
  resume?: Checkpoint;
  /** More work at step boundaries, after the dev evaluation (e.g. checkpoints every N steps). */
  work?: (trainer: FinetuneTrainer) => BoundaryWork[];
  now?: () => number;
}

/** What a prepared run will be (the Runs tab and the CLI show it). */
export function finetuneRunInfo(prepared: PreparedFinetune): FinetuneRunInfo {
  const options = prepared.trainer;
  return {
    B: options.B,
    T: options.T,
    totalSteps: prepared.totalSteps,
    stepsPerEpoch: prepared.stepsPerEpoch,
    init: prepared.initDescription,
    vocabSize: options.config.vocabSize,
    parameters: parameterCount(parameterTable(options.config, taskHeads(options.task))),
    metric: prepared.metric,
    auxLm: options.auxLm,
    rows: { train: prepared.trainSet.stats.examples, dev: prepared.devSet.stats.examples },
    warnings: prepared.warnings,
  };
}

export class FinetuneRun {
  private driver: StepDriver<FinetuneStepResult, FinetunePoint> | undefined;
  private stopRequested = false;
  private pauseRequested: boolean;
  private failure: string | undefined;
  private readonly now: () => number;

  constructor(
    private readonly ctx: GpuContext,
    readonly prepared: PreparedFinetune,
    private readonly options: FinetuneRunOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.pauseRequested = options.paused ?? false;
  }

  /** Waits at the next step boundary until resume(). */
  pause(): void {
    this.pauseRequested = true;
    this.driver?.pause();
  }

  resume(): void {
    this.pauseRequested = false;
    this.driver?.resume();
  }

  /** Steps settled and reported so far. */
  get step(): number {
    return this.driver?.step ?? 0;
  }

  /** Active time so far (ms), pauses left out. */
  get elapsedMs(): number {
    return this.driver?.elapsedMs ?? this.options.elapsedMs ?? 0;
  }

  /** Ends the run at the next step boundary (no evaluation after a stop). */
  stop(): void {
    this.stopRequested = true;
    this.driver?.stop();
  }

  /** The device is gone: run() rejects with `message` without waiting for the steps in flight. */
  fail(message: string): void {
    this.failure = message;
    this.driver?.fail(message);
  }

  async run(): Promise<FinetuneOutcome> {
    const { prepared, options } = this;
    if (this.failure !== undefined) throw new Error(this.failure);
    const startedAt = this.now();
    const trainer = await FinetuneTrainer.create(this.ctx, prepared.trainer, prepared.trainSet, prepared.initial);
    try {
      if (options.resume) trainer.restoreCheckpoint(options.resume);
      options.onStarted?.(finetuneRunInfo(prepared));
      const loss = { first: Number.NaN, last: Number.NaN };
      const taskLoss = { first: Number.NaN, last: Number.NaN };
      let lastEval: FinetuneOutcome['lastEval'];
      const driver = new StepDriver(trainer, {
        totalSteps: prepared.totalSteps,
        maxInFlight: options.maxInFlight,
        batching: { now: this.now, ...options.batching },
        point: (r, timing): FinetunePoint => {
          if (r.step === 1) {
            loss.first = r.loss;
            taskLoss.first = r.taskLoss;
          }
          loss.last = r.loss;
          taskLoss.last = r.taskLoss;
          const { step, epoch, lmLoss, loss: l3, lr, gradNorm } = r;
          return { step, epoch, lmLoss, taskLoss: r.taskLoss, loss: l3, lr, gradNorm, elapsedMs: timing.elapsedMs };
        },
        report: (points) => options.onPoints?.(points),
        work: [
          {
            due: (step, end) => end || (options.evaluate === 'epoch' && step % prepared.stepsPerEpoch === 0),
            run: async () => {
              lastEval = await this.evaluate(trainer);
              const { predictions: _predictions, ...evaluation } = lastEval;
              options.onEval?.(evaluation);
            },
          },
          ...(options.work?.(trainer) ?? []),
        ],
        paused: this.pauseRequested,
        onPausing: async () => options.onPausing?.(trainer),
        onPaused: (step) => options.onPaused?.(step),
        elapsedMs: options.elapsedMs,
        now: this.now,
      });
      this.driver = driver;
      if (this.stopRequested) driver.stop();
      if (this.failure !== undefined) driver.fail(this.failure);
      const stopped = (await driver.run()) === 'stopped';
      if (stopped) await options.onStopped?.(trainer);
      else await options.onTrained?.(trainer);
      const summary: FinetuneSummary = {
        metric: prepared.metric,
        value: lastEval?.value ?? Number.NaN,
        accuracy: lastEval?.metrics.accuracy ?? null,
        steps: trainer.step,
        seconds: (this.now() - startedAt) / 1000,
        taskLoss,
        init: prepared.initDescription,
      };
      return { stopped, summary, loss, ...(lastEval ? { lastEval } : {}) };
    } finally {
      trainer.destroy();
    }
  }

  private async evaluate(trainer: FinetuneTrainer): Promise<FinetuneEval & { predictions: Float64Array }> {
    const { prepared } = this;
    const { task } = prepared.trainer;
    const { predictions } = await trainer.evaluate(prepared.devSet);
    const metrics = computeTaskMetrics(predictions, prepared.devSet.labels, {
      regression: task.regression,
      classes: headWidth(task),
      classNames: prepared.classNames,
      choices: task.family === 'multiple-choice',
    });
    return {
      step: trainer.step,
      epoch: trainer.step / prepared.stepsPerEpoch,
      metric: prepared.metric,
      value: metricValue(metrics, prepared.metric),
      metrics,
      predictions,
    };
  }
}
