// One pre-training run as the UI drives it: an LmTrainer stepped by the StepDriver, with validation and
// samples at fixed intervals and checkpoints (run-checkpoints.ts) at step boundaries, pause / step once /
// resume / stop, and the run's state told to the UI. Generation and attention maps of the live weights go
// through its LiveModel. Pure engine code: events go out through an injected `emit`, checkpoints through an
// injected store, so it runs in the worker and in Node tests alike.
//
// The step driver keeps nothing of the training state, so a run paused, sampled or checkpointed any number
// of times gives the same loss bits as one that never was.
import { splitTrainVal } from '../../data/lm-batches.ts';
import type { GpuContext } from '../../gpu/device.ts';
import { type Gpt1Config, validateConfig } from '../../model/config.ts';
import { withManifest } from '../../model/manifest.ts';
import { initParams, type ParamValues } from '../../model/weights.ts';
import type { CheckpointStore, SavedRun } from '../../storage/checkpoint-store.ts';
import { encodeHistory, HISTORY_FILE, parseHistory, parseRunFiles, type RunHistory } from '../../storage/run-files.ts';
import { tokenizerFromJSON } from '../../tokenizer/from-json.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import { readCheckpoint, writeCheckpoint } from '../../train/checkpoint.ts';
import type { GenerateOptions } from '../../train/generator.ts';
import {
  LmTrainer,
  type LmTrainerOptions,
  NonFiniteError,
  type StepMetrics,
  type StepResult,
} from '../../train/lm-trainer.ts';
import { tokensPerSecond } from '../../train/metrics-batcher.ts';
import { resumedPretrainOptions } from '../../train/pretrain-resume.ts';
import { builtinProbeSets, type ProbeSet } from '../../train/probes/probe-sets.ts';
import type { SamplingOptions } from '../../train/sampling.ts';
import type { Schedule } from '../../train/schedule.ts';
import type { GenerateSettings } from '../../train/settings/generate-settings.ts';
import { type PretrainSettings, pretrainRecipe } from '../../train/settings/pretrain-settings.ts';
import { dueEvery, StepDriver } from '../../train/step-driver.ts';
import { lostWithin } from '../device-holder.ts';
import type { EmitFn, EngineEvent, NextToken, RunState } from '../protocol.ts';
import type { RunPacing } from '../run-pacing.ts';
import { type GeneratedPiece, LiveModel } from './live-model.ts';
import { pretrainingRun, RunCheckpoints } from './run-checkpoints.ts';

export interface SessionDeps {
  ctx: GpuContext;
  emit: EmitFn;
  /** Where checkpoints go; without one, nothing is saved. */
  store?: CheckpointStore;
  /**
   * The zero-shot probe sets the run scores every probeEvery steps (saved with the run). Default: a new run
   * scores the built-in ones, a restored run the sets saved with it (the built-in ones for older runs).
   */
  probeSets?: readonly ProbeSet[];
  now?: () => number;
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
  /** The config of the model the weights come from (default: the settings' with the tokenizer's vocabulary). */
  config?: Gpt1Config;
}

const DEFAULT_SAMPLE: GenerateOptions = { maxTokens: 160, temperature: 0.8, topK: 0, seed: 0 };

/** The model config a run trains: the settings' config with the tokenizer's vocabulary. */
export function runConfig(settings: PretrainSettings, vocabSize: number): Gpt1Config {
  return validateConfig({ ...settings.config, vocabSize });
}

export function trainerOptions(
  settings: PretrainSettings,
  config: Gpt1Config,
  evalBatches: number,
  schedule?: Schedule,
): LmTrainerOptions {
  const recipe = pretrainRecipe(settings);
  const { B, T, seed } = settings;
  return { config, B, T, seed, evalBatches, ...recipe, schedule: schedule ?? recipe.schedule };
}

/** What a session is built from: the run, its trainer (weights in place) and what it already did. */
interface SessionParts {
  runId: string;
  settings: PretrainSettings;
  config: Gpt1Config;
  tokenizer: Tokenizer;
  corpus: { name: string; text: string };
  ids: Uint32Array;
  trainer: LmTrainer;
  history: RunHistory;
  probeSets: readonly ProbeSet[];
  /** Active time already spent (ms). */
  elapsedMs: number;
}

