// The engine behind the worker: it owns the GPU device and hands each protocol command to the part that
// serves it: the Pretrain tab's data (pretraining/corpus-commands.ts), zero-shot probe files
// (pretraining/probe-files.ts) and runs (pretraining/pretrain-commands.ts), the task tabs' files and fine-tuning (finetuning/finetune-commands.ts), the device
// panel's probe and matmul kernel tuning (kernel-tuning.ts). No DOM and no worker globals: the worker passes
// postMessage, navigator.gpu and the OPFS stores; Node tests pass Dawn and memory stores. A failing command
// emits an 'error' event naming its input and changes nothing else.
import { runSelfTest } from '../gpu/self-test.ts';
import { WebGpuUnavailableError } from '../gpu/webgpu-unavailable.ts';
import type { TuningStore } from '../ops/matmul-tuner.ts';
import type { CheckpointStore } from '../storage/checkpoint-store.ts';
import { type FinetuneRunStore, memoryFinetuneStore } from '../storage/finetune-store.ts';
import { type FinetunedModelStore, memoryFinetunedModelStore } from '../storage/finetuned-model-store.ts';
import { memoryCheckpointStore } from '../storage/memory-store.ts';
import { openedOnce } from '../storage/opened-once.ts';
import { DeviceHolder } from './device-holder.ts';
import { FinetuneCommands } from './finetuning/finetune-commands.ts';
import { KernelTuning } from './kernel-tuning.ts';
import { ModelViews } from './model-views.ts';
import { CorpusCommands } from './pretraining/corpus-commands.ts';
import { PretrainCommands } from './pretraining/pretrain-commands.ts';
import { ProbeFiles } from './pretraining/probe-files.ts';
import type { EmitFn, EngineCommand } from './protocol.ts';
import type { RunPacing } from './run-pacing.ts';

