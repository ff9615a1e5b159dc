// The Pretrain tab's commands: plan a model on this GPU, start a run (or resume a saved one), pause / step
// once / resume / stop it, list and delete saved runs, and generate from, look into or export the loaded
// run. One pre-training run is loaded at a time; starting another first frees the one that ended. A run holds
// its Web Lock while its loop runs, so two tabs never train the same run, and a saved run is deleted only
// under that lock (never while another tab trains it). Failures are 'error' events naming their input;
// nothing else changes.
import type { GpuContext } from '../../gpu/device.ts';
import type { LimitNeeds } from '../../gpu/limits.ts';
import type { Gpt1Config } from '../../model/config.ts';
import type { CheckpointStore, SavedRun } from '../../storage/checkpoint-store.ts';
import { checkRunId } from '../../storage/folder-store.ts';
import { bodyWeights, configFromModel, shapeMismatch } from '../../train/from-model.ts';
import type { ProbeSet } from '../../train/probes/probe-sets.ts';
import { pretrainSettingsProblem } from '../../train/settings/pretrain-settings.ts';
import { type DeviceHolder, grants } from '../device-holder.ts';
import type { CurrentModel } from '../finetuning/finetune-source.ts';
import { planSummary } from '../plan-summary.ts';
import type { EmitFn, GenerateRequest, NextTokensRequest, PretrainSettings } from '../protocol.ts';
import { acquireRunLock, runInUseElsewhere } from '../run-lock.ts';
import type { RunPacing } from '../run-pacing.ts';
import type { CorpusCommands } from './corpus-commands.ts';
import { PretrainSession } from './pretrain-session.ts';

export interface PretrainCommandDeps {
  emit: EmitFn;
  devices: DeviceHolder;
  corpus: CorpusCommands;
  store: () => Promise<CheckpointStore>;
  /** Web Locks; default navigator.locks where it exists. */
  locks?: LockManager;
  pacing?: RunPacing;
  /** The fine-tuning run holding the GPU, if any (one GPU run at a time). */
  finetuning: () => { runId: string } | undefined;
  /** The zero-shot probe sets a new run scores (default: the built-in ones); a resumed run keeps its own. */
  probeSets?: () => readonly ProbeSet[];
}

export type RunAction = 'pause' | 'resume' | 'step-once' | 'stop';