export class PretrainSession {
  readonly runId: string;
  readonly settings: PretrainSettings;
  readonly config: Gpt1Config;
  readonly tokenizer: Tokenizer;
  readonly corpus: { name: string; text: string };
  /** The corpus encoded by `tokenizer`. */
  readonly ids: Uint32Array;
  private readonly trainer: LmTrainer;
  private readonly history: RunHistory;
  /** The zero-shot probe sets this run scores. */
  readonly probeSets: readonly ProbeSet[];
  private readonly driver: StepDriver<StepResult, StepMetrics>;
  private readonly checkpoints: RunCheckpoints;
  private readonly live: LiveModel;
  private runState: RunState = 'preparing';
  private loop: Promise<RunState> | undefined;
  /** The step the UI was last told the run is paused at. */
  private pausedAt = -1;
  private saveOnPause = false;
  private fatal: string | undefined;
  private lastEvalStep = -1;
  private lastSampleStep = -1;
  private lastProbeStep = -1;
  /** Live attention: the text whose maps are taken every `every` steps, and the step of the last ones. */
  private watch: { text: string; every: number } | undefined;
  private lastSnapshotStep = -1;
  private destroyed = false;

  private constructor(
    private readonly deps: SessionDeps,
    parts: SessionParts,
    private readonly pacing: RunPacing,
  ) {
    ({
      runId: this.runId,
      settings: this.settings,
      config: this.config,
      tokenizer: this.tokenizer,
      corpus: this.corpus,
      ids: this.ids,
      trainer: this.trainer,
      history: this.history,
      probeSets: this.probeSets,
    } = parts);
    const now = deps.now ?? (() => performance.now());
    const { evalEvery, sampleEvery, steps } = this.settings;
    const probeEvery = this.settings.probeEvery ?? 0;
    this.checkpoints = new RunCheckpoints(deps.store, pretrainingRun(parts), pacing, deps.emit, now);
    this.live = new LiveModel(deps.ctx, this.config, this.tokenizer, this.settings.T, {
      shared: { program: this.trainer.program, params: this.trainer.model.params },
    });
    this.driver = new StepDriver(this.trainer, {
      totalSteps: steps,
      maxInFlight: pacing.maxInFlight,
      batching: { intervalMs: pacing.metricsIntervalMs, maxPoints: pacing.metricsMaxPoints },
      point: (r, timing) => {
        const point: StepMetrics = {
          ...r,
          tokensPerSecond: tokensPerSecond(this.settings.B * this.settings.T, timing.msPerStep),
          msPerStep: timing.msPerStep,
          elapsedMs: timing.elapsedMs,
        };
        this.history.metrics.push(point);
        return point;
      },
      report: (points) => this.emit({ type: 'metrics', runId: this.runId, points }),
      // Validation and samples every N steps and once at the end (the end's come in this order too).
      work: [
        { due: (step, end) => dueEvery(evalEvery, steps, step, end, this.lastEvalStep), run: () => this.evaluate() },
        { due: (step, end) => dueEvery(sampleEvery, steps, step, end, this.lastSampleStep), run: () => this.sample() },
        { due: (step, end) => dueEvery(probeEvery, steps, step, end, this.lastProbeStep), run: () => this.probe() },
        {
          due: (step, end) => dueEvery(this.watch?.every ?? 0, steps, step, end, this.lastSnapshotStep),
          run: () => this.snapshotAttention(),
        },
        { due: (step, end) => end || this.checkpoints.due(step), run: () => this.save() },
      ],
      onPausing: async () => {
        if (!this.saveOnPause) return;
        this.saveOnPause = false;
        await this.save();
      },
      onPaused: (step) => {
        // Entering pause, or a step-once finished: either way the UI learns the step it is paused at.
        if (this.runState !== 'paused' || this.pausedAt !== step) this.setState('paused');
        this.pausedAt = step;
      },
      // Step 0's evaluation, and Figure 2's first probe round on the untrained model, once it starts training
      // (a run opened paused at step 0 has them when it is resumed).
      beforeFirstStep: async (step) => {
        if (step !== 0) return;
        if (evalEvery > 0) await this.evaluate();
        if (probeEvery > 0) await this.probe();
      },
      elapsedMs: parts.elapsedMs,
      now,
    });
  }

