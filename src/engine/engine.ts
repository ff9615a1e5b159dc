// The engine behind the worker: it holds the corpus, the prepared tokenizer, the GPU device and the current
// run, turns each protocol command into calls on them, and reports through `emit`. No DOM and no worker
// globals: the worker passes postMessage, navigator.gpu and the OPFS store; Node tests pass Dawn and a
// memory store. A failing command emits an 'error' event naming its input and changes nothing else.
// The task tabs' commands (task files, previews, checkpoint imports, fine-tuning, comparisons) go to
// finetuning/finetune-commands.ts; the engine lends them the live pre-training run and the device. Matmul kernel tuning
// (kernel-tuning.ts) is installed on every device the engine opens while it is on.
import { type Corpus, readCorpus } from '../data/corpus.ts';
import { DEMO_CORPUS_NAME, demoCorpusBytes } from '../data/demo-corpus.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { LimitNeeds } from '../gpu/limits.ts';
import { runSelfTest } from '../gpu/self-test.ts';
import { WebGpuUnavailableError } from '../gpu/webgpu-unavailable.ts';
import type { TuningStore } from '../ops/matmul-tuner.ts';
import type { CheckpointStore } from '../storage/checkpoint-store.ts';
import { type FinetuneRunStore, memoryFinetuneStore } from '../storage/finetune-store.ts';
import { checkRunId } from '../storage/folder-store.ts';
import { memoryCheckpointStore } from '../storage/memory-store.ts';
import type { TokenizerChoice } from '../tokenizer/choose.ts';
import { settingsProblem } from '../train/settings/pretrain-settings.ts';
import { DeviceHolder, grants } from './device-holder.ts';
import { TaskCommands } from './finetuning/finetune-commands.ts';
import type { FinetuneRunDeps } from './finetuning/finetune-session.ts';
import type { Sources } from './finetuning/finetune-source.ts';
import { KernelTuning } from './kernel-tuning.ts';
import { planSummary } from './plan-summary.ts';
import { type EmitFn, PretrainSession, type SessionTuning } from './pretraining/pretrain-session.ts';
import { type PreparedTokenizer, prepareTokenizer, tokenizerStats } from './pretraining/tokenizer-prep.ts';
import type { CorpusStats, EngineCommand, EngineEvent, GenerateRequest, PretrainSettings } from './protocol.ts';
import { acquireRunLock } from './run-lock.ts';

export interface EngineOptions {
  emit: EmitFn;
  /** navigator.gpu in the worker, Dawn in Node. */
  gpu: () => GPU | Promise<GPU>;
  /** The checkpoint store, made on first use (default: in memory). */
  store?: () => Promise<CheckpointStore>;
  /** Where finished fine-tuning runs are kept (the worker: OPFS), made on first use (default: in memory). */
  finetuneStore?: () => Promise<FinetuneRunStore>;
  /** Web Locks (C8); default navigator.locks where it exists. */
  locks?: LockManager;
  tuning?: SessionTuning;
  /** Fine-tuning runs: metric batch interval and steps in flight. */
  finetuneTuning?: Pick<FinetuneRunDeps, 'metricsIntervalMs' | 'maxInFlight'>;
  /** Matmul kernel tuning until a 'set-kernel-tuning' command (default on). */
  kernelTuning?: boolean;
  /** Where the kernel tuner keeps its choices (the worker: OPFS), made on first use; default: memory only. */
  tuningStore?: () => Promise<TuningStore | undefined>;
  /** The kernel tuner's lines: each shape it timed, a store it could not read or write. */
  tuningLog?: (line: string) => void;
}

const PREVIEW_CHARS = 2000;
/** Tokenizer progress events at most this often. */
const PROGRESS_MS = 50;

