// A task tab's GPU work: one fine-tuning run, or the paper's comparison (Table 5 ablations: pretrained with
// and without the auxiliary LM, from scratch, the first n layers transferred), each variant a FinetuneRun on
// the same data, batch, schedule and seed. Reports its state through 'finetune-state' events and ends in
// done, stopped or error; a stop ends the current variant at its next step boundary and skips the rest.

import type { TaskDataset, TaskFamily } from '../../data/tasks/task-types.ts';
import type { GpuContext } from '../../gpu/device.ts';
import type { LimitNeeds } from '../../gpu/limits.ts';
import type { Gpt1Config } from '../../model/config.ts';
import type { ParamValues } from '../../model/weights.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import type { AblationVariant } from '../../train/finetune-ablation.ts';
import { defaultVariants, variantSettings } from '../../train/finetune-ablation.ts';
import {
  FINETUNE_DEFAULTS,
  type FinetuneInit,
  type FinetuneOptions,
  type PreparedFinetune,
  prepareFinetune,
} from '../../train/finetune-run.ts';
import { planFinetune } from '../../train/finetune-trainer.ts';
import type { EmitFn } from '../pretraining/pretrain-session.ts';
import type { EngineEvent, FinetuneSettings, RunState } from '../protocol.ts';
import { FinetuneRun, type FinetuneRunDeps } from './finetune-session.ts';
import { finetuneInit, pretrainedModel, type Sources } from './finetune-source.ts';

export interface FinetuneJobDeps {
  emit: EmitFn;
  /** The engine's device with at least these limits. */
  device: (needs: LimitNeeds, purpose: string) => Promise<GpuContext>;
  tuning?: Pick<FinetuneRunDeps, 'metricsIntervalMs' | 'maxInFlight'>;
  /** A finished fine-tuning run's model (not a comparison's), kept for attention maps. */
  keep?: (model: FinetunedModel) => void;
}

/** A finished fine-tuning run's weights with what reading them needs. */
export interface FinetunedModel {
  runId: string;
  family: TaskFamily;
  config: Gpt1Config;
  /** Special tokens included. */
  tokenizer: Tokenizer;
  /** The run's context (the longest sequence). */
  T: number;
  needs: LimitNeeds;
  params: ParamValues;
}

export interface TaskData {
  train: TaskDataset;
  dev: TaskDataset;
}

/** The run's options from the tab's settings (the schedule's warm-up is set by withWarmup). */
export function finetuneOptions(settings: FinetuneSettings, data: TaskData, init: FinetuneInit): FinetuneOptions {
  return {
    family: settings.family,
    train: data.train,
    dev: data.dev,
    init,
    auxLm: settings.auxLm,
    epochs: settings.epochs,
    batch: settings.batch,
    lr: settings.lr,
    seed: settings.seed,
    maxGradNorm: settings.clip,
    context: settings.context ?? undefined,
  };
}