export interface EngineOptions {
  emit: EmitFn;
  /** navigator.gpu in the worker, Dawn in Node. */
  gpu: () => GPU | Promise<GPU>;
  /** The checkpoint store, made on first use (default: in memory). */
  store?: () => Promise<CheckpointStore>;
  /** Where finished fine-tuning runs are kept (the worker: OPFS), made on first use (default: in memory). */
  finetuneStore?: () => Promise<FinetuneRunStore>;
  /** Where fine-tuning runs are kept as models (the worker: OPFS), made on first use (default: in memory). */
  finetunedModelStore?: () => Promise<FinetunedModelStore>;
  /** Web Locks; default navigator.locks where it exists. */
  locks?: LockManager;
  /** How runs are paced (steps in flight, metric batches, checkpoints); results never depend on it. */
  pacing?: RunPacing;
  /** Matmul kernel tuning until a 'set-kernel-tuning' command (default on). */
  kernelTuning?: boolean;
  /** Where the kernel tuner keeps its choices (the worker: OPFS), made on first use; default: memory only. */
  kernelTuningStore?: () => Promise<TuningStore | undefined>;
  /** The kernel tuner's lines: each shape it timed, a store it could not read or write. */
  kernelTuningLog?: (line: string) => void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Engine {
  private readonly devices: DeviceHolder;
  private readonly kernelTuning: KernelTuning;
  private readonly corpus: CorpusCommands;
  private readonly probeFiles: ProbeFiles;
  private readonly pretraining: PretrainCommands;
  private readonly finetuning: FinetuneCommands;
  /** Fine-tuned and imported models opened to generate from and look into. */
  private readonly views: ModelViews;
  /** Run commands run one after another (a stop sent while a run prepares applies once it exists). */
  private runQueue: Promise<void> = Promise.resolve();

  constructor(private readonly options: EngineOptions) {
    const { emit } = options;
    this.kernelTuning = new KernelTuning({
      enabled: options.kernelTuning,
      store: options.kernelTuningStore,
      log: options.kernelTuningLog,
      report: (status) => emit({ type: 'kernel-tuning', ...status }),
    });
    this.devices = new DeviceHolder(
      options.gpu,
      (info) => this.onDeviceLost(info),
      (ctx) => this.kernelTuning.attach(ctx),
    );
    this.corpus = new CorpusCommands(emit, () => this.finetuning.importedModel);
    this.probeFiles = new ProbeFiles(emit);
    this.pretraining = new PretrainCommands({
      emit,
      devices: this.devices,
      corpus: this.corpus,
      store: openedOnce(options.store, memoryCheckpointStore),
      locks: options.locks,
      pacing: options.pacing,
      finetuning: () => this.finetuning.active,
      probeSets: () => this.probeFiles.sets,
    });
    this.finetuning = new FinetuneCommands({
      emit,
      current: () => this.pretraining.currentModel(),
      pretraining: () => this.pretraining.current,
      device: (needs, purpose) => this.pretraining.deviceFor(needs, purpose),
      pacing: options.pacing,
      store: openedOnce(options.finetuneStore, memoryFinetuneStore),
      modelStore: openedOnce(options.finetunedModelStore, memoryFinetunedModelStore),
      adapterLimits: () => this.pretraining.adapterLimits(),
      watch: () => this.pretraining.attentionWatch,
    });
    this.views = new ModelViews({
      emit,
      resolve: (ref) => this.finetuning.viewedModel(ref),
      device: (needs, purpose) => this.pretraining.deviceFor(needs, purpose),
    });
  }

  /**
   * Frees the model opened for looking at before `task` (a run taking the GPU, a model replaced). With none
   * open, `task` starts at once, so commands keep the order they were sent in.
   */
  private afterViewsClose(task: () => Promise<void>): Promise<void> {
    return this.views.isOpen ? this.views.close().then(task) : task();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.runQueue.then(task);
    this.runQueue = next.catch(() => {});
    return next;
  }

  /** Handles one command; resolves when its immediate work is done (a run's loop continues after). */
  handle(command: EngineCommand): Promise<void> {
    const { pretraining, finetuning, views } = this;
    switch (command.type) {
      case 'probe-device':
        return this.probeDevice();
      case 'set-kernel-tuning':
        this.kernelTuning.setEnabled(command.enabled, this.devices.current);
        return Promise.resolve();
      case 'debug-lose-device':
        this.devices.loseForTest();
        return Promise.resolve();
      case 'load-corpus':
        this.corpus.load(command.name, new Uint8Array(command.bytes));
        return Promise.resolve();
      case 'load-demo-corpus':
        this.corpus.loadDemo();
        return Promise.resolve();
      case 'prepare-tokenizer':
        return this.corpus.prepareTokenizer(command.choice, command.files);
      case 'set-probe-files': {
        const files = command.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) }));
        this.probeFiles.set(command.builtin, files);
        return Promise.resolve();
      }
      case 'plan':
        return pretraining.plan(command.config, command.B, command.T, command.accumulation);
      case 'start-pretrain':
        return this.enqueue(() =>
          this.afterViewsClose(() => pretraining.start(command.runId, command.settings, command.paused ?? false)),
        );
      case 'resume-saved':
        return this.enqueue(() =>
          this.afterViewsClose(() => pretraining.resumeSaved(command.runId, command.paused ?? false)),
        );
      case 'pause':
      case 'stop':
        return this.enqueue(async () => pretraining.control(command.type, command.runId));
      case 'resume':
      case 'step-once':
        return this.enqueue(() => this.afterViewsClose(async () => pretraining.control(command.type, command.runId)));
      case 'list-saved-runs':
        return pretraining.listSaved();
      case 'delete-saved':
        return this.enqueue(() => pretraining.deleteSaved(command.runId));
      case 'generate': {
        const { model } = command.request;
        return model ? views.generate(model, command.request) : pretraining.generate(command.request);
      }
      case 'next-tokens': {
        const { model } = command.request;
        return model ? views.nextTokens(model, command.request) : pretraining.nextTokens(command.request);
      }
      case 'attention':
        if (command.model) return views.attention(command.model, command.requestId, command.text);
        return pretraining.attention(command.requestId, command.runId, command.text);
      case 'watch-attention':
        return pretraining.watchAttention(command.text, command.every);
      case 'export-checkpoint':
        return pretraining.exportCheckpoint(command.runId);
      case 'load-task-file': {
        const { family, role, name, bytes, preview, mapping } = command;
        return finetuning.loadFile(family, role, name, bytes, preview, mapping);
      }
      case 'preview-task':
        return finetuning.preview(command.family, command.preview);
      case 'import-checkpoint':
        return this.afterViewsClose(() => finetuning.importCheckpoint(command.name, command.files));
      case 'adopt-model':
        return this.afterViewsClose(() => finetuning.adopt(command.model));
      case 'start-finetune':
        return this.afterViewsClose(() => finetuning.start(command.runId, command.settings, 'finetune'));
      case 'compare':
        return this.afterViewsClose(() =>
          finetuning.start(command.runId, command.settings, 'compare', command.compare),
        );
      case 'stop-finetune':
        return finetuning.stop(command.runId);
      case 'list-finetune-runs':
        return finetuning.listRuns();
      case 'delete-finetune-run':
        return finetuning.deleteRun(command.key);
      case 'pause-finetune':
        finetuning.control('pause', command.runId);
        return Promise.resolve();
      case 'resume-finetune':
        return this.afterViewsClose(async () => finetuning.control('resume', command.runId));
      case 'list-finetuned-models':
        return finetuning.listModels();
      case 'resume-finetuned-model':
        return this.afterViewsClose(() => finetuning.resumeModel(command.runId, command.paused ?? false));
      case 'delete-finetuned-model':
        return this.afterViewsClose(() => finetuning.deleteModel(command.runId));
      case 'export-finetuned-model':
        return finetuning.exportModel(command.runId);
      case 'try-finetuned':
        return finetuning.tryIt(command.requestId, command.runId, command.input, command.sequence ?? 0);
    }
  }

  private async probeDevice(): Promise<void> {
    const { emit } = this.options;
    try {
      const ctx = await this.devices.open();
      const selfTest = await runSelfTest(ctx.device);
      emit({ type: 'device-ready', adapter: ctx.adapter, selfTest });
    } catch (error) {
      if (error instanceof WebGpuUnavailableError) {
        const { reason, advice } = error;
        emit({ type: 'device-unavailable', reason, headline: WebGpuUnavailableError.headline(reason), advice });
      } else {
        emit({ type: 'device-unavailable', reason: 'error', headline: messageOf(error), advice: [] });
      }
    }
  }

  private onDeviceLost(info: { reason: GPUDeviceLostReason; message: string }): void {
    this.options.emit({ type: 'device-lost', reason: info.reason, message: info.message });
    const detail = info.message ? `: ${info.message}` : '';
    const message = `The GPU device was lost (${info.reason}${detail}).`;
    this.finetuning.deviceLost(message);
    this.pretraining.deviceLost(message);
    this.views.forget();
  }

  /** Stops the runs, frees their GPU memory and closes the device (tests; a worker just terminates). */
  async dispose(): Promise<void> {
    this.corpus.dispose();
    await this.views.close();
    this.finetuning.stopAll();
    await this.finetuning.finished;
    await this.pretraining.dispose();
    this.devices.close();
  }

  /** The current fine-tuning job's end, once its runs are stored (tests). */
  get finetuneFinished(): Promise<unknown> {
    return this.finetuning.finished;
  }
}