export function corpusStats(corpus: Corpus): CorpusStats {
  return {
    name: corpus.name,
    bytes: corpus.bytes,
    chars: corpus.chars,
    lines: corpus.lines,
    distinctChars: corpus.distinctChars,
    preview: [...corpus.text.slice(0, PREVIEW_CHARS * 2)].slice(0, PREVIEW_CHARS).join(''),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `open()` on first call (the same promise after), or `fallback()` when there is none or it fails. */
function openedOnce<T>(open: (() => Promise<T>) | undefined, fallback: () => T): () => Promise<T> {
  let opened: Promise<T> | undefined;
  return () => {
    opened ??= (open?.() ?? Promise.resolve(fallback())).catch(() => fallback());
    return opened;
  };
}

export class Engine {
  private readonly devices: DeviceHolder;
  private corpus: Corpus | undefined;
  private prepared: PreparedTokenizer | undefined;
  private tokenizerAbort: AbortController | undefined;
  private session: PretrainSession | undefined;
  /** The checkpoint store and the kept fine-tuning runs: opened on first use, in memory if they cannot be. */
  private readonly store: () => Promise<CheckpointStore>;
  private readonly finetuneStore: () => Promise<FinetuneRunStore>;
  /** Run commands run one after another (a stop sent while a run prepares applies once it exists). */
  private runQueue: Promise<void> = Promise.resolve();
  /** The task tabs: their files, the imported checkpoint, one fine-tuning run or comparison at a time. */
  private readonly tasks: TaskCommands;
  private readonly kernelTuning: KernelTuning;

  constructor(private readonly options: EngineOptions) {
    this.store = openedOnce(options.store, memoryCheckpointStore);
    this.finetuneStore = openedOnce(options.finetuneStore, memoryFinetuneStore);
    this.kernelTuning = new KernelTuning({
      enabled: options.kernelTuning,
      store: options.tuningStore,
      log: options.tuningLog,
      report: (status) => this.emit({ type: 'kernel-tuning', ...status }),
    });
    this.devices = new DeviceHolder(
      options.gpu,
      (info) => this.onDeviceLost(info),
      (ctx) => this.kernelTuning.attach(ctx),
    );
    this.tasks = new TaskCommands({
      emit: options.emit,
      sources: () => this.taskSources(),
      pretraining: () => this.session,
      device: (needs, purpose) => this.taskDevice(needs, purpose),
      tuning: options.finetuneTuning,
      store: this.finetuneStore,
    });
  }

  private emit(event: EngineEvent, transfer?: Transferable[]): void {
    this.options.emit(event, transfer);
  }

  private fail(where: string, error: unknown, ids: { runId?: string; requestId?: string } = {}): void {
    this.emit({ type: 'error', ...ids, where, message: messageOf(error) });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.runQueue.then(task);
    this.runQueue = next.catch(() => {});
    return next;
  }

  /** Handles one command; resolves when its immediate work is done (a run's loop continues after). */
  handle(command: EngineCommand): Promise<void> {
    switch (command.type) {
      case 'probe-device':
        return this.probeDevice();
      case 'load-corpus':
        return this.loadCorpus(command.name, new Uint8Array(command.bytes));
      case 'load-demo-corpus':
        return this.loadCorpus(DEMO_CORPUS_NAME, demoCorpusBytes());
      case 'prepare-tokenizer':
        return this.prepareTokenizer(command.choice, command.files);
      case 'plan':
        return this.plan(command.config, command.B, command.T);
      case 'start-pretrain':
        return this.enqueue(() => this.startPretrain(command.runId, command.settings));
      case 'resume-saved':
        return this.enqueue(() => this.resumeSaved(command.runId, command.paused ?? false));
      case 'pause':
      case 'resume':
      case 'step-once':
      case 'stop':
        return this.enqueue(async () => this.control(command.type, command.runId));
      case 'list-saved-runs':
        return this.listSavedRuns();
      case 'delete-saved':
        return this.enqueue(() => this.deleteSaved(command.runId));
      case 'generate':
        return this.generate(command.request);
      case 'attention':
        if (command.model?.kind === 'finetune') {
          return this.tasks.attention(command.requestId, command.model.runId, command.text);
        }
        return this.attention(command.requestId, command.runId, command.text);
      case 'export-checkpoint':
        return this.exportCheckpoint(command.runId);
      case 'debug-lose-device':
        this.devices.loseForTest();
        return Promise.resolve();
      case 'set-kernel-tuning':
        this.kernelTuning.setEnabled(command.enabled, this.devices.current);
        return Promise.resolve();
      case 'load-task-file': {
        const { family, role, name, bytes, preview, mapping } = command;
        return this.tasks.loadFile(family, role, name, bytes, preview, mapping);
      }
      case 'preview-task':
        return this.tasks.preview(command.family, command.preview);
      case 'import-checkpoint':
        return this.tasks.importCheckpoint(command.name, command.files);
      case 'start-finetune':
        return this.tasks.start(command.runId, command.settings, 'finetune');
      case 'compare':
        return this.tasks.start(command.runId, command.settings, 'compare');
      case 'stop-finetune':
        return this.tasks.stop(command.runId);
      case 'list-finetune-runs':
        return this.tasks.listRuns();
      case 'delete-finetune-run':
        return this.tasks.deleteRun(command.key);
    }
  }

  private async probeDevice(): Promise<void> {
    try {
      const ctx = await this.devices.open();
      const selfTest = await runSelfTest(ctx.device);
      this.emit({ type: 'device-ready', adapter: ctx.adapter, selfTest });
    } catch (error) {
      if (error instanceof WebGpuUnavailableError) {
        this.emit({
          type: 'device-unavailable',
          reason: error.reason,
          headline: WebGpuUnavailableError.headline(error.reason),
          advice: error.advice,
        });
      } else {
        this.emit({ type: 'device-unavailable', reason: 'error', headline: messageOf(error), advice: [] });
      }
    }
  }

  private onDeviceLost(info: { reason: GPUDeviceLostReason; message: string }): void {
    this.emit({ type: 'device-lost', reason: info.reason, message: info.message });
    this.tasks.stopAll(); // its GPU work fails and the job ends in 'error'
    const session = this.session;
    if (!session) return;
    const detail = info.message ? `: ${info.message}` : '';
    session.deviceLost(`The GPU device was lost (${info.reason}${detail}).`);
    this.session = undefined;
    void session.destroy(); // its loop ends in 'error', which releases the run's lock
  }

  private async loadCorpus(name: string, bytes: Uint8Array): Promise<void> {
    try {
      const corpus = readCorpus(name, bytes);
      this.tokenizerAbort?.abort();
      this.corpus = corpus;
      this.prepared = undefined;
      this.emit({ type: 'corpus-loaded', stats: corpusStats(corpus) });
    } catch (error) {
      this.fail(name, error);
    }
  }

  private async prepareTokenizer(choice: TokenizerChoice, files?: { name: string; text: string }[]): Promise<void> {
    const corpus = this.corpus;
    if (!corpus) {
      this.fail('tokenizer', new Error('Load a corpus first: the tokenizer is built from it.'));
      return;
    }
    this.tokenizerAbort?.abort();
    const abort = new AbortController();
    this.tokenizerAbort = abort;
    let lastProgress = 0;
    const onProgress = (done: number, total: number) => {
      const now = performance.now();
      if (done < total && now - lastProgress < PROGRESS_MS) return;
      lastProgress = now;
      this.emit({ type: 'tokenizer-progress', done, total });
    };
    try {
      const prepared = await prepareTokenizer(choice, corpus, { files, onProgress, signal: abort.signal });
      if (abort.signal.aborted || this.corpus !== corpus) return; // superseded
      this.prepared = prepared;
      this.emit({ type: 'tokenizer-ready', stats: prepared.stats });
    } catch (error) {
      if (abort.signal.aborted) return;
      this.fail('tokenizer', error);
    } finally {
      if (this.tokenizerAbort === abort) this.tokenizerAbort = undefined;
    }
  }

  private async adapterLimits(): Promise<Record<string, number> | undefined> {
    try {
      return (this.devices.current ?? (await this.devices.open())).adapter.limits;
    } catch {
      return undefined; // no GPU: the plan still shows sizes
    }
  }

  private async plan(config: PretrainSettings['config'], B: number, T: number): Promise<void> {
    try {
      // The run will use the prepared tokenizer's vocabulary, so plan with it.
      const vocabSize = this.prepared?.tokenizer.vocabSize ?? config.vocabSize;
      const { summary } = planSummary({ ...config, vocabSize }, B, T, await this.adapterLimits());
      this.emit({ type: 'plan', plan: summary });
    } catch (error) {
      this.fail('plan', error);
    }
  }

  /** The current run when it is `runId`. */
  private sessionFor(runId: string): PretrainSession | undefined {
    return this.session?.runId === runId ? this.session : undefined;
  }

  /** Frees the previous run (it must have ended) so a new one can take the device. */
  private async retireSession(): Promise<boolean> {
    const old = this.session;
    if (!old) return true;
    if (!old.ended) return false;
    this.session = undefined;
    await old.destroy();
    return true;
  }

  /** Stops the run, frees its GPU memory and closes the device (tests; a worker just terminates). */
  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.tokenizerAbort?.abort();
    this.tasks.stopAll();
    await this.tasks.finished;
    await session?.destroy();
    this.devices.close();
  }

  /** Everything a run start shares: the lock (held while the loop runs), the device with the plan's limits. */
  private async launch(
    runId: string,
    totalSteps: number,
    plan: { config: PretrainSettings['config']; B: number; T: number },
    build: (ctx: GpuContext, store: CheckpointStore) => Promise<PretrainSession>,
    paused: boolean,
  ): Promise<void> {
    const finetuning = this.tasks.active;
    if (finetuning) {
      this.fail('run', new Error(`Fine-tuning run ${finetuning.runId} is training: stop it first.`), { runId });
      return;
    }
    if (!(await this.retireSession())) {
      this.fail('run', new Error(`Run ${this.session!.runId} is still training: stop it first.`), { runId });
      return;
    }
    const lock = await acquireRunLock(runId, this.options.locks);
    if (!lock) {
      this.fail('run', new Error(`Run ${runId} is open in another tab; only one tab can train it.`), { runId });
      return;
    }
    this.emit({ type: 'run-state', runId, state: 'preparing', step: 0, totalSteps });
    let session: PretrainSession;
    try {
      const { summary, needs } = planSummary(plan.config, plan.B, plan.T, await this.adapterLimits());
      if (!summary.fits || !needs) throw new Error(summary.problem ?? 'This model does not fit this GPU.');
      const ctx = await this.devices.open(needs, `pretraining run ${runId}`);
      session = await build(ctx, await this.store());
    } catch (error) {
      lock.release();
      this.emit({ type: 'run-state', runId, state: 'error', step: 0, totalSteps, message: messageOf(error) });
      return;
    }
    this.session = session;
    void session.start({ paused }).finally(() => lock.release());
  }

  private async startPretrain(runId: string, settings: PretrainSettings): Promise<void> {
    const corpus = this.corpus;
    const prepared = this.prepared;
    try {
      checkRunId(runId);
    } catch (error) {
      this.fail('runId', error, { runId });
      return;
    }
    if (!corpus || !prepared) {
      const missing = corpus ? 'Prepare a tokenizer' : 'Load a corpus and prepare a tokenizer';
      this.fail('run', new Error(`${missing} before pre-training.`), { runId });
      return;
    }
    const problem = settingsProblem(settings, prepared.tokenizer.vocabSize);
    if (problem) {
      this.fail(problem.where, new Error(problem.message), { runId });
      return;
    }
    const config = { ...settings.config, vocabSize: prepared.tokenizer.vocabSize };
    await this.launch(
      runId,
      settings.steps,
      { config, B: settings.B, T: settings.T },
      (ctx, store) =>
        PretrainSession.create(
          { ctx, emit: this.options.emit, store },
          {
            runId,
            settings,
            corpus: { name: corpus.name, text: corpus.text },
            tokenizer: prepared.tokenizer,
            ids: prepared.ids,
          },
          this.options.tuning,
        ),
      false,
    );
  }

  private async resumeSaved(runId: string, paused: boolean): Promise<void> {
    if (this.sessionFor(runId) && !this.session!.ended) {
      this.fail('run', new Error(`Run ${runId} is already loaded.`), { runId });
      return;
    }
    let saved: Awaited<ReturnType<CheckpointStore['load']>>;
    try {
      saved = await (await this.store()).load(runId);
    } catch (error) {
      this.fail('saved run', error, { runId });
      return;
    }
    const { settings } = saved.summary;
    await this.launch(
      runId,
      settings.steps,
      { config: settings.config, B: settings.B, T: settings.T },
      async (ctx, store) => {
        const restored = await PretrainSession.restore(
          { ctx, emit: this.options.emit, store },
          saved,
          this.options.tuning,
        );
        this.adoptRunData(restored);
        restored.replayHistory(); // before the loop starts, so the charts' history precedes new points
        return restored;
      },
      paused,
    );
  }

  /** A resumed run's corpus and tokenizer become the engine's, so the UI shows what it trains on. */
  private adoptRunData(session: PretrainSession): void {
    const corpus = readCorpus(session.corpus.name, new TextEncoder().encode(session.corpus.text));
    this.tokenizerAbort?.abort();
    this.corpus = corpus;
    this.prepared = {
      tokenizer: session.tokenizer,
      ids: session.ids,
      stats: tokenizerStats(session.tokenizer, corpus.text, session.ids, corpus.chars),
    };
    this.emit({ type: 'corpus-loaded', stats: corpusStats(corpus) });
    this.emit({ type: 'tokenizer-ready', stats: this.prepared.stats });
  }

  private control(action: 'pause' | 'resume' | 'step-once' | 'stop', runId: string): void {
    const session = this.sessionFor(runId);
    if (!session) {
      this.fail('run', new Error(`No run ${runId} is loaded.`), { runId });
      return;
    }
    const finetuning = this.tasks.active;
    if (finetuning && (action === 'resume' || action === 'step-once')) {
      this.fail('run', new Error(`Fine-tuning run ${finetuning.runId} is training: stop it first.`), { runId });
      return;
    }
    if (action === 'pause') session.pause();
    else if (action === 'resume') session.resume();
    else if (action === 'step-once') session.stepOnce();
    else session.stop();
  }

  private async listSavedRuns(): Promise<void> {
    try {
      this.emit({ type: 'saved-runs', runs: await (await this.store()).list() });
    } catch (error) {
      this.fail('saved runs', error);
    }
  }

  private async deleteSaved(runId: string): Promise<void> {
    const live = this.sessionFor(runId);
    if (live && !live.ended) {
      this.fail('saved run', new Error(`Run ${runId} is training: stop it before deleting it.`), { runId });
      return;
    }
    try {
      await (await this.store()).delete(runId);
    } catch (error) {
      this.fail('saved run', error, { runId });
      return;
    }
    await this.listSavedRuns();
  }

  private async generate(request: GenerateRequest): Promise<void> {
    const session = this.sessionFor(request.runId);
    const ids = { runId: request.runId, requestId: request.requestId };
    if (!session) {
      this.fail('generate', new Error(`No run ${request.runId} is loaded: start or resume it first.`), ids);
      return;
    }
    try {
      await session.generate(request);
    } catch (error) {
      this.fail('generate', error, ids);
    }
  }

  private async attention(requestId: string, runId: string, text: string): Promise<void> {
    const session = this.sessionFor(runId);
    if (!session) {
      this.fail('attention', new Error(`No run ${runId} is loaded: start or resume it first.`), { runId, requestId });
      return;
    }
    try {
      const maps = await session.attention(text);
      this.emit(
        {
          type: 'attention-maps',
          requestId,
          tokens: maps.tokens,
          layers: maps.layers,
          heads: maps.heads,
          data: maps.data,
        },
        [maps.data.buffer],
      );
    } catch (error) {
      this.fail('attention', error, { runId, requestId });
    }
  }

  private async exportCheckpoint(runId: string): Promise<void> {
    const session = this.sessionFor(runId);
    if (!session) {
      this.fail('export', new Error(`No run ${runId} is loaded: start or resume it first.`), { runId });
      return;
    }
    try {
      const { step, files } = await session.exportFiles();
      const list = [...files].map(([name, data]) => ({ name, bytes: data.slice().buffer as ArrayBuffer }));
      this.emit(
        { type: 'checkpoint-export', runId, step, files: list },
        list.map((f) => f.bytes),
      );
    } catch (error) {
      this.fail('export', error, { runId });
    }
  }

  // ---- Task tabs (finetuning/finetune-commands.ts) ----

  /** The models a task run can start from: the live pre-training run and the imported checkpoint. */
  private taskSources(): Omit<Sources, 'imported'> {
    const session = this.session;
    if (!session) return {};
    return {
      current: {
        runId: session.runId,
        state: session.state,
        step: session.step,
        config: session.config,
        tokenizer: session.tokenizer,
        weights: () => session.weights(),
      },
    };
  }

  /** The device for a task run: one that grants `needs`, retiring an ended pre-training run if it must reopen. */
  private async taskDevice(needs: LimitNeeds, purpose: string): Promise<GpuContext> {
    const current = this.devices.current;
    if (current && this.session && !grants(current.device.limits, needs)) {
      if (!(await this.retireSession())) {
        throw new Error(
          `This model needs larger GPU limits than the device pre-training run ${this.session.runId} holds: stop it first.`,
        );
      }
    }
    return this.devices.open(needs, purpose);
  }

  /** The current fine-tuning job's end (tests). */
  get finetuneFinished(): Promise<unknown> {
    return this.tasks.finished;
  }
}
