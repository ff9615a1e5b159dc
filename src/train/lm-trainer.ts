// Language-model pre-training on the GPU: one compiled program per (batch, context) holding forward,
// backward and AdamW, run once per step with one submit; validation and generation programs share its
// parameters. The host samples batches, writes the step's scalars, and reads loss and gradient norm back
// asynchronously through a ring, checking both for finiteness (WGSL cannot be trusted to detect NaN).

import { type LmBatch, LmBatchSampler, validationBatches } from '../data/lm-batches.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { LimitNeeds } from '../gpu/limits.ts';
import type { Gpt1Config } from '../model/config.ts';
import { finalHidden, type GptGraph, gptForward } from '../model/gpt.ts';
import { type LmLoss, lmHeadLoss } from '../model/lm-head.ts';
import { type ParamValues, readParams, uploadParams } from '../model/weights.ts';
import { type AdamWState, adamw } from '../ops/adamw.ts';
import { prepareEmbeddingIndex } from '../ops/embedding.ts';
import { seedConstant } from '../ops/fill.ts';
import { Graph } from '../runtime/graph.ts';
import { type MemoryPlan, planMemory } from '../runtime/memory-plan.ts';
import { Program } from '../runtime/program.ts';
import { ReadbackRing } from '../runtime/readback-ring.ts';
import type { Tensor } from '../runtime/tensor.ts';
import type { TokenizerJson } from '../tokenizer/types.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint } from './checkpoint.ts';
import { learningRate, type Schedule } from './schedule.ts';
import { setStepSeed } from './step-seed.ts';

export interface LmTrainerOptions {
  config: Gpt1Config;
  B: number;
  T: number;
  seed: number;
  schedule: Schedule;
  weightDecay?: number;
  maxGradNorm?: number;
  /** Validation batches per evaluation (fixed windows of the validation split). */
  evalBatches?: number;
  /** LM head chunk rows (default: sized for 64 MiB of logits). */
  chunkRows?: number;
}

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  tokens: number;
}

export class NonFiniteError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly gradNorm: number,
    detail = `the loss is ${loss} and the gradient norm ${gradNorm}`,
  ) {
    super(`Training stopped at step ${step}: ${detail}. Lower the learning rate, or resume from the last checkpoint.`);
    this.name = 'NonFiniteError';
  }
}

interface LmProgram {
  program: Program;
  model: GptGraph;
  targets: Tensor;
  loss: LmLoss;
}

function buildLmGraph(options: LmTrainerOptions, B: number, train: boolean, params?: Map<string, Tensor>) {
  const g = new Graph();
  const model = gptForward(g, options.config, { B, T: options.T, train, params });
  const targets = g.input('targets', [B * options.T], 'u32'); // [B*T]
  const loss = lmHeadLoss(g, finalHidden(model), model.params.get('wte')!, targets, { chunkRows: options.chunkRows });
  return { g, model, targets, loss };
}

/** The whole training step as a graph: forward with dropout, LM loss, backward, clipped AdamW. */
export function buildTrainGraph(options: LmTrainerOptions) {
  const { g, model, targets, loss } = buildLmGraph(options, options.B, true);
  g.backward(loss.mean, seedConstant(g));
  const optimizer = adamw(g, g.paramGrads(), {
    weightDecay: options.weightDecay ?? 0.01,
    maxGradNorm: options.maxGradNorm ?? 1,
  });
  return { g, model, targets, loss, optimizer };
}

/**
 * The GPU memory a training run needs, planned before anything is allocated, and the device limits to
 * request for it. Builds the same graph the trainer compiles (no GPU needed).
 */
export function planTraining(options: LmTrainerOptions): { plan: MemoryPlan; needs: LimitNeeds } {
  const { g, loss, optimizer } = buildTrainGraph(options);
  const plan = planMemory(g, { keep: [loss.mean, optimizer.norm] });
  const largestBuffer = Math.max(...plan.buffers.map((b) => b.bytes));
  return {
    plan,
    needs: {
      maxBufferSize: Math.max(largestBuffer, 256 * 1024 * 1024),
      maxStorageBufferBindingSize: Math.max(plan.largestTensorBytes, 128 * 1024 * 1024),
    },
  };
}

