// One pre-training run as the UI drives it: an LmTrainer and its step loop, with batched metrics,
// validation and samples at fixed intervals, pause/resume/step-once/stop at step boundaries, automatic
// checkpoints, and generation and attention maps from the live weights. Pure engine code: events go out
// through an injected `emit`, checkpoints through an injected CheckpointStore, so it runs in the worker
// and in Node tests alike.
//
// The loop keeps up to `maxInFlight` steps submitted ahead of the host (LmTrainer.submitStep returns once a
// step is queued; its result resolves when the GPU is done). A step boundary is where every submitted step
// has finished: pause, stop, validation, samples and checkpoints all wait for one ("drain"), so they see
// consistent weights, and nothing they do touches the training state (data cursor, step, seeds): a run
// paused, sampled or checkpointed any number of times gives the same loss bits as one that never was.
import { splitTrainVal } from '../../data/lm-batches.ts';
import type { GpuContext } from '../../gpu/device.ts';
import { type Gpt1Config, validateConfig } from '../../model/config.ts';
import { initParams, type ParamValues } from '../../model/weights.ts';
import type { CheckpointStore, SavedRun } from '../../storage/checkpoint-store.ts';
import {
  encodeHistory,
  HISTORY_FILE,
  parseHistory,
  parseRunFiles,
  type RunHistory,
  runFiles,
} from '../../storage/run-files.ts';
import { tokenizerFromJSON } from '../../tokenizer/from-json.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import { readCheckpoint, writeCheckpoint } from '../../train/checkpoint.ts';
import { type GenerateOptions, Generator } from '../../train/generator.ts';
import { LmTrainer, type LmTrainerOptions, NonFiniteError, type StepResult } from '../../train/lm-trainer.ts';
import { MetricsBatcher, StepTimer, Stopwatch } from '../../train/metrics-batcher.ts';
import { pretrainSchedule, type Schedule } from '../../train/schedule.ts';
import { type AttentionMaps, attentionMaps } from '../attention-maps.ts';
import type { EngineEvent, GenerateRequest, PretrainSettings, RunState, StepMetrics } from '../protocol.ts';
import { pieceText, promptIds, TextStream } from '../token-pieces.ts';

export type EmitFn = (event: EngineEvent, transfer?: Transferable[]) => void;

export interface SessionDeps {
  ctx: GpuContext;
  emit: EmitFn;
  /** Where checkpoints go; without one, nothing is saved. */
  store?: CheckpointStore;
  now?: () => number;
}

export interface SessionTuning {
  /** Steps submitted ahead of the host (default 2). */
  maxInFlight?: number;
  /** Auto-save every N steps (default 200; 0: only on pause, stop and the end). */
  checkpointEvery?: number;
  /** ... and not more often than this (default 30 s; tests use 0). */
  checkpointMinMs?: number;
  /** Metric batches: at most every `intervalMs` (default 100) or `maxPoints` points (default 64). */
  metricsIntervalMs?: number;
  metricsMaxPoints?: number;
  /** Samples: tokens, temperature, top-k; the seed is fixed per run (default: the run seed). */
  sample?: Partial<GenerateOptions>;
  /** Validation batches per evaluation (default 4). */
  evalBatches?: number;
}

export interface NewRun {
  runId: string;
  settings: PretrainSettings;
  corpus: { name: string; text: string };
  tokenizer: Tokenizer;
  /** The corpus encoded by `tokenizer` (encoded here when absent). */
  ids?: Uint32Array;
  /** Starting weights (default: GPT-1 init from the run seed); tests poison these. */
  initialParams?: ParamValues;
}

const DEFAULT_SAMPLE: GenerateOptions = { maxTokens: 160, temperature: 0.8, topK: 0, seed: 0 };
const MAX_GENERATE_TOKENS = 4096;

type Outcome = { ok: StepResult } | { error: unknown };

/** The model config a run trains: the settings' config with the tokenizer's vocabulary. */
export function runConfig(settings: PretrainSettings, vocabSize: number): Gpt1Config {
  return validateConfig({ ...settings.config, vocabSize });
}

export function trainerOptions(
  settings: PretrainSettings,
  config: Gpt1Config,
  evalBatches: number,
  schedule: Schedule = pretrainSchedule(settings.lr, settings.steps),
): LmTrainerOptions {
  return { config, B: settings.B, T: settings.T, seed: settings.seed, schedule, evalBatches };
}

