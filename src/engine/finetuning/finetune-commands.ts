// The engine's task-tab commands: task files in (with the preview of one example as the chosen start's model
// sees it), checkpoint folders imported, and fine-tuning runs and comparisons started and stopped, one GPU job
// at a time. The Engine hands it the live pre-training run (a possible start), the device, and `emit`. A
// failing command emits an 'error' naming its input (the file, a settings field) and changes nothing else.
// A run that finishes or is stopped is kept in the fine-tuning run store (summary, dev metrics, curves), so the
// Runs tab lists it after a reload; a fine-tuning run (not a comparison's variant) is also kept as a model in
// the fine-tuned model store while it trains (finetune-keeper.ts): paused and resumed (after a reload too),
// exported, deleted, and tried (Try it: try-model.ts).
import { type ColumnMapping, NeedsMappingError } from '../../data/tasks/parse-task-file.ts';
import type { TaskFamily } from '../../data/tasks/task-types.ts';
import type { GpuContext } from '../../gpu/device.ts';
import type { LimitNeeds } from '../../gpu/limits.ts';
import type { Gpt1Config } from '../../model/config.ts';
import { withManifest } from '../../model/manifest.ts';
import { parameterCount, parameterTable } from '../../model/params.ts';
import { encodeTaskExamples, previewExample, truncationWarning } from '../../model/task-inputs.ts';
import type { ParamValues } from '../../model/weights.ts';
import type { SavedRun } from '../../storage/checkpoint-store.ts';
import type { FinetuneRunStore } from '../../storage/finetune-store.ts';
import { FINETUNED_HISTORY_FILE, type KeptModelSummary } from '../../storage/finetuned-model-files.ts';
import type { FinetunedModelStore } from '../../storage/finetuned-model-store.ts';
import { checkRunId } from '../../storage/folder-store.ts';
import { seedsOf } from '../../train/ablation-grid.ts';
import type { PretrainedModel } from '../../train/finetune-prepare.ts';
import {
  type CompareSettings,
  compareSettingsProblem,
  SINGLE_RUN_COMPARE,
} from '../../train/settings/compare-settings.ts';
import { finetuneSettingsProblem } from '../../train/settings/finetune-settings.ts';
import type { ViewedModel } from '../model-views.ts';
import { planSummary } from '../plan-summary.ts';
import type {
  EmitFn,
  EngineEvent,
  FinetuneSettings,
  ModelRef,
  RunState,
  TaskFileRole,
  TaskPreviewRequest,
} from '../protocol.ts';
import type { RunPacing } from '../run-pacing.ts';
import { type FinetunedModel, FinetuneJob, type FinetuneJobDeps } from './finetune-job.ts';
import type { KeptRunSetup } from './finetune-keeper.ts';
import { FinetuneRecorder } from './finetune-recorder.ts';
import {
  type CurrentModel,
  copyTokenizer,
  type ImportedModel,
  importCheckpoint,
  importedModelInfo,
  previewSetup,
  type Sources,
} from './finetune-source.ts';
import { keptTriedModel, restoreKeptModel } from './kept-models.ts';
import type { AttentionWatch } from './live-task-attention.ts';
import { summarise, TaskFiles } from './task-files.ts';
import { type TriedModel, type TryInput, tryModel } from './try-model.ts';

/** Examples a task preview encodes to warn about truncation (a preview stays quick on SNLI-sized files). */
const PREVIEW_TRUNCATION_EXAMPLES = 2000;
/** Finished fine-tuning runs whose weights stay for the Attention tab (the oldest goes first). */
const KEPT_MODELS = 4;

export interface FinetuneCommandDeps {
  emit: EmitFn;
  /** The loaded pre-training run as a possible start (the imported model is this class's). */
  current: () => CurrentModel | undefined;
  /** The pre-training run that would compete for the GPU, if any. */
  pretraining: () => { runId: string; state: RunState; ended: boolean } | undefined;
  device: (needs: LimitNeeds, purpose: string) => Promise<GpuContext>;
  pacing?: RunPacing;
  /** Where finished runs are kept across reloads. */
  store: () => Promise<FinetuneRunStore>;
  /** Where fine-tuning runs are kept as models (checkpoints) while they train. */
  modelStore: () => Promise<FinetunedModelStore>;
  /** The adapter's limits (undefined without a GPU): an imported model the device cannot hold is refused. */
  adapterLimits?: () => Promise<Readonly<Record<string, number>> | undefined>;
  /** The engine's live-attention watch, which a fine-tuning run (not a comparison) follows as it trains. */
  watch?: () => AttentionWatch;
}