  /** Compiles a new run (weights from the run seed) and saves its fixed files; call start() next. */
  static async create(deps: SessionDeps, run: NewRun, pacing: RunPacing = {}): Promise<PretrainSession> {
    const { tokenizer } = run;
    const config = run.config ?? runConfig(run.settings, tokenizer.vocabSize);
    // Saved with the run and shown in saved-runs: the config as trained (the tokenizer's vocabulary).
    const settings = { ...run.settings, config };
    const ids = run.ids ?? Uint32Array.from(tokenizer.encode(run.corpus.text));
    const trainer = await LmTrainer.create(
      deps.ctx,
      trainerOptions(settings, config, pacing.evalBatches ?? 4),
      splitTrainVal(ids, settings.T),
      run.initialParams ?? initParams(config, settings.seed),
    );
    const history: RunHistory = { metrics: [], evals: [], probes: [] };
    const probeSets = deps.probeSets ?? builtinProbeSets();
    const parts = {
      runId: run.runId,
      settings,
      config,
      tokenizer,
      corpus: run.corpus,
      ids,
      trainer,
      history,
      probeSets,
    };
    const session = new PretrainSession(deps, { ...parts, elapsedMs: 0 }, pacing);
    await session.checkpoints.saveRunFiles();
    return session;
  }

  /** Rebuilds a saved run from its folder (corpus, tokenizer, weights, moments, step, data cursor). */
  static async restore(deps: SessionDeps, saved: SavedRun, pacing: RunPacing = {}): Promise<PretrainSession> {
    const { manifest, corpusText, probeSets: savedProbeSets } = parseRunFiles(saved.run);
    const ckpt = readCheckpoint(saved.checkpoint);
    const tokenizer = tokenizerFromJSON(ckpt.state.tokenizer);
    const settings = manifest.settings;
    // The settings' recipe (accumulation), then what the checkpoint fixes (batch, schedule, clipping, …).
    const options = {
      ...trainerOptions(settings, ckpt.config, pacing.evalBatches ?? 4),
      ...resumedPretrainOptions(ckpt),
    };
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
    history.probes = history.probes.filter((p) => p.step <= ckpt.state.step);
    const elapsed = Number(ckpt.state.notes.elapsedMs ?? history.metrics.at(-1)?.elapsedMs ?? 0);
    const corpus = { name: manifest.corpusName, text: corpusText };
    const probeSets = deps.probeSets ?? savedProbeSets ?? builtinProbeSets();
    const config = ckpt.config;
    const parts = { runId: manifest.runId, settings, config, tokenizer, corpus, ids, trainer, history, probeSets };
    const session = new PretrainSession(deps, { ...parts, elapsedMs: Number.isFinite(elapsed) ? elapsed : 0 }, pacing);
    session.checkpoints.restored(ckpt.state.step);
    session.lastEvalStep = history.evals.at(-1)?.step ?? -1;
    session.lastProbeStep = history.probes.at(-1)?.step ?? -1;
    return session;
  }

  get state(): RunState {
    return this.runState;
  }

  /** Steps finished and checked (what the UI is told); equals the trainer's step at every boundary. */
  get step(): number {
    return this.driver.step;
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
    for (const p of this.history.probes) this.emit({ type: 'probes', runId: this.runId, ...p });
  }

  /** Starts the step loop (or waits paused); resolves with the final state: done, stopped or error. */
  start(options: { paused?: boolean } = {}): Promise<RunState> {
    if (this.loop) throw new Error(`run ${this.runId} has already started`);
    this.loop = this.runLoop(options.paused ?? false);
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
    this.driver.pause();
    this.saveOnPause = true;
    this.setState('pausing');
  }

  resume(): void {
    if (this.runState !== 'paused' && this.runState !== 'pausing') return;
    this.saveOnPause = false;
    this.setState('running');
    this.driver.resume();
  }

  /** One step, then paused again (only while paused). */
  stepOnce(): void {
    if (this.runState !== 'paused') return;
    this.saveOnPause = false;
    this.driver.stepOnce();
  }

  stop(): void {
    if (!this.ended) this.driver.stop();
  }

  /** The device is gone: the loop ends in 'error' with this message (checkpoints stay as they are). */
  deviceLost(message: string): void {
    this.fatal = message;
    this.driver.fail(message);
  }

  private emit(event: EngineEvent, transfer?: Transferable[]): void {
    this.deps.emit(event, transfer);
  }

  private setState(state: RunState, message?: string): void {
    this.driver.flush(); // the points so far arrive before the state that follows them
    this.runState = state;
    const event: EngineEvent = {
      type: 'run-state',
      runId: this.runId,
      state,
      step: this.driver.step,
      totalSteps: this.settings.steps,
    };
    if (message !== undefined) event.message = message;
    this.emit(event);
  }