export class PretrainSession {
  private runState: RunState = 'preparing';
  private readonly control = { stop: false, saveOnPause: false, budget: 0 };
  private wake: (() => void) | undefined;
  private fatal: string | undefined;
  private loop: Promise<RunState> | undefined;
  private lastSavedStep = -1;
  private settledStep: number;
  private lastSaveAt: number;
  private lastEvalStep = -1;
  private lastSampleStep = -1;
  private runFilesSaved = false;
  private readonly batcher: MetricsBatcher;
  private readonly timer: StepTimer;
  private readonly stopwatch: Stopwatch;
  private readonly now: () => number;
  private sampler: Promise<Generator> | undefined;
  private generator: Promise<Generator> | undefined;
  /** Serialises user generations (one Generator, one request at a time). */
  private generating: Promise<void> = Promise.resolve();
  private destroyed = false;

  private constructor(
    private readonly deps: SessionDeps,
    readonly runId: string,
    readonly settings: PretrainSettings,
    readonly config: Gpt1Config,
    readonly tokenizer: Tokenizer,
    readonly corpus: { name: string; text: string },
    /** The corpus encoded by `tokenizer`. */
    readonly ids: Uint32Array,
    private readonly trainer: LmTrainer,
    private readonly tuning: SessionTuning,
    private readonly history: RunHistory,
    elapsedMs: number,
  ) {
    this.now = deps.now ?? (() => performance.now());
    this.batcher = new MetricsBatcher((points) => this.emit({ type: 'metrics', runId, points }), {
      intervalMs: tuning.metricsIntervalMs,
      maxPoints: tuning.metricsMaxPoints,
      now: this.now,
    });
    this.timer = new StepTimer(settings.B * settings.T, this.now);
    this.stopwatch = new Stopwatch(elapsedMs, this.now);
    this.lastSaveAt = this.now();
    this.settledStep = trainer.step;
  }

  /** Compiles a new run (weights from the run seed) and saves its fixed files; call start() next. */
  static async create(deps: SessionDeps, run: NewRun, tuning: SessionTuning = {}): Promise<PretrainSession> {
    const { tokenizer } = run;
    const config = runConfig(run.settings, tokenizer.vocabSize);
    // Saved with the run and shown in saved-runs: the config as trained (the tokenizer's vocabulary).
    const settings = { ...run.settings, config };
    const ids = run.ids ?? Uint32Array.from(tokenizer.encode(run.corpus.text));
    const options = trainerOptions(settings, config, tuning.evalBatches ?? 4);
    const trainer = await LmTrainer.create(
      deps.ctx,
      options,
      splitTrainVal(ids, settings.T),
      run.initialParams ?? initParams(config, settings.seed),
    );
    const history: RunHistory = { metrics: [], evals: [] };
    const session = new PretrainSession(
      deps,
      run.runId,
      settings,
      config,
      tokenizer,
      run.corpus,
      ids,
      trainer,
      tuning,
      history,
      0,
    );
    await session.saveRunFiles();
    return session;
  }

  /** Rebuilds a saved run from its folder (corpus, tokenizer, weights, moments, step, data cursor). */
  static async restore(deps: SessionDeps, saved: SavedRun, tuning: SessionTuning = {}): Promise<PretrainSession> {
    const { manifest, corpusText } = parseRunFiles(saved.run);
    const ckpt = readCheckpoint(saved.checkpoint);
    const tokenizer = tokenizerFromJSON(ckpt.state.tokenizer);
    if (tokenizer.vocabSize !== ckpt.config.vocabSize) {
      throw new Error(
        `The saved tokenizer has ${tokenizer.vocabSize} tokens but the model ${ckpt.config.vocabSize}: the checkpoint is inconsistent.`,
      );
    }
    const settings = manifest.settings;
    const options = trainerOptions(
      { ...settings, B: ckpt.state.B, T: ckpt.state.T, seed: ckpt.state.seed },
      ckpt.config,
      tuning.evalBatches ?? 4,
      ckpt.state.schedule,
    );
    const ids = Uint32Array.from(tokenizer.encode(corpusText));
    const trainer = await LmTrainer.create(deps.ctx, options, splitTrainVal(ids, options.T), ckpt.params);
    try {
      trainer.restoreCheckpoint(ckpt);
    } catch (error) {
      trainer.destroy();
      throw error;
    }
    const history = parseHistory(saved.checkpoint.get(HISTORY_FILE));
    // Points past the checkpoint (saved by a later history) would repeat after resuming: drop them.
    history.metrics = history.metrics.filter((p) => p.step <= ckpt.state.step);
    history.evals = history.evals.filter((e) => e.step <= ckpt.state.step);
    const elapsed = Number(ckpt.state.notes.elapsedMs ?? history.metrics.at(-1)?.elapsedMs ?? 0);
    const session = new PretrainSession(
      deps,
      manifest.runId,
      settings,
      ckpt.config,
      tokenizer,
      { name: manifest.corpusName, text: corpusText },
      ids,
      trainer,
      tuning,
      history,
      Number.isFinite(elapsed) ? elapsed : 0,
    );
    session.runFilesSaved = true;
    session.lastSavedStep = ckpt.state.step;
    session.lastEvalStep = history.evals.at(-1)?.step ?? -1;
    return session;
  }

