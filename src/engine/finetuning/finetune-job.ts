// A task tab's GPU work: one fine-tuning run, or the paper's comparison (Table 5 ablations: pretrained with
// and without the auxiliary LM, from scratch, the first n layers transferred; or the layers sweep), each run a
// FinetuneRun on the same data, batch and schedule, over the comparison's seeds and learning rates. Its runs' points, dev evaluations and summaries go out as events
// (tagged with the variant inside a comparison); its own state goes out as 'finetune-state' events and ends in
// done, stopped or error. A stop ends the current run at its next step boundary and skips the variants left.
// A lost device or a non-finite loss ends the job in 'error' with a message that says what happened, the step,
// what is kept (a comparison's finished variants) and what to do; the GPU memory is freed either way.
import type { TaskDataset, TaskFamily } from '../../data/tasks/task-types.ts';
import type { GpuContext } from '../../gpu/device.ts';
import type { LimitNeeds } from '../../gpu/limits.ts';
import { heldOutSplit, layerSweepVariants } from '../../train/ablation-grid.ts';
import type { Checkpoint } from '../../train/checkpoint.ts';
import { type AblationVariant, defaultVariants, devChance, runAblation } from '../../train/finetune-ablation.ts';
import { type FinetuneOptions, type PreparedFinetune, prepareFinetune } from '../../train/finetune-prepare.ts';
import { resumedFinetune } from '../../train/finetune-resume.ts';
import { type FinetuneOutcome, FinetuneRun, type FinetuneRunOptions } from '../../train/finetune-run.ts';
import { type FinetuneTrainer, planFinetune } from '../../train/finetune-trainer.ts';
import type { CompareSettings } from '../../train/settings/compare-settings.ts';
import { PAPER_FINETUNE } from '../../train/settings/finetune-settings.ts';
import { NonFiniteError } from '../../train/train-program.ts';
import { lostWithin } from '../device-holder.ts';
import type { CompareCell, EmitFn, EngineEvent, FinetuneSettings, RunState } from '../protocol.ts';
import type { RunPacing } from '../run-pacing.ts';
import { FinetuneKeeper, type KeptRunSetup } from './finetune-keeper.ts';
import { finetuneInit, pretrainedModel, type Sources } from './finetune-source.ts';
import { type AttentionWatch, LiveTaskAttention } from './live-task-attention.ts';
import type { TriedModel } from './try-model.ts';

export interface FinetuneJobDeps {
  emit: EmitFn;
  /** Where a fine-tuning run (not a comparison) is kept as a model while it trains; absent: not kept. */
  kept?: KeptRunSetup;
  /** The engine's device with at least these limits. */
  device: (needs: LimitNeeds, purpose: string) => Promise<GpuContext>;
  pacing?: RunPacing;
  /** A finished fine-tuning run's model (not a comparison's), kept for attention maps. */
  keep?: (model: FinetunedModel) => void;
  /** Live attention a fine-tuning run (not a comparison) follows: snapshots at step boundaries. */
  watch?: () => AttentionWatch;
}

/** A finished fine-tuning run's model (Try it, Generate, Attention: model-views.ts plans what those need). */
export interface FinetunedModel extends TriedModel {
  runId: string;
  family: TaskFamily;
}

export interface TaskData {
  train: TaskDataset;
  dev: TaskDataset;
}