type Ids = { runId?: string; requestId?: string };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class PretrainCommands {
  private session: PretrainSession | undefined;
  /** Resolves once the last run's loop has ended and its lock is free for any tab again. */
  private lockFreed: Promise<void> = Promise.resolve();
  /** Live attention asked for: applied to the loaded run and to each run loaded after it. */
  private watch = { text: '', every: 0 };

  constructor(private readonly deps: PretrainCommandDeps) {}

  /** The live-attention watch (fine-tuning runs read it too); a new object each time it is set. */
  get attentionWatch(): { text: string; every: number } {
    return this.watch;
  }

  /** The loaded run (training, paused or ended), if any. */
  get current(): PretrainSession | undefined {
    return this.session;
  }

  private fail(where: string, error: unknown, ids: Ids = {}): void {
    this.deps.emit({ type: 'error', ...ids, where, message: messageOf(error) });
  }

  /** The loaded run when it is `runId`, else an error naming what `where` needed. */
  private loaded(runId: string, where: string, ids: Ids): PretrainSession | undefined {
    if (this.session?.runId === runId) return this.session;
    this.fail(where, new Error(`No run ${runId} is loaded: start or resume it first.`), ids);
    return undefined;
  }

  /** The adapter's limits, opening the device if none is open (undefined without a GPU). */
  async adapterLimits(): Promise<Record<string, number> | undefined> {
    try {
      return (this.deps.devices.current ?? (await this.deps.devices.open())).adapter.limits;
    } catch {
      return undefined; // no GPU: the plan still shows sizes
    }
  }

  async plan(config: Gpt1Config, B: number, T: number, accumulation?: number): Promise<void> {
    try {
      // The run will use the prepared tokenizer's vocabulary (or the imported model's config), so plan with it.
      const { prepared } = this.deps.corpus;
      const vocabSize = prepared?.tokenizer.vocabSize ?? config.vocabSize;
      const planned = prepared?.model
        ? { ...config, vocabSize: prepared.model.config.vocabSize }
        : { ...config, vocabSize };
      const { summary } = planSummary(planned, B, T, await this.adapterLimits(), accumulation);
      this.deps.emit({ type: 'plan', plan: summary });
    } catch (error) {
      this.fail('plan', error);
    }
  }

  /** Frees the loaded run (it must have ended) so a new one can take the device. */
  async retire(): Promise<boolean> {
    const old = this.session;
    if (!old) return true;
    if (!old.ended) return false;
    this.session = undefined;
    await old.destroy();
    return true;
  }

  /** Starts a new run (`paused`: opened at step 0 without training). */
  async start(runId: string, settings: PretrainSettings, paused = false): Promise<void> {
    const { corpus, prepared } = this.deps.corpus;
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
    const problem = pretrainSettingsProblem(settings, prepared.tokenizer.vocabSize);
    if (problem) {
      this.fail(problem.where, new Error(problem.message), { runId });
      return;
    }
    const { model } = prepared;
    const mismatch = model && shapeMismatch(settings, model);
    if (mismatch) {
      this.fail('model', new Error(mismatch), { runId });
      return;
    }
    const config = model
      ? configFromModel(settings, model)
      : { ...settings.config, vocabSize: prepared.tokenizer.vocabSize };
    const run = {
      runId,
      settings,
      corpus: { name: corpus.name, text: corpus.text },
      ...prepared,
      ...(model ? { config, initialParams: bodyWeights(model) } : {}),
    };
    const probeSets = this.deps.probeSets?.();
    const plan = { config, B: settings.B, T: settings.T, accumulation: settings.accumulation };
    await this.launch(runId, settings.steps, plan, paused, (deps) =>
      PretrainSession.create({ ...deps, probeSets }, run, this.deps.pacing),
    );
  }

  async resumeSaved(runId: string, paused: boolean): Promise<void> {
    if (this.session?.runId === runId && !this.session.ended) {
      this.fail('run', new Error(`Run ${runId} is already loaded.`), { runId });
      return;
    }
    let saved: SavedRun;
    try {
      saved = await (await this.deps.store()).load(runId);
    } catch (error) {
      this.fail('saved run', error, { runId });
      return;
    }
    const { settings } = saved.summary;
    await this.launch(runId, settings.steps, settings, paused, async (deps) => {
      const restored = await PretrainSession.restore(deps, saved, this.deps.pacing);
      this.deps.corpus.adopt(restored.corpus, restored.tokenizer, restored.ids);
      restored.replayHistory(); // before the loop starts, so the charts' history precedes new points
      return restored;
    });
  }

  /** What every run start shares: the lock (held while the loop runs), the device with the plan's limits. */
  private async launch(
    runId: string,
    totalSteps: number,
    plan: { config: Gpt1Config; B: number; T: number; accumulation?: number },
    paused: boolean,
    build: (deps: { ctx: GpuContext; emit: EmitFn; store: CheckpointStore }) => Promise<PretrainSession>,
  ): Promise<void> {
    const finetuning = this.deps.finetuning();
    if (finetuning) {
      this.fail('run', new Error(`Fine-tuning run ${finetuning.runId} is training: stop it first.`), { runId });
      return;
    }
    if (this.session && !this.session.ended) {
      this.fail('run', new Error(`Run ${this.session.runId} is still training: stop it first.`), { runId });
      return;
    }
    // Before the ended run is retired: a refused start must not cost this tab the model it shows.
    const lock = await this.runLock(runId);
    if (!lock) {
      const why = runInUseElsewhere(runId, 'Only one tab can train a run: stop it there first.');
      this.fail('run', new Error(why), { runId });
      return;
    }
    await this.retire();
    const { emit } = this.deps;
    emit({ type: 'run-state', runId, state: 'preparing', step: 0, totalSteps });
    let session: PretrainSession;
    try {
      const limits = await this.adapterLimits();
      const { summary, needs } = planSummary(plan.config, plan.B, plan.T, limits, plan.accumulation);
      if (!summary.fits || !needs) throw new Error(summary.problem ?? 'This model does not fit this GPU.');
      const ctx = await this.deps.devices.open(needs, `pretraining run ${runId}`);
      session = await build({ ctx, emit, store: await this.deps.store() });
    } catch (error) {
      await lock.release();
      emit({ type: 'run-state', runId, state: 'error', step: 0, totalSteps, message: messageOf(error) });
      return;
    }
    this.session = session;
    session.watchAttention(this.watch.text, this.watch.every);
    const release = () => lock.release();
    this.lockFreed = session.start({ paused }).then(release, release);
  }

  /**
   * The run's lock, or undefined while another tab holds it. This tab's own ended run may still be letting go
   * of its lock (the loop ends a moment after its last state): that is waited for, not taken for another tab.
   */
  private async runLock(runId: string) {
    if (!this.session || this.session.ended) await this.lockFreed;
    return acquireRunLock(runId, this.deps.locks);
  }

  control(action: RunAction, runId: string): void {
    const session = this.loaded(runId, 'run', { runId });
    if (!session) return;
    const finetuning = this.deps.finetuning();
    if (finetuning && (action === 'resume' || action === 'step-once')) {
      this.fail('run', new Error(`Fine-tuning run ${finetuning.runId} is training: stop it first.`), { runId });
      return;
    }
    if (action === 'pause') session.pause();
    else if (action === 'resume') session.resume();
    else if (action === 'step-once') session.stepOnce();
    else session.stop();
  }

  async listSaved(): Promise<void> {
    try {
      this.deps.emit({ type: 'saved-runs', runs: await (await this.deps.store()).list() });
    } catch (error) {
      this.fail('saved runs', error);
    }
  }

  async deleteSaved(runId: string): Promise<void> {
    if (this.session?.runId === runId && !this.session.ended) {
      this.fail('saved run', new Error(`Run ${runId} is training: stop it before deleting it.`), { runId });
      return;
    }
    // Holding the run's lock while its folder goes: no other tab can be training it, or start to meanwhile.
    const lock = await this.runLock(runId);
    if (!lock) {
      this.fail('saved run', new Error(runInUseElsewhere(runId, 'Stop it there before deleting it.')), { runId });
      await this.listSaved();
      return;
    }
    try {
      await (await this.deps.store()).delete(runId);
    } catch (error) {
      this.fail('saved run', error, { runId });
      return;
    } finally {
      await lock.release();
    }
    await this.listSaved();
  }

  async generate(request: GenerateRequest): Promise<void> {
    const { requestId, runId, prompt, maxTokens, temperature, topK, seed } = request;
    const ids = { runId, requestId };
    const session = this.loaded(runId, 'generate', ids);
    if (!session) return;
    try {
      await session.generate(requestId, prompt, { maxTokens, temperature, topK, seed });
    } catch (error) {
      this.fail('generate', error, ids);
    }
  }

  async nextTokens(request: NextTokensRequest): Promise<void> {
    const { requestId, runId, prompt, temperature, topK } = request;
    const ids = { runId, requestId };
    const session = this.loaded(runId, 'next-tokens', ids);
    if (!session) return;
    try {
      const tokens = await session.nextTokens(prompt, { temperature, topK });
      this.deps.emit({ type: 'next-tokens', requestId, tokens });
    } catch (error) {
      this.fail('next-tokens', error, ids);
    }
  }

  async attention(requestId: string, runId: string, text: string): Promise<void> {
    const ids = { runId, requestId };
    const session = this.loaded(runId, 'attention', ids);
    if (!session) return;
    try {
      const { tokens, layers, heads, data } = await session.attention(text);
      this.deps.emit({ type: 'attention-maps', requestId, tokens, layers, heads, data }, [data.buffer]);
    } catch (error) {
      this.fail('attention', error, ids);
    }
  }

  /** Live attention of `text` every `every` steps (0: none) for the loaded run and the next ones. */
  async watchAttention(text: string, every: number): Promise<void> {
    if (!Number.isInteger(every) || every < 0) {
      this.fail(
        'attention',
        new Error(`Live attention every ${every} steps: give a whole number of steps, 0 for none.`),
      );
      return;
    }
    if (every > 0 && !text.trim()) {
      this.fail('attention', new Error('Live attention needs a text to look at.'));
      return;
    }
    this.watch = { text, every };
    this.session?.watchAttention(text, every);
  }

  async exportCheckpoint(runId: string): Promise<void> {
    const session = this.loaded(runId, 'export', { runId });
    if (!session) return;
    try {
      const { step, files } = await session.exportFiles();
      const list = [...files].map(([name, data]) => ({ name, bytes: data.slice().buffer as ArrayBuffer }));
      this.deps.emit(
        { type: 'checkpoint-export', runId, step, files: list },
        list.map((f) => f.bytes),
      );
    } catch (error) {
      this.fail('export', error, { runId });
    }
  }

  /** The loaded run as a start for fine-tuning. */
  currentModel(): CurrentModel | undefined {
    const session = this.session;
    if (!session) return undefined;
    return {
      runId: session.runId,
      state: session.state,
      step: session.step,
      config: session.config,
      tokenizer: session.tokenizer,
      weights: () => session.weights(),
    };
  }

  /** A device that grants `needs` for other work, retiring an ended run if the device must reopen. */
  async deviceFor(needs: LimitNeeds, purpose: string): Promise<GpuContext> {
    const current = this.deps.devices.current;
    if (current && this.session && !grants(current.device.limits, needs)) {
      if (!(await this.retire())) {
        throw new Error(
          `This model needs larger GPU limits than the device pre-training run ${this.session.runId} holds: stop it first.`,
        );
      }
    }
    return this.deps.devices.open(needs, purpose);
  }

  /** The device is gone: the run's loop ends in 'error' (its lock is released then). */
  deviceLost(message: string): void {
    const session = this.session;
    if (!session) return;
    session.deviceLost(message);
    this.session = undefined;
    void session.destroy();
  }

  /** Stops the run and frees its GPU memory. */
  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.destroy();
  }
}