  private async runLoop(paused: boolean): Promise<RunState> {
    try {
      if (paused) {
        this.driver.pause();
        this.setState('paused');
        this.pausedAt = this.trainer.step;
      } else {
        this.setState('running');
      }
      const end = await this.driver.run();
      if (end === 'stopped') await this.save();
      this.setState(end);
    } catch (error) {
      // A readback that failed because the device went away: wait for the loss, then say that.
      if (this.fatal === undefined && !(error instanceof NonFiniteError)) await lostWithin(this.deps.ctx);
      this.setState('error', this.failureMessage(error));
    }
    return this.runState;
  }

  private failureMessage(error: unknown): string {
    const base = this.fatal ?? (error instanceof Error ? error.message : String(error));
    return error instanceof NonFiniteError || this.fatal ? `${base}${this.checkpoints.keptNote()}` : base;
  }

  private async evaluate(): Promise<void> {
    const step = this.trainer.step;
    const valLoss = await this.trainer.evaluate();
    this.lastEvalStep = step;
    this.history.evals.push({ step, valLoss });
    this.emit({ type: 'eval', runId: this.runId, step, valLoss });
  }

  private async sample(): Promise<void> {
    const step = this.trainer.step;
    const prompt = this.settings.samplePrompt;
    const text = await this.live.sample(prompt, { ...DEFAULT_SAMPLE, seed: this.settings.seed, ...this.pacing.sample });
    this.lastSampleStep = step;
    this.emit({ type: 'sample', runId: this.runId, step, prompt, text });
  }

  /** A zero-shot probe round on the current weights (reads them; never writes weights, moments or seeds). */
  private async probe(): Promise<void> {
    if (!this.probeSets.length) return; // the person left every set out
    const step = this.trainer.step;
    const results = await this.live.probe(this.probeSets);
    this.lastProbeStep = step;
    this.history.probes.push({ step, results });
    this.emit({ type: 'probes', runId: this.runId, step, results });
  }

  /**
   * Live attention maps at this step boundary, on a program sharing the training weights (it reads them and
   * nothing else, so the losses are those of a run not watched). A text that fails stops the watch, saying why.
   */
  private async snapshotAttention(): Promise<void> {
    const watch = this.watch;
    if (!watch) return;
    const step = this.trainer.step;
    this.lastSnapshotStep = step;
    try {
      const { tokens, layers, heads, data } = await this.live.attention(watch.text);
      this.emit({ type: 'attention-snapshot', runId: this.runId, step, tokens, layers, heads, data }, [data.buffer]);
    } catch (error) {
      this.watch = undefined;
      this.emit({ type: 'error', where: 'attention', message: (error as Error).message, runId: this.runId });
    }
  }

  /** Takes the attention maps of `text` every `every` steps from now on (0: stop). */
  watchAttention(text: string, every: number): void {
    this.watch = every > 0 ? { text, every } : undefined;
  }

  /** A checkpoint at the current step boundary (once per step); failures are reported, not fatal. */
  private save(): Promise<void> {
    return this.checkpoints.save(this.trainer.step, async () => {
      const notes = { runId: this.runId, corpus: this.corpus.name, elapsedMs: this.driver.elapsedMs };
      const files = writeCheckpoint(await this.trainer.checkpoint(this.tokenizer.toJSON(), notes));
      files.set(HISTORY_FILE, encodeHistory(this.history));
      return files;
    });
  }

  /** Streams a generation from the current weights: one 'generated' event per piece, the last with done. */
  generate(requestId: string, prompt: string, settings: GenerateSettings): Promise<void> {
    return this.live.generate(prompt, settings, (piece: GeneratedPiece) => {
      if (!this.destroyed) this.emit({ type: 'generated', requestId, ...piece });
    });
  }

  /** The next token's most likely candidates after `prompt`, with the sampler's probabilities (one forward). */
  nextTokens(prompt: string, sampling: SamplingOptions): Promise<NextToken[]> {
    return this.live.nextTokens(prompt, sampling);
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
    const files = writeCheckpoint(await this.trainer.checkpoint(this.tokenizer.toJSON(), notes));
    return { step: this.trainer.step, files: await withManifest(files) };
  }

  /** Attention maps of `text` (its first T tokens) with the current weights. */
  attention(text: string) {
    return this.live.attention(text);
  }

  /** Stops the loop if it runs, then frees the GPU programs. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.stop();
    await this.finished;
    await this.live.close();
    this.trainer.destroy();
  }
}