/** The host state a checkpoint needs to resume exactly (weights and moments are read from the GPU). */
export interface LmTrainerState {
  step: number;
  samplerCursor: number;
  tokens: number;
}

export class LmTrainer {
  private stepIndex = 0;
  private tokensSeen = 0;
  private evalProgram: LmProgram | undefined;

  private constructor(
    private readonly ctx: GpuContext,
    readonly options: LmTrainerOptions,
    private readonly train: LmProgram,
    private readonly optimizer: AdamWState,
    private readonly ring: ReadbackRing,
    private readonly sampler: LmBatchSampler,
    private readonly valBatches: LmBatch[],
  ) {}

  static async create(
    ctx: GpuContext,
    options: LmTrainerOptions,
    tokens: { train: Uint32Array; val: Uint32Array },
    initial: ParamValues,
  ): Promise<LmTrainer> {
    const { g, model, targets, loss, optimizer } = buildTrainGraph(options);
    const program = await Program.compile(ctx, g, { keep: [loss.mean, optimizer.norm], label: 'train-step' });
    uploadParams(program, model.params, initial);
    const ring = new ReadbackRing(ctx.device, [loss.mean, optimizer.norm]);
    const sampler = new LmBatchSampler(tokens.train, options.B, options.T, options.seed);
    const val = validationBatches(tokens.val, options.B, options.T, options.evalBatches ?? 4);
    return new LmTrainer(ctx, options, { program, model, targets, loss }, optimizer, ring, sampler, val);
  }

  get step(): number {
    return this.stepIndex;
  }

  /** Bytes of GPU memory the training program planned (parameters, gradients, moments, activations). */
  get plannedBytes(): number {
    return this.train.program.plan.totalBytes;
  }