  get state(): RunState {
    return this.runState;
  }

  /** Steps finished and checked (what the UI is told); equals the trainer's step at every boundary. */
  get step(): number {
    return this.settledStep;
  }

  /** Steps handed to the GPU, in flight ones included. */
  get submittedSteps(): number {
    return this.trainer.step;
  }

  get totalSteps(): number {
    return this.settings.steps;
  }

  /** The metric and validation points so far (for a UI that reconnects). */
  get pastMetrics(): readonly StepMetrics[] {
    return this.history.metrics;
  }

  /** Re-sends the saved history (after resume-saved): one metrics batch and the validation points. */
  replayHistory(): void {
    if (this.history.metrics.length)
      this.emit({ type: 'metrics', runId: this.runId, points: [...this.history.metrics] });
    for (const e of this.history.evals) this.emit({ type: 'eval', runId: this.runId, ...e });
  }

  /** Starts the step loop (or waits paused); resolves with the final state: done, stopped or error. */
  start(options: { paused?: boolean } = {}): Promise<RunState> {
    if (this.loop) throw new Error(`run ${this.runId} has already started`);
    this.control.budget = options.paused ? 0 : Number.POSITIVE_INFINITY;
    this.loop = this.runLoop();
    return this.loop;
  }

  /** Resolves when the loop has ended. */
  get finished(): Promise<RunState> {
    return this.loop ?? Promise.resolve(this.runState);
  }

  get ended(): boolean {
    return this.runState === 'done' || this.runState === 'stopped' || this.runState === 'error';
  }

  pause(): void {
    if (this.runState !== 'running') return;
    this.control.budget = 0;
    this.control.saveOnPause = true;
    this.setState('pausing');
  }

  resume(): void {
    if (this.runState !== 'paused' && this.runState !== 'pausing') return;
    this.control.budget = Number.POSITIVE_INFINITY;
    this.control.saveOnPause = false;
    this.setState('running');
    this.poke();
  }

  /** One step, then paused again (only while paused). */
  stepOnce(): void {
    if (this.runState !== 'paused' || this.control.budget > 0) return;
    this.control.budget = 1;
    this.control.saveOnPause = false;
    this.poke();
  }

  stop(): void {
    if (this.ended) return;
    this.control.stop = true;
    this.poke();
  }