/** The context the size check plans with: the shortest a task tab would use. */
const MIN_CONTEXT = 64;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class FinetuneCommands {
  private readonly files = new TaskFiles();
  private imported: ImportedModel | undefined;
  private job: FinetuneJob | undefined;
  /** The latest job's end, once its runs are stored. */
  private jobKept: Promise<unknown> = Promise.resolve();
  /** Finished fine-tuning runs' models by run id, oldest first. */
  private readonly models = new Map<string, TriedModel>();

  constructor(private readonly deps: FinetuneCommandDeps) {}

  /** The imported model, which a pre-training run can also start from (pre-training it further). */
  get importedModel(): PretrainedModel | undefined {
    return this.imported?.model;
  }

  /** The fine-tuning run or comparison holding the GPU, if one is. */
  get active(): FinetuneJob | undefined {
    return this.job && !this.job.ended ? this.job : undefined;
  }

  /** Resolves when the latest job has ended and its runs are stored. */
  get finished(): Promise<unknown> {
    return this.jobKept;
  }

  private emit(event: EngineEvent): void {
    this.deps.emit(event);
  }

  private fail(where: string, error: unknown, ids: { runId?: string; requestId?: string } = {}): void {
    this.emit({ type: 'error', ...ids, where, message: messageOf(error) });
  }

  private sources(): Sources {
    return { current: this.deps.current(), imported: this.imported };
  }

  async loadFile(
    family: TaskFamily,
    role: TaskFileRole,
    name: string,
    bytes: ArrayBuffer,
    preview: TaskPreviewRequest,
    mapping?: ColumnMapping,
  ): Promise<void> {
    let changed: ReturnType<TaskFiles['load']>;
    try {
      changed = this.files.load(family, role, name, new Uint8Array(bytes), mapping);
    } catch (error) {
      if (error instanceof NeedsMappingError) {
        const { columns, message } = error;
        this.emit({ type: 'task-file-needs-mapping', family, role, name, columns, message });
      } else {
        this.fail(name, error, { requestId: `task:${family}:${role}` });
      }
      return;
    }
    for (const { role: r, file } of changed) {
      this.emit({ type: 'task-file-loaded', summary: summarise(family, r, file) });
    }
    await this.preview(family, preview);
  }

  /** The first training example (or dev, while there is no training file) as the chosen start's model sees it. */
  async preview(family: TaskFamily, request: TaskPreviewRequest): Promise<void> {
    const { train, dev } = this.files.get(family);
    const file = train ?? dev;
    if (!file) return;
    try {
      const data = file.dataset;
      const { tokenizer, T, description } = previewSetup(request, this.sources(), data);
      const example = data.examples[0]!;
      const sequences = previewExample(example, family, tokenizer, T);
      const sample = data.examples.slice(0, PREVIEW_TRUNCATION_EXAMPLES);
      const encoded = encodeTaskExamples(sample, family, tokenizer, T, { regression: data.regression });
      const sampled = sample.length < data.examples.length ? ` (checked the first ${sample.length} examples)` : '';
      const found = truncationWarning(encoded.stats, T);
      this.emit({
        type: 'task-preview',
        preview: {
          family,
          tokenizer: description,
          T,
          line: example.line,
          sequences,
          ...(found ? { truncation: `${file.name}: ${found}${sampled}` } : {}),
        },
      });
    } catch (error) {
      this.fail(`${family} preview`, error, { requestId: `task:${family}:preview` });
    }
  }

  async importCheckpoint(name: string, files: { name: string; bytes: ArrayBuffer }[]): Promise<void> {
    try {
      const imported = await importCheckpoint(name, new Map(files.map((f) => [f.name, new Uint8Array(f.bytes)])));
      await this.refuseIfTooLarge(imported.model.config);
      this.imported = imported;
      this.emit({ type: 'checkpoint-imported', info: imported.info });
    } catch (error) {
      this.fail('checkpoint', new Error(`${name}: ${messageOf(error)}`), { requestId: 'task:checkpoint' });
    }
  }

  /**
   * Refuses a model this GPU cannot train even at batch 1 (a buffer over a device limit, a shape the kernels do
   * not run), naming the limit,
   * before any of it is uploaded: the model imported before stays.
   */
  private async refuseIfTooLarge(config: Gpt1Config): Promise<void> {
    const limits = await this.deps.adapterLimits?.();
    if (!limits) return;
    const T = Math.min(config.nPositions, MIN_CONTEXT);
    const { summary } = planSummary(config, 1, T, limits);
    if (summary.fits) return;
    const what = `${config.nLayer} × ${config.nEmbd}, ${config.vocabSize.toLocaleString('en-US')} tokens`;
    throw new Error(`the model (${what}) cannot train on this GPU even at batch 1 × ${T}: ${summary.problem}`);
  }

  async start(
    runId: string,
    settings: FinetuneSettings,
    kind: 'finetune' | 'compare',
    compare: CompareSettings = SINGLE_RUN_COMPARE,
  ): Promise<void> {
    const ids = { runId };
    try {
      checkRunId(runId);
    } catch (error) {
      this.fail('runId', error, ids);
      return;
    }
    const problem =
      finetuneSettingsProblem(settings) ?? (kind === 'compare' ? compareSettingsProblem(compare) : undefined);
    if (problem) {
      this.fail(problem.where, new Error(problem.message), ids);
      return;
    }
    if (kind === 'compare') {
      try {
        seedsOf(settings.seed, compare.seeds);
      } catch (error) {
        this.fail('seeds', error, ids);
        return;
      }
    }
    if (this.gpuBusy(ids)) return;
    let data: ReturnType<TaskFiles['ready']>;
    try {
      data = this.files.ready(settings.family);
    } catch (error) {
      this.fail(`${settings.family} files`, error, ids);
      return;
    }
    const { train, dev } = this.files.get(settings.family);
    let kept: KeptRunSetup | undefined;
    if (kind === 'finetune' && train && dev) {
      const store = await this.modelStore(runId);
      if (store) kept = { store, settings, files: { train, dev } };
    }
    const sources = this.sources();
    const dataset = { train: train?.name ?? '', dev: dev?.name ?? '' };
    this.launch(runId, kind, settings, dataset, kept, (deps) =>
      kind === 'compare'
        ? FinetuneJob.compare(deps, runId, settings, data, sources, compare)
        : FinetuneJob.finetune(deps, runId, settings, data, sources),
    );
  }

  /** Whether another run holds the GPU (reported as an error for `ids`). */
  private gpuBusy(ids: { runId: string }): boolean {
    const busy = this.active;
    if (busy) {
      this.fail('finetune', new Error(`Fine-tuning run ${busy.runId} is training: stop it first.`), ids);
      return true;
    }
    const pretraining = this.deps.pretraining();
    if (pretraining && !pretraining.ended && pretraining.state !== 'paused') {
      const what = `Pre-training run ${pretraining.runId} is ${pretraining.state}`;
      this.fail('finetune', new Error(`${what}: pause or stop it first (one GPU run at a time).`), ids);
      return true;
    }
    return false;
  }

  /** The kept-model store, or undefined (reported) when it cannot be opened: the run then trains unkept. */
  private async modelStore(runId: string): Promise<FinetunedModelStore | undefined> {
    try {
      return await this.deps.modelStore();
    } catch (error) {
      this.fail('fine-tuned models', new Error(`Run ${runId} will not be kept as a model: ${messageOf(error)}`), {
        runId,
      });
      return undefined;
    }
  }

  /** Starts a job with a recorder of its runs, and keeps them when it ends. */
  private launch(
    runId: string,
    kind: 'finetune' | 'compare',
    settings: FinetuneSettings,
    dataset: { train: string; dev: string },
    kept: KeptRunSetup | undefined,
    start: (deps: FinetuneJobDeps) => FinetuneJob,
  ): void {
    const recorder = new FinetuneRecorder({ runId, kind, family: settings.family, settings, dataset });
    const deps: FinetuneJobDeps = {
      emit: ((event, transfer) => {
        recorder.observe(event);
        this.deps.emit(event, transfer);
        if (event.type === 'checkpoint-saved' && event.runId === runId) void this.listModels();
      }) satisfies EmitFn,
      device: this.deps.device,
      pacing: this.deps.pacing,
      keep: (model: FinetunedModel) => this.keep(model),
      ...(kept ? { kept } : {}),
      ...(kind === 'finetune' && this.deps.watch ? { watch: this.deps.watch } : {}),
    };
    const job = start(deps);
    this.job = job;
    this.jobKept = job.finished.then((state) => this.keepRecords(runId, recorder, state));
  }

  /** Pauses or resumes the fine-tuning run `runId` at its next step boundary. */
  control(action: 'pause' | 'resume', runId: string): void {
    const job = this.active;
    if (!job || job.runId !== runId) {
      this.fail('finetune', new Error(`No fine-tuning run ${runId} is training.`), { runId });
      return;
    }
    const done = action === 'pause' ? job.pause() : job.resume();
    if (!done) {
      const why = job.kind === 'compare' ? 'a comparison runs to its end or is stopped' : `it is ${job.state}`;
      this.fail('finetune', new Error(`Fine-tuning run ${runId} cannot ${action} now: ${why}.`), { runId });
    }
  }

  /** Sends the kept fine-tuned models ('finetuned-models'). */
  async listModels(): Promise<void> {
    try {
      this.emit({ type: 'finetuned-models', models: await (await this.deps.modelStore()).list() });
    } catch (error) {
      this.fail('fine-tuned models', error);
    }
  }

  /** Deletes a kept fine-tuned model (never the one training), then sends the new list. */
  async deleteModel(runId: string): Promise<void> {
    if (this.active?.runId === runId) {
      this.fail('fine-tuned models', new Error(`Fine-tuning run ${runId} is training: stop it first.`), { runId });
      return;
    }
    try {
      await (await this.deps.modelStore()).delete(runId);
      this.models.delete(runId);
    } catch (error) {
      this.fail('fine-tuned models', error, { runId });
      return;
    }
    await this.listModels();
  }

  /** A kept model's latest checkpoint as a Hugging Face folder with its manifest ('checkpoint-export'). */
  async exportModel(runId: string): Promise<void> {
    try {
      const saved = await (await this.deps.modelStore()).load(runId);
      const files = new Map(saved.checkpoint);
      files.delete(FINETUNED_HISTORY_FILE); // the app's charts only; not part of the checkpoint folder
      const list = [...(await withManifest(files))].map(([name, data]) => ({
        name,
        bytes: data.slice().buffer as ArrayBuffer,
      }));
      this.deps.emit(
        { type: 'checkpoint-export', runId, step: saved.summary.step, files: list },
        list.map((f) => f.bytes),
      );
    } catch (error) {
      this.fail('export', error, { runId });
    }
  }

  /** Continues a kept fine-tuned model from its checkpoint, its task files back in its tab. */
  async resumeModel(runId: string, paused: boolean): Promise<void> {
    const ids = { runId };
    if (this.gpuBusy(ids)) return;
    let restored: ReturnType<typeof restoreKeptModel>;
    let store: FinetunedModelStore;
    try {
      store = await this.deps.modelStore();
      restored = restoreKeptModel(await store.load(runId));
    } catch (error) {
      this.fail('fine-tuned models', new Error(`Kept model ${runId}: ${messageOf(error)}`), ids);
      return;
    }
    const { settings, data, ckpt, files, history, changed, tab, init } = restored;
    this.files.adopt(settings.family, tab);
    for (const { role, file } of changed) {
      this.emit({ type: 'task-file-loaded', summary: summarise(settings.family, role, file) });
    }
    const kept: KeptRunSetup = { store, settings, files, restored: { step: ckpt.state.step, history } };
    const dataset = { train: files.train.name, dev: files.dev.name };
    this.launch(runId, 'finetune', settings, dataset, kept, (deps) =>
      FinetuneJob.resumeKept(deps, runId, settings, data, ckpt, { paused, init }),
    );
  }

  /** Stores the job's finished or stopped runs, then sends the new list; a failure is reported, not thrown. */
  private async keepRecords(runId: string, recorder: FinetuneRecorder, state: RunState): Promise<void> {
    const records = recorder.records(state);
    if (!records.length) return;
    try {
      const store = await this.deps.store();
      for (const record of records) await store.save(record);
    } catch (error) {
      this.fail('fine-tuning runs', new Error(`Run ${runId} could not be kept for later: ${messageOf(error)}`), {
        runId,
      });
    }
    await this.listRuns();
  }

  /** Sends the kept fine-tuning runs ('finetune-runs'). */
  async listRuns(): Promise<void> {
    try {
      const { runs, skipped } = await (await this.deps.store()).list();
      this.emit({ type: 'finetune-runs', runs, skipped });
    } catch (error) {
      this.fail('fine-tuning runs', error);
    }
  }

  /** Deletes a kept run, then sends the new list. */
  async deleteRun(key: string): Promise<void> {
    try {
      await (await this.deps.store()).delete(key);
    } catch (error) {
      this.fail('fine-tuning runs', error);
      return;
    }
    await this.listRuns();
  }

  private keep(model: FinetunedModel): void {
    this.models.delete(model.runId);
    this.models.set(model.runId, model);
    while (this.models.size > KEPT_MODELS) this.models.delete(this.models.keys().next().value!);
  }

  /** A finished run's model (this page's) or the imported fine-tuned one, else a kept model from storage. */
  private async triedModel(runId: string): Promise<TriedModel> {
    const model = this.models.get(runId);
    if (model) return model;
    if (this.imported?.finetuned && this.imported.info.finetuned?.runId === runId) return this.imported.finetuned;
    let saved: SavedRun<KeptModelSummary>;
    try {
      saved = await (await this.deps.modelStore()).load(runId);
    } catch {
      const why = this.active?.runId === runId ? 'is training: pause it first' : 'has no kept model here';
      throw new Error(`Fine-tuning run ${runId} ${why}.`);
    }
    return keptTriedModel(saved);
  }

  /** The model `ref` names, to generate from and look into (model-views.ts). */
  async viewedModel(ref: ModelRef): Promise<ViewedModel> {
    if (ref.kind === 'imported') {
      const imported = this.imported;
      if (!imported) throw new Error('No model is imported: import a checkpoint folder in a task tab first.');
      const { config, params, tokenizer } = imported.model;
      const values = params as ParamValues; // only read: uploaded to the GPU
      return {
        name: imported.info.name,
        config,
        tokenizer: copyTokenizer(tokenizer),
        T: config.nPositions,
        params: values,
      };
    }
    const model = await this.triedModel(ref.runId);
    const { config, tokenizer, T, params, task } = model;
    return { name: `fine-tuned model ${ref.runId}`, config, tokenizer, T, params, task: task.family };
  }

  /**
   * Makes a fine-tuned model the imported model (its body, tokenizer and name), so it is pre-trained further
   * or fine-tuned again as an imported one is; the model imported before goes.
   */
  async adopt(ref: ModelRef): Promise<void> {
    if (ref.kind === 'imported') return;
    try {
      const { config, tokenizer, params } = await this.triedModel(ref.runId);
      const model = { config, tokenizer, params, name: `fine-tuned model ${ref.runId}` };
      await this.refuseIfTooLarge(config);
      const info = importedModelInfo(model, 'gpt1-lab', parameterCount(parameterTable(config)));
      this.imported = { model, info };
      this.emit({ type: 'checkpoint-imported', info });
    } catch (error) {
      this.fail('checkpoint', error, { runId: ref.runId, requestId: 'task:checkpoint' });
    }
  }

  /** Try it: an example of the run's task through its model ('try-result'), with attention of one sequence. */
  async tryIt(requestId: string, runId: string, input: TryInput, sequence: number): Promise<void> {
    const ids = { runId, requestId };
    try {
      const model = await this.triedModel(runId);
      const device = (needs: LimitNeeds) => this.deps.device(needs, `trying fine-tuned model ${runId}`);
      const outcome = await tryModel(device, model, input, sequence);
      this.deps.emit({ type: 'try-result', requestId, runId, outcome }, [outcome.attention.data.buffer]);
    } catch (error) {
      this.fail('try', error, ids);
    }
  }

  async stop(runId: string): Promise<void> {
    const job = this.active;
    if (!job || job.runId !== runId) {
      this.fail('finetune', new Error(`No fine-tuning run ${runId} is training.`), { runId });
      return;
    }
    job.stop();
  }

  /** Stops whatever runs (engine disposed). */
  stopAll(): void {
    this.job?.stop();
  }

  /** The device is gone: the job running ends in 'error' with `message`; finished runs and models stay. */
  deviceLost(message: string): void {
    this.job?.deviceLost(message);
  }
}