  /**
   * Submits one training step and returns once it is queued. `result` resolves when the GPU finishes;
   * it rejects with NonFiniteError when the loss or gradient norm is not finite.
   */
  async submitStep(): Promise<{ result: Promise<StepResult> }> {
    const { program, model, targets } = this.train;
    const step = this.stepIndex;
    const lr = learningRate(this.options.schedule, step);
    const batch = this.sampler.next();
    prepareEmbeddingIndex(program, model.embedding, batch.inputs);
    program.write(targets, batch.targets);
    program.write(this.optimizer.optState, this.optimizer.optStateFor(step + 1, lr));
    setStepSeed(program, this.options.seed, step);
    const { values } = await this.ring.run(program);
    this.stepIndex++;
    this.tokensSeen += batch.inputs.length;
    const tokens = this.tokensSeen;
    const result = values.then(([loss, norm]) => {
      const r = { step: step + 1, loss: loss![0]!, gradNorm: norm![0]!, lr, tokens };
      if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm))
        throw new NonFiniteError(r.step, r.loss, r.gradNorm);
      return r;
    });
    return { result };
  }

  /** One step, waited for (tests, CLI). */
  async trainStep(): Promise<StepResult> {
    return (await this.submitStep()).result;
  }

  /** Mean loss over the fixed validation windows, dropout off (a sync point per batch). */
  async evaluate(): Promise<number> {
    if (!this.evalProgram) {
      const { g, model, targets, loss } = buildLmGraph(this.options, this.options.B, false, this.train.model.params);
      const program = await Program.compile(this.ctx, g, {
        keep: [loss.mean],
        shareWith: this.train.program,
        label: 'eval',
      });
      this.evalProgram = { program, model, targets, loss };
    }
    const { program, model, targets, loss } = this.evalProgram;
    let sum = 0;
    for (const batch of this.valBatches) {
      prepareEmbeddingIndex(program, model.embedding, batch.inputs);
      program.write(targets, batch.targets);
      program.run();
      sum += (await program.readF32(loss.mean))[0]!;
    }
    return sum / this.valBatches.length;
  }

  /** Parameter values (a sync point). */
  params(): Promise<ParamValues> {
    return readParams(this.train.program, this.train.model.params);
  }

  /** Adam moments by parameter name (a sync point). */
  async moments(): Promise<{ m: ParamValues; v: ParamValues }> {
    const m: ParamValues = new Map();
    const v: ParamValues = new Map();
    for (const moment of this.optimizer.moments) {
      m.set(moment.param.name, (await this.train.program.readF32(moment.m)) as Float32Array<ArrayBuffer>);
      v.set(moment.param.name, (await this.train.program.readF32(moment.v)) as Float32Array<ArrayBuffer>);
    }
    return { m, v };
  }

  state(): LmTrainerState {
    return { step: this.stepIndex, samplerCursor: this.sampler.cursor, tokens: this.tokensSeen };
  }

  /** Restores weights, moments and host state saved from a trainer with the same options. */
  restore(params: ParamValues, moments: { m: ParamValues; v: ParamValues }, state: LmTrainerState): void {
    const { program, model } = this.train;
    uploadParams(program, model.params, params);
    for (const moment of this.optimizer.moments) {
      const m = moments.m.get(moment.param.name);
      const v = moments.v.get(moment.param.name);
      if (!m || !v) throw new Error(`checkpoint lacks Adam moments of ${moment.param.name}`);
      program.write(moment.m, m);
      program.write(moment.v, v);
    }
    this.stepIndex = state.step;
    this.sampler.cursor = state.samplerCursor;
    this.tokensSeen = state.tokens;
  }

  /** A complete checkpoint: weights, moments and the host state to resume exactly (a sync point). */
  async checkpoint(tokenizer: TokenizerJson, notes: Record<string, string | number> = {}): Promise<Checkpoint> {
    const { config, B, T, seed, schedule } = this.options;
    const params = await this.params();
    // A finite loss does not prove finite weights (an update can overflow): never save a broken model.
    for (const [name, values] of params) {
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new NonFiniteError(this.stepIndex, Number.NaN, Number.NaN, `weight ${name}[${bad}] is ${values[bad]}`);
      }
    }
    return {
      config,
      heads: {},
      params,
      moments: await this.moments(),
      state: {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        kind: 'pretrain',
        step: this.stepIndex,
        tokens: this.tokensSeen,
        seed,
        dataCursor: this.sampler.cursor,
        B,
        T,
        schedule,
        weightDecay: this.options.weightDecay ?? 0.01,
        maxGradNorm: this.options.maxGradNorm ?? 1,
        tokenizer,
        notes,
      },
    };
  }

  /** Resumes from a checkpoint of a trainer with the same config, batch and context. */
  restoreCheckpoint(ckpt: Checkpoint): void {
    const { state } = ckpt;
    if (state.B !== this.options.B || state.T !== this.options.T) {
      throw new Error(
        `checkpoint was trained at batch ${state.B} x ${state.T}, this run is ${this.options.B} x ${this.options.T}`,
      );
    }
    if (typeof state.dataCursor !== 'number')
      throw new Error('checkpoint is a fine-tuning checkpoint, not pre-training');
    if (!ckpt.moments) throw new Error('checkpoint has no optimizer state (optimizer.safetensors)');
    this.restore(ckpt.params, ckpt.moments, {
      step: state.step,
      samplerCursor: state.dataCursor,
      tokens: state.tokens,
    });
  }

  /** The training program's model graph (for generation programs that share its parameters). */
  get model(): GptGraph {
    return this.train.model;
  }

  get program(): Program {
    return this.train.program;
  }

  destroy(): void {
    this.evalProgram?.program.destroy();
    this.ring.destroy();
    this.train.program.destroy();
  }
}