/** The run's options from the tab's settings (all but its start). */
export function finetuneOptions(settings: FinetuneSettings, data: TaskData): Omit<FinetuneOptions, 'init'> {
  return {
    family: settings.family,
    train: data.train,
    dev: data.dev,
    auxLm: settings.auxLm,
    epochs: settings.epochs,
    batch: settings.batch,
    lr: settings.lr,
    warmup: settings.warmup,
    seed: settings.seed,
    maxGradNorm: settings.clip,
    context: settings.context ?? undefined,
    accumulation: settings.accumulation,
    minLr: settings.minLr,
    dropout: settings.dropout ?? undefined,
    weightDecay: settings.weightDecay,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class FinetuneJob {
  private runState: RunState = 'preparing';
  private run: FinetuneRun | undefined;
  private stopRequested = false;
  /** Why the device went away, once it has. */
  private failure: string | undefined;
  /** The device the job's runs use, once opened. */
  private ctx: GpuContext | undefined;
  /** Steps of the runs before the current one (a comparison's earlier variants). */
  private step = 0;
  /** Steps the current run has settled. */
  private settled = 0;
  /** Runs of this job that finished (a comparison's variants). */
  private finishedRuns = 0;
  private totalSteps = 0;
  private variant: AblationVariant | undefined;
  /** Keeps a fine-tuning run as a model (checkpoints), once it is prepared. */
  private keeper: FinetuneKeeper | undefined;
  /** A pause asked for: a checkpoint is saved where it takes effect. */
  private saveOnPause = false;
  /** Live attention snapshots of a fine-tuning run, when the engine has a watch. */
  private live: LiveTaskAttention | undefined;
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
        if (this.failure !== undefined) this.setState('error', this.failureMessage(undefined));
        else this.setState(this.stopRequested ? 'stopped' : 'done');
        return this.runState;
      },
      async (error: unknown) => {
        // A readback that failed because the device went away: wait for the loss, then say that.
        if (this.failure === undefined && this.ctx && !(error instanceof NonFiniteError)) await lostWithin(this.ctx);
        this.setState('error', this.failureMessage(error));
        return this.runState;
      },
    );
  }

  /** Starts one fine-tuning run; the job resolves `finished` when it ends. */
  static finetune(deps: FinetuneJobDeps, runId: string, settings: FinetuneSettings, data: TaskData, sources: Sources) {
    return new FinetuneJob(deps, runId, 'finetune', async (job) => {
      const init = await finetuneInit(settings, sources, data.train);
      await job.trainKept(prepareFinetune({ ...finetuneOptions(settings, data), init }), settings, undefined, false);
    });
  }

  /**
   * Continues a kept fine-tuning run from its checkpoint (deps.kept.restored says where it is), on the task
   * files it was trained on; `paused` loads it without stepping; `init` is where it first started, in words.
   */
  static resumeKept(
    deps: FinetuneJobDeps,
    runId: string,
    settings: FinetuneSettings,
    data: TaskData,
    ckpt: Checkpoint,
    options: { paused: boolean; init?: string },
  ) {
    return new FinetuneJob(deps, runId, 'finetune', async (job) => {
      const prepared = resumedFinetune(`kept model ${runId}`, ckpt, finetuneOptions(settings, data));
      // The run's start as it was (the checkpoint it resumes from is not where it started).
      if (options.init) prepared.initDescription = options.init;
      await job.trainKept(prepared, settings, ckpt, options.paused);
    });
  }

  /** One fine-tuning run, kept as a model when deps.kept says where; its model is kept for attention at the end. */
  private async trainKept(
    prepared: PreparedFinetune,
    settings: FinetuneSettings,
    resume: Checkpoint | undefined,
    paused: boolean,
  ): Promise<void> {
    const { deps, runId } = this;
    const ctx = await this.device(prepared, settings);
    this.totalSteps = prepared.totalSteps;
    if (deps.watch) this.live = new LiveTaskAttention({ ctx, runId, prepared, watch: deps.watch, emit: deps.emit });
    if (deps.kept) {
      const now = () => performance.now();
      this.keeper = new FinetuneKeeper(runId, deps.kept, prepared, deps.pacing ?? {}, deps.emit, now);
    }
    const keep = deps.keep;
    const onTrained = async (trainer: FinetuneTrainer) => {
      if (!keep) return;
      const { config, T } = prepared.trainer;
      const params = await trainer.params();
      const { task } = prepared.trainer;
      const classNames = prepared.classNames;
      keep({
        runId,
        family: settings.family,
        config,
        task,
        tokenizer: prepared.tokenizer,
        T,
        params,
        classNames,
      });
    };
    await this.runOne(ctx, prepared, undefined, onTrained, undefined, { resume, paused });
  }

  /**
   * Starts the comparison from a pretrained start ('current' or 'imported'; 'scratch' settings use 'current'):
   * Table 5's rows or the layers sweep, each with the settings' seeds and, with a sweep, the tuned rate.
   */
  static compare(
    deps: FinetuneJobDeps,
    runId: string,
    settings: FinetuneSettings,
    data: TaskData,
    sources: Sources,
    compare: CompareSettings,
  ) {
    return new FinetuneJob(deps, runId, 'compare', async (job) => {
      const pretrained = await pretrainedModel(settings.init === 'imported' ? 'imported' : 'current', sources);
      const n = pretrained.config.nLayer;
      const transfer =
        settings.transferLayers !== null && settings.transferLayers < n ? settings.transferLayers : undefined;
      const common = finetuneOptions(settings, data);
      const auxLm = settings.auxLm > 0 ? settings.auxLm : PAPER_FINETUNE.auxLm;
      const variants = compare.rows === 'layers' ? layerSweepVariants(n) : defaultVariants(n, transfer);
      /** One run per variant (one seed, no sweep): its events carry the variant alone, as before. */
      const single = compare.seeds === 1 && !compare.lrSweep.length;
      let ctx: GpuContext | undefined;
      const result = await runAblation(
        { ...common, pretrained, auxLm, variants, seeds: compare.seeds, lrSweep: compare.lrSweep },
        async ({ variant, description, auxLm: rowAuxLm, seed, lr, stage, index, count, prepared }) => {
          ctx ??= await job.device(prepared, settings);
          if (index === 0) {
            const heldOut = compare.lrSweep.length ? heldOutSplit(data.train).description : undefined;
            const plan = { ...compare, variants, lr, layers: n, auxLm, chance: devChance(prepared) };
            job.emit({ type: 'compare-plan', runId, plan: heldOut ? { ...plan, heldOut } : plan });
          }
          job.totalSteps = prepared.totalSteps * count;
          job.step = prepared.totalSteps * index;
          const cell = single ? undefined : { stage, seed, lr };
          const outcome = await job.runOne(ctx, prepared, variant, undefined, cell);
          if (!outcome.stopped) {
            const { summary } = outcome;
            job.emit({
              type: 'compare-row',
              runId,
              row: {
                variant,
                description,
                auxLm: rowAuxLm,
                stage,
                seed,
                lr,
                metric: summary.metric,
                value: summary.value,
                accuracy: summary.accuracy,
                finalTaskLoss: summary.taskLoss.last,
                steps: summary.steps,
                seconds: summary.seconds,
              },
            });
          }
          return outcome;
        },
        () => job.stopRequested,
      );
      job.emit({
        type: 'compare-done',
        runId,
        metric: result.metric,
        rows: result.rows.length,
        stopped: result.stopped,
      });
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

  /** Waits at the next step boundary (a fine-tuning run, not a comparison), saving a checkpoint there. */
  pause(): boolean {
    if (this.kind !== 'finetune' || this.runState !== 'running' || !this.run) return false;
    this.saveOnPause = true;
    this.run.pause();
    this.setState('pausing');
    return true;
  }

  resume(): boolean {
    if (this.runState !== 'paused' && this.runState !== 'pausing') return false;
    this.saveOnPause = false;
    this.setState('running');
    this.run?.resume();
    return true;
  }

  /** The device is gone: the current run ends at once, the variants left are skipped, the job ends in error. */
  deviceLost(message: string): void {
    if (this.ended) return;
    this.failure = message;
    this.stopRequested = true;
    this.run?.fail(message);
  }

  /** What the person reads when the job fails: what happened and at which step, what is kept, what to do. */
  private failureMessage(error: unknown): string {
    const what = this.kind === 'compare' ? `Comparison ${this.runId}` : `Fine-tuning run ${this.runId}`;
    const n = this.finishedRuns;
    const kept =
      this.kind === 'compare' && n > 0
        ? ` The ${n} variant${n === 1 ? '' : 's'} finished before it ${n === 1 ? 'is' : 'are'} kept in the Runs tab.`
        : '';
    if (this.failure !== undefined) {
      const step = this.step + this.settled;
      const again = this.keeper?.keptNote(true) || ' Start it again: a fresh GPU device will be opened.';
      return `${this.failure} ${what} ended at step ${step}.${kept}${again}`;
    }
    const checkpoint = this.keeper?.keptNote(false) ?? '';
    if (error instanceof NonFiniteError) {
      return (
        `${what} stopped at step ${this.step + error.step}: the loss is ${error.loss} and the gradient norm ` +
        `${error.gradNorm}, so no further step was taken.${kept}${checkpoint} Lower the learning rate and start again.`
      );
    }
    return `${messageOf(error)}${checkpoint}`;
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
      step: this.step + this.settled,
      totalSteps: this.totalSteps,
    };
    if (this.variant !== undefined) event.variant = this.variant;
    if (message !== undefined) event.message = message;
    this.emit(event);
  }

  private async device(prepared: PreparedFinetune, settings: FinetuneSettings): Promise<GpuContext> {
    const { needs } = planFinetune(prepared.trainer);
    this.ctx = await this.deps.device(needs, `fine-tuning (${settings.family}) run ${this.runId}`);
    return this.ctx;
  }

  /** A kept run's options: checkpoints when due, on pause, on stop and at the end; its history replayed. */
  private keptOptions(keeper: FinetuneKeeper, resume: Checkpoint | undefined, paused: boolean) {
    const { runId } = this;
    const run = () => this.run!;
    const save = (trainer: FinetuneTrainer) => keeper.save(trainer, run().elapsedMs);
    const elapsed = Number(resume?.state.notes.elapsedMs ?? keeper.history.points.at(-1)?.elapsedMs ?? 0);
    return {
      resume,
      paused,
      elapsedMs: Number.isFinite(elapsed) ? elapsed : 0,
      work: (trainer: FinetuneTrainer) => [
        { due: (step: number, end: boolean) => end || keeper.due(step), run: () => save(trainer) },
      ],
      onPausing: async (trainer: FinetuneTrainer) => {
        if (!this.saveOnPause) return;
        this.saveOnPause = false;
        await save(trainer);
      },
      onPaused: () => this.setState('paused'),
      onStopped: save,
      /** The points and evaluations before the checkpoint, after 'finetune-started' (charts and the record). */
      replay: () => {
        const { points, evals } = keeper.history;
        if (!resume) return;
        if (points.length) this.emit({ type: 'finetune-metrics', runId, points: [...points] });
        for (const evaluation of evals) this.emit({ type: 'finetune-eval', runId, eval: evaluation });
      },
    } satisfies Partial<FinetuneRunOptions> & { replay: () => void };
  }

  /** One run, its events tagged with the comparison's variant. */
  private async runOne(
    ctx: GpuContext,
    prepared: PreparedFinetune,
    variant: AblationVariant | undefined,
    onTrained?: FinetuneRunOptions['onTrained'],
    cell?: CompareCell,
    restart: { resume?: Checkpoint; paused: boolean } = { paused: false },
  ): Promise<FinetuneOutcome> {
    const { runId, keeper } = this;
    const tag = variant === undefined ? {} : { variant };
    const started = cell === undefined ? tag : { ...tag, cell };
    const pacing = this.deps.pacing ?? {};
    const { replay, ...kept }: Partial<FinetuneRunOptions> & { replay: () => void } = keeper
      ? this.keptOptions(keeper, restart.resume, restart.paused)
      : { replay: () => {} };
    const run = new FinetuneRun(ctx, prepared, {
      evaluate: 'epoch',
      maxInFlight: pacing.maxInFlight,
      batching: { intervalMs: pacing.metricsIntervalMs, maxPoints: pacing.metricsMaxPoints },
      onStarted: (info) => {
        this.emit({ type: 'finetune-started', runId, ...started, info });
        replay();
      },
      onPoints: (points) => {
        this.settled = points.at(-1)?.step ?? this.settled;
        keeper?.addPoints(points);
        this.emit({ type: 'finetune-metrics', runId, ...tag, points });
      },
      onEval: (evaluation) => {
        keeper?.addEval(evaluation);
        this.emit({ type: 'finetune-eval', runId, ...tag, eval: evaluation });
      },
      onTrained,
      ...kept,
      work: (trainer) => [...(this.live ? [this.live.work(trainer)] : []), ...(kept.work?.(trainer) ?? [])],
    });
    this.run = run;
    if (this.failure !== undefined) run.fail(this.failure);
    else if (this.stopRequested) run.stop();
    this.variant = variant;
    this.settled = restart.resume?.state.step ?? 0;
    this.setState(restart.paused ? 'paused' : 'running');
    try {
      const outcome = await run.run();
      if (!outcome.stopped) {
        this.emit({ type: 'finetune-done', runId, ...tag, summary: outcome.summary });
        this.finishedRuns++;
      }
      this.step += outcome.summary.steps;
      this.settled = 0;
      return outcome;
    } finally {
      this.run = undefined;
    }
  }
}