  /** The device is gone: the loop ends in 'error' with this message (checkpoints stay as they are). */
  deviceLost(message: string): void {
    this.fatal = message;
    this.poke();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private emit(event: EngineEvent, transfer?: Transferable[]): void {
    this.deps.emit(event, transfer);
  }

  private setState(state: RunState, message?: string): void {
    this.batcher.flush();
    if (state === 'running') this.stopwatch.start();
    else this.stopwatch.stop();
    this.runState = state;
    const event: EngineEvent = {
      type: 'run-state',
      runId: this.runId,
      state,
      step: this.settledStep,
      totalSteps: this.settings.steps,
    };
    if (message !== undefined) event.message = message;
    this.emit(event);
  }

  private async runLoop(): Promise<RunState> {
    const queue: Promise<Outcome>[] = [];
    const maxInFlight = Math.max(1, this.tuning.maxInFlight ?? 2);
    const { evalEvery, sampleEvery, steps } = this.settings;
    try {
      let pausedAt = -1;
      if (this.control.budget > 0) this.setState('running');
      else {
        this.setState('paused');
        pausedAt = this.trainer.step;
      }
      if (this.trainer.step === 0 && evalEvery > 0 && this.control.budget > 0) await this.evaluate();
      this.timer.restart();
      for (;;) {
        if (this.fatal) throw new Error(this.fatal);
        if (this.control.stop) {
          await this.drain(queue);
          await this.save();
          this.setState('stopped');
          return this.runState;
        }
        if (this.trainer.step >= steps) {
          await this.drain(queue);
          if (evalEvery > 0 && this.lastEvalStep !== this.trainer.step) await this.evaluate();
          if (sampleEvery > 0 && this.lastSampleStep !== this.trainer.step) await this.sample();
          await this.save();
          this.setState('done');
          return this.runState;
        }
        if (this.control.budget <= 0) {
          await this.drain(queue);
          if (this.control.stop || this.fatal) continue;
          if (this.control.saveOnPause) {
            this.control.saveOnPause = false;
            await this.save();
          }
          if (this.control.budget <= 0) {
            // Entering pause, or a step-once finished: either way the UI learns the step it is paused at.
            if (this.runState !== 'paused' || pausedAt !== this.trainer.step) this.setState('paused');
            pausedAt = this.trainer.step;
            await new Promise<void>((resolve) => {
              this.wake = resolve;
            });
            this.timer.restart();
          }
          continue;
        }
        const { result } = await this.trainer.submitStep();
        this.control.budget--;
        queue.push(
          result.then(
            (ok) => ({ ok }),
            (error: unknown) => ({ error }),
          ),
        );
        if (queue.length >= maxInFlight) await this.settle(queue.shift()!);
        const step = this.trainer.step;
        const evalDue = evalEvery > 0 && step % evalEvery === 0 && step < steps;
        const sampleDue = sampleEvery > 0 && step % sampleEvery === 0 && step < steps;
        const saveDue = this.saveDue(step);
        if (evalDue || sampleDue || saveDue) {
          await this.drain(queue);
          if (evalDue) await this.evaluate();
          if (sampleDue) await this.sample();
          if (saveDue) await this.save();
          this.timer.restart();
        }
      }
    } catch (error) {
      this.setState('error', this.failureMessage(error));
      return this.runState;
    }
  }

  private saveDue(step: number): boolean {
    const every = this.tuning.checkpointEvery ?? 200;
    if (!this.deps.store || every <= 0 || step % every !== 0) return false;
    return this.now() - this.lastSaveAt >= (this.tuning.checkpointMinMs ?? 30_000);
  }

  private failureMessage(error: unknown): string {
    const base = this.fatal ?? (error instanceof Error ? error.message : String(error));
    const kept =
      this.lastSavedStep >= 0
        ? ` The last good checkpoint (step ${this.lastSavedStep}) is kept: resume from it.`
        : ' No checkpoint was saved yet.';
    return error instanceof NonFiniteError || this.fatal ? `${base}${kept}` : base;
  }

  private async settle(outcome: Promise<Outcome>): Promise<void> {
    const o = await outcome;
    if ('error' in o) throw o.error;
    const r = o.ok;
    const { msPerStep, tokensPerSecond } = this.timer.tick();
    const point: StepMetrics = {
      step: r.step,
      loss: r.loss,
      gradNorm: r.gradNorm,
      lr: r.lr,
      tokens: r.tokens,
      tokensPerSecond,
      msPerStep,
      elapsedMs: this.stopwatch.elapsed(),
    };
    this.settledStep = r.step;
    this.history.metrics.push(point);
    this.batcher.push(point);
  }

  private async drain(queue: Promise<Outcome>[]): Promise<void> {
    while (queue.length) await this.settle(queue.shift()!);
  }

  private async evaluate(): Promise<void> {
    const step = this.trainer.step;
    const valLoss = await this.trainer.evaluate();
    this.lastEvalStep = step;
    this.history.evals.push({ step, valLoss });
    this.batcher.flush();
    this.emit({ type: 'eval', runId: this.runId, step, valLoss });
  }

  private sharedParams() {
    return { shared: { program: this.trainer.program, params: this.trainer.model.params } };
  }

  private async sample(): Promise<void> {
    const step = this.trainer.step;
    this.sampler ??= Generator.create(this.deps.ctx, this.config, this.sharedParams(), this.settings.T);
    const generator = await this.sampler;
    const options = { ...DEFAULT_SAMPLE, seed: this.settings.seed, ...this.tuning.sample };
    const ids: number[] = [];
    for await (const id of generator.generate(promptIds(this.tokenizer, this.settings.samplePrompt), options)) {
      ids.push(id);
    }
    this.lastSampleStep = step;
    this.batcher.flush();
    const text = this.tokenizer.decode(ids);
    this.emit({ type: 'sample', runId: this.runId, step, prompt: this.settings.samplePrompt, text });
  }

  private async saveRunFiles(): Promise<void> {
    const store = this.deps.store;
    if (!store || this.runFilesSaved) return;
    const files = runFiles(
      { runId: this.runId, settings: this.settings, corpusName: this.corpus.name, createdAt: new Date().toISOString() },
      this.corpus.text,
    );
    try {
      await store.saveRun(this.runId, files);
      this.runFilesSaved = true;
    } catch (error) {
      this.emit({ type: 'error', runId: this.runId, where: 'checkpoint', message: (error as Error).message });
    }
  }

  /** Saves a checkpoint at the current step boundary (once per step); failures are reported, not fatal. */
  private async save(): Promise<void> {
    const store = this.deps.store;
    const step = this.trainer.step;
    if (!store || step === this.lastSavedStep) return;
    await this.saveRunFiles();
    if (!this.runFilesSaved) return;
    try {
      const notes = { runId: this.runId, corpus: this.corpus.name, elapsedMs: this.stopwatch.elapsed() };
      const files = writeCheckpoint(await this.trainer.checkpoint(this.tokenizer.toJSON(), notes));
      files.set(HISTORY_FILE, encodeHistory(this.history));
      const summary = {
        runId: this.runId,
        step,
        totalSteps: this.settings.steps,
        savedAt: new Date().toISOString(),
        settings: this.settings,
      };
      const bytes = await store.saveCheckpoint(this.runId, files, summary);
      this.lastSavedStep = step;
      this.lastSaveAt = this.now();
      this.batcher.flush();
      this.emit({ type: 'checkpoint-saved', runId: this.runId, step, bytes });
    } catch (error) {
      this.emit({ type: 'error', runId: this.runId, where: 'checkpoint', message: (error as Error).message });
    }
  }

  /** Streams a generation from the current weights: one 'generated' event per token, the last with done. */
  generate(request: GenerateRequest): Promise<void> {
    const run = async () => {
      const { requestId } = request;
      const maxTokens = Math.min(MAX_GENERATE_TOKENS, Math.max(0, Math.floor(request.maxTokens)));
      this.generator ??= Generator.create(this.deps.ctx, this.config, this.sharedParams(), this.settings.T);
      const generator = await this.generator;
      const stream = new TextStream(this.tokenizer);
      let count = 0;
      const options = {
        maxTokens,
        temperature: Math.max(0, request.temperature),
        topK: Math.max(0, Math.floor(request.topK)),
        seed: request.seed,
      };
      for await (const id of generator.generate(promptIds(this.tokenizer, request.prompt), options)) {
        if (this.destroyed) return;
        count++;
        const { delta, full } = stream.push(id, count === maxTokens);
        if (delta || count === maxTokens) {
          this.emit({ type: 'generated', requestId, text: delta, done: count === maxTokens, fullText: full });
        }
      }
      if (maxTokens === 0) this.emit({ type: 'generated', requestId, text: '', done: true, fullText: '' });
    };
    const next = this.generating.then(run);
    this.generating = next.catch(() => {});
    return next;
  }

  /** The weights at the current step boundary, for fine-tuning (paused or ended runs only; a GPU read). */
  async weights(): Promise<ParamValues> {
    if (this.runState !== 'paused' && this.runState !== 'stopped' && this.runState !== 'done') {
      throw new Error(`Run ${this.runId} is ${this.runState}: its weights can be read when it is paused or ended.`);
    }
    if (this.destroyed) throw new Error(`Run ${this.runId} has been closed.`);
    return this.trainer.params();
  }

  /** The current checkpoint folder (weights, moments, state, model card), for export; paused or ended runs. */
  async exportFiles(): Promise<{ step: number; files: Map<string, Uint8Array> }> {
    await this.weights(); // the same state check: weights are consistent only at a boundary
    const notes = { runId: this.runId, corpus: this.corpus.name };
    return {
      step: this.trainer.step,
      files: writeCheckpoint(await this.trainer.checkpoint(this.tokenizer.toJSON(), notes)),
    };
  }

  /** Attention maps of `text` (its first T tokens) with the current weights. */
  async attention(text: string): Promise<AttentionMaps & { tokens: string[] }> {
    const ids = this.tokenizer.encode(text).slice(0, this.settings.T);
    if (ids.length === 0) throw new Error('The text has no tokens: type something to look at.');
    const maps = await attentionMaps(this.deps.ctx, this.config, this.sharedParams().shared, ids);
    return { ...maps, tokens: ids.map((id) => pieceText(this.tokenizer, id)) };
  }

  /** Stops the loop if it runs, then frees the GPU programs. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.stop();
    await this.finished;
    await this.generating;
    const free = async (g: Promise<Generator> | undefined) => (await g?.catch(() => undefined))?.destroy();
    await free(this.sampler);
    await free(this.generator);
    this.trainer.destroy();
  }
}