/** prepareFinetune with the tab's warm-up fraction (the paper's 0.2 % is at least one step; 0 means none). */
export function prepareWithWarmup(options: FinetuneOptions, warmup: number): PreparedFinetune {
  const prepared = prepareFinetune(options);
  const { schedule } = prepared.trainer;
  const steps = Math.round(schedule.totalSteps * warmup);
  prepared.trainer.schedule = {
    ...schedule,
    warmupSteps: Math.min(schedule.totalSteps, warmup > 0 ? Math.max(1, steps) : 0),
  };
  return prepared;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class FinetuneJob {
  private runState: RunState = 'preparing';
  private run: FinetuneRun | undefined;
  private stopRequested = false;
  private step = 0;
  private totalSteps = 0;
  private variant: AblationVariant | undefined;
  readonly finished: Promise<RunState>;

  private constructor(
    private readonly deps: FinetuneJobDeps,
    readonly runId: string,
    readonly kind: 'finetune' | 'compare',
    body: (job: FinetuneJob) => Promise<void>,
  ) {
    this.setState('preparing');
    this.finished = body(this).then(
      () => {
        this.setState(this.stopRequested ? 'stopped' : 'done');
        return this.runState;
      },
      (error: unknown) => {
        this.setState('error', messageOf(error));
        return this.runState;
      },
    );
  }

  /** Starts one fine-tuning run; the job resolves `finished` when it ends. */
  static finetune(deps: FinetuneJobDeps, runId: string, settings: FinetuneSettings, data: TaskData, sources: Sources) {
    return new FinetuneJob(deps, runId, 'finetune', async (job) => {
      const init = await finetuneInit(settings, sources, data.train);
      const prepared = prepareWithWarmup(finetuneOptions(settings, data, init), settings.warmup);
      const ctx = await job.device(prepared, settings);
      job.totalSteps = prepared.totalSteps;
      const result = await job.runOne(ctx, prepared, undefined, deps.keep !== undefined);
      if (result.params && deps.keep) {
        const { config, T } = prepared.trainer;
        const { needs } = planFinetune(prepared.trainer);
        deps.keep({
          runId,
          family: settings.family,
          config,
          tokenizer: prepared.tokenizer,
          T,
          needs,
          params: result.params,
        });
      }
    });
  }

  /** Starts the comparison: a pretrained start ('current' or 'imported'; 'scratch' settings use 'current'). */
  static compare(deps: FinetuneJobDeps, runId: string, settings: FinetuneSettings, data: TaskData, sources: Sources) {
    return new FinetuneJob(deps, runId, 'compare', async (job) => {
      const source = settings.init === 'imported' ? 'imported' : 'current';
      const pretrained = await pretrainedModel(source, sources);
      const auxLm = settings.auxLm > 0 ? settings.auxLm : FINETUNE_DEFAULTS.auxLm;
      const n = pretrained.config.nLayer;
      const transfer =
        settings.transferLayers !== null && settings.transferLayers < n ? settings.transferLayers : undefined;
      const variants = defaultVariants(n, transfer);
      let metric: PreparedFinetune['metric'] | undefined;
      let rows = 0;
      let ctx: GpuContext | undefined;
      for (const [index, variant] of variants.entries()) {
        if (job.stopRequested) break;
        const { description, ...chosen } = variantSettings(variant, pretrained, auxLm);
        const options = { ...finetuneOptions(settings, data, chosen.init), auxLm: chosen.auxLm };
        const prepared = prepareWithWarmup(options, settings.warmup);
        ctx ??= await job.device(prepared, settings);
        job.totalSteps = prepared.totalSteps * variants.length;
        job.step = prepared.totalSteps * index;
        const result = await job.runOne(ctx, prepared, variant);
        if (result.stopped) break;
        metric = result.summary.metric;
        rows++;
        job.emit({
          type: 'compare-row',
          runId,
          row: {
            variant,
            description,
            auxLm: chosen.auxLm ?? 0,
            metric: result.summary.metric,
            value: result.summary.value,
            accuracy: result.summary.accuracy,
            finalTaskLoss: result.summary.taskLoss.last,
            steps: result.summary.steps,
            seconds: result.summary.seconds,
          },
        });
      }
      job.emit({ type: 'compare-done', runId, metric: metric ?? 'accuracy', rows, stopped: job.stopRequested });
    });
  }

  get state(): RunState {
    return this.runState;
  }

  get ended(): boolean {
    return this.runState === 'done' || this.runState === 'stopped' || this.runState === 'error';
  }

  stop(): void {
    this.stopRequested = true;
    this.run?.stop();
  }

  private emit(event: EngineEvent): void {
    this.deps.emit(event);
  }

  private setState(state: RunState, message?: string): void {
    this.runState = state;
    const event: EngineEvent = {
      type: 'finetune-state',
      runId: this.runId,
      kind: this.kind,
      state,
      step: this.step,
      totalSteps: this.totalSteps,
    };
    if (this.variant !== undefined) event.variant = this.variant;
    if (message !== undefined) event.message = message;
    this.emit(event);
  }

  private device(prepared: PreparedFinetune, settings: FinetuneSettings): Promise<GpuContext> {
    const { needs } = planFinetune(prepared.trainer);
    return this.deps.device(needs, `fine-tuning (${settings.family}) run ${this.runId}`);
  }

  private async runOne(
    ctx: GpuContext,
    prepared: PreparedFinetune,
    variant: AblationVariant | undefined,
    keepParams = false,
  ) {
    const deps = { ctx, emit: this.deps.emit, ...this.deps.tuning, keepParams };
    const run = new FinetuneRun(deps, this.runId, variant, prepared);
    this.run = run;
    if (this.stopRequested) run.stop();
    this.variant = variant;
    this.setState('running');
    try {
      const result = await run.run();
      this.step += result.summary.steps;
      return result;
    } finally {
      this.run = undefined;
    }
  }
}
