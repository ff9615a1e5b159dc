// One fine-tuning run as the task tabs drive it: a TaskTrainer over a prepared run, stepped with a couple of
// steps in flight, its step points sent in batches (by time, never one message per fast step), the dev set
// evaluated at every epoch end and at the end, and a stop honoured at the next step boundary. Events go out
// through `emit`, tagged with the run id and, inside a comparison, the variant.
import type { GpuContext } from '../../gpu/device.ts';
import { parameterCount, parameterTable } from '../../model/params.ts';
import type { ParamValues } from '../../model/weights.ts';
import type { AblationVariant } from '../../train/finetune-ablation.ts';
import { headWidth, taskHeads } from '../../train/finetune-graph.ts';
import type { PreparedFinetune } from '../../train/finetune-run.ts';
import { type TaskStepResult, TaskTrainer } from '../../train/finetune-trainer.ts';
import { computeTaskMetrics, metricValue } from '../../train/task-metrics.ts';
import type { EmitFn } from '../pretraining/pretrain-session.ts';
import type { EngineEvent, FinetuneEval, FinetunePoint, FinetuneSummary } from '../protocol.ts';

export interface FinetuneRunDeps {
  ctx: GpuContext;
  emit: EmitFn;
  /** Longest time between metric batches while steps finish (default 250 ms). */
  metricsIntervalMs?: number;
  /** Steps submitted ahead of the host (default 2). */
  maxInFlight?: number;
  now?: () => number;
  /** Read the trained weights back at the end of a finished run (for the Attention tab). */
  keepParams?: boolean;
}

export interface FinetuneRunResult {
  stopped: boolean;
  summary: FinetuneSummary;
  /** The last dev evaluation (absent when stopped before the first). */
  eval?: FinetuneEval;
  /** The trained weights, when `keepParams` and the run was not stopped. */
  params?: ParamValues;
}

const MAX_POINTS = 64;

export class FinetuneRun {
  private stopRequested = false;
  private points: FinetunePoint[] = [];
  private lastFlush = 0;
  private readonly now: () => number;
  private startedAt = 0;

  constructor(
    private readonly deps: FinetuneRunDeps,
    readonly runId: string,
    readonly variant: AblationVariant | undefined,
    private readonly prepared: PreparedFinetune,
  ) {
    this.now = deps.now ?? (() => performance.now());
  }

  /** Ends the run at the next step boundary (no evaluation after a stop). */
  stop(): void {
    this.stopRequested = true;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  private emit(event: EngineEvent): void {
    this.deps.emit(this.variant === undefined ? event : ({ ...event, variant: this.variant } as EngineEvent));
  }

  private flush(): void {
    this.lastFlush = this.now();
    if (this.points.length === 0) return;
    const points = this.points;
    this.points = [];
    this.emit({ type: 'finetune-metrics', runId: this.runId, points });
  }

  private record(r: TaskStepResult): void {
    this.points.push({
      step: r.step,
      epoch: r.epoch,
      lmLoss: r.lmLoss,
      taskLoss: r.taskLoss,
      loss: r.loss,
      lr: r.lr,
      gradNorm: r.gradNorm,
      elapsedMs: this.now() - this.startedAt,
    });
    const interval = this.deps.metricsIntervalMs ?? 250;
    if (this.points.length >= MAX_POINTS || this.now() - this.lastFlush >= interval) this.flush();
  }

  async run(): Promise<FinetuneRunResult> {
    const { prepared } = this;
    const options = prepared.trainer;
    this.startedAt = this.now();
    this.lastFlush = this.startedAt;
    const trainer = await TaskTrainer.create(this.deps.ctx, options, prepared.trainSet, prepared.initial);
    try {
      const stepsPerEpoch = trainer.stepsPerEpoch;
      const total = prepared.totalSteps;
      this.emit({
        type: 'finetune-started',
        runId: this.runId,
        info: {
          B: options.B,
          T: options.T,
          totalSteps: total,
          stepsPerEpoch,
          init: prepared.initDescription,
          vocabSize: options.config.vocabSize,
          parameters: parameterCount(parameterTable(options.config, taskHeads(options.task))),
          metric: prepared.metric,
          auxLm: options.auxLm,
          rows: { train: prepared.trainSet.stats.examples, dev: prepared.devSet.stats.examples },
          warnings: prepared.warnings,
        },
      });
      const taskLoss = { first: Number.NaN, last: Number.NaN };
      // Each step's outcome is caught at once (no unhandled rejection while it waits in the queue).
      const queue: Promise<{ ok: TaskStepResult } | { error: unknown }>[] = [];
      const settle = async () => {
        const outcome = await queue.shift()!;
        if ('error' in outcome) throw outcome.error;
        const r = outcome.ok;
        if (r.step === 1) taskLoss.first = r.taskLoss;
        taskLoss.last = r.taskLoss;
        this.record(r);
      };
      const drain = async () => {
        while (queue.length) await settle();
      };
      const maxInFlight = Math.max(1, this.deps.maxInFlight ?? 2);
      let last: FinetuneEval | undefined;
      try {
        while (trainer.step < total && !this.stopRequested) {
          const { result } = await trainer.submitStep();
          queue.push(
            result.then(
              (ok) => ({ ok }),
              (error: unknown) => ({ error }),
            ),
          );
          if (queue.length >= maxInFlight) await settle();
          const epochEnd = trainer.step % stepsPerEpoch === 0 || trainer.step === total;
          if (epochEnd && !this.stopRequested) {
            await drain();
            last = await this.evaluate(trainer, stepsPerEpoch);
          }
        }
        await drain();
      } catch (error) {
        await Promise.all(queue); // nothing left running on buffers about to be freed (outcomes never reject)
        throw error;
      }
      this.flush();
      const stopped = this.stopRequested && trainer.step < total;
      const summary: FinetuneSummary = {
        metric: prepared.metric,
        value: last?.value ?? Number.NaN,
        accuracy: last?.metrics.accuracy ?? null,
        steps: trainer.step,
        seconds: (this.now() - this.startedAt) / 1000,
        taskLoss,
        init: prepared.initDescription,
      };
      const params = this.deps.keepParams && !stopped ? await trainer.params() : undefined;
      if (!stopped) this.emit({ type: 'finetune-done', runId: this.runId, summary });
      return { stopped, summary, eval: last, ...(params ? { params } : {}) };
    } finally {
      this.flush();
      trainer.destroy();
    }
  }

  private async evaluate(trainer: TaskTrainer, stepsPerEpoch: number): Promise<FinetuneEval> {
    const { prepared } = this;
    const { task } = prepared.trainer;
    this.flush();
    const { predictions } = await trainer.evaluate(prepared.devSet);
    const metrics = computeTaskMetrics(predictions, prepared.devSet.labels, {
      regression: task.regression,
      classes: headWidth(task),
      classNames: prepared.classNames,
      choices: task.family === 'multiple-choice',
    });
    const value = metricValue(metrics, prepared.metric);
    const result: FinetuneEval = {
      step: trainer.step,
      epoch: trainer.step / stepsPerEpoch,
      metric: prepared.metric,
      value,
      metrics,
    };
    this.emit({ type: 'finetune-eval', runId: this.runId, eval: result });
    return result;
  }
}
