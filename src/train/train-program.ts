// What pre-training and fine-tuning share around one compiled training step: the memory plan and device
// limits of its graph, the program with its parameters uploaded, the readback ring for the losses and the
// gradient norm, and the host's part of a step (learning rate, AdamW step state, dropout seed, one submit,
// step and token counts). Weights and Adam moments go in and out of it for checkpoints. The trainers keep
// what differs: their graphs, how a batch is written, what a step's readback means, evaluation.
import type { GpuContext } from '../gpu/device.ts';
import type { LimitNeeds } from '../gpu/limits.ts';
import type { Gpt1Config } from '../model/config.ts';
import type { HeadSpec } from '../model/params.ts';
import { type ParamValues, readParams, uploadParams } from '../model/weights.ts';
import type { AdamWOptions, AdamWState } from '../ops/adamw.ts';
import type { Graph } from '../runtime/graph.ts';
import { type MemoryPlan, planMemory } from '../runtime/memory-plan.ts';
import { Program } from '../runtime/program.ts';
import { ReadbackRing } from '../runtime/readback-ring.ts';
import type { Tensor } from '../runtime/tensor.ts';
import type { TokenizerJson } from '../tokenizer/types.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type Checkpoint, type TrainingState } from './checkpoint.ts';
import { learningRate, type Schedule } from './schedule.ts';
import { setStepSeed } from './step-seed.ts';

export class NonFiniteError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly gradNorm: number,
    detail = `the loss is ${loss} and the gradient norm ${gradNorm}`,
  ) {
    super(`Training stopped at step ${step}: ${detail}. Lower the learning rate.`);
    this.name = 'NonFiniteError';
  }
}

/** A step's result, passed through when its loss and gradient norm are finite (WGSL cannot detect NaN). */
export function finiteStep<R extends { step: number; loss: number; gradNorm: number }>(r: R): R {
  if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm)) throw new NonFiniteError(r.step, r.loss, r.gradNorm);
  return r;
}

/** The options both trainers take that the shared step and the checkpoint state read. */
export interface TrainRunOptions {
  B: number;
  T: number;
  seed: number;
  schedule: Schedule;
  /** Decoupled weight decay on matrices and embeddings (default 0.01). */
  weightDecay?: number;
  /** Global-norm gradient clip (default 1); 0 turns clipping off, as Hugging Face Trainer's max_grad_norm. */
  maxGradNorm?: number;
}

/** The training step's AdamW options from a run's (both trainers' graphs record their optimizer with them). */
export function stepAdamW(options: Pick<TrainRunOptions, 'weightDecay' | 'maxGradNorm'>): AdamWOptions {
  const maxGradNorm = options.maxGradNorm ?? 1;
  return { weightDecay: options.weightDecay ?? 0.01, maxGradNorm: maxGradNorm === 0 ? undefined : maxGradNorm };
}

/** Sequences (or example slots) per micro-batch: the batch split into `accumulation` equal parts. */
export function microBatchSize(options: { B: number; accumulation?: number }): number {
  const A = options.accumulation ?? 1;
  if (!Number.isInteger(A) || A < 1 || options.B % A !== 0) {
    throw new Error(`gradient accumulation ${A} must be a whole number that divides the batch ${options.B}`);
  }
  return options.B / A;
}

/** The GPU memory a training graph plans (built without a GPU) and the device limits to request for it. */
export function planTrainGraph(g: Graph, keep: Tensor[]): { plan: MemoryPlan; needs: LimitNeeds } {
  const plan = planMemory(g, { keep });
  const largestBuffer = Math.max(...plan.buffers.map((b) => b.bytes));
  return {
    plan,
    needs: {
      maxBufferSize: Math.max(largestBuffer, 256 * 1024 * 1024),
      maxStorageBufferBindingSize: Math.max(plan.largestTensorBytes, 128 * 1024 * 1024),
    },
  };
}

export interface TrainProgramSpec {
  g: Graph;
  params: Map<string, Tensor>;
  optimizer: AdamWState;
  /** The [1] f32 tensors each step reads back (losses, then the gradient norm). */
  read: Tensor[];
  label: string;
}

export class TrainProgram {
  /** Steps done. */
  step = 0;
  /** Tokens trained on. */
  tokens = 0;
  private readonly shared: Program[] = [];

  private constructor(
    private readonly ctx: GpuContext,
    private readonly options: TrainRunOptions,
    readonly program: Program,
    private readonly params: Map<string, Tensor>,
    private readonly optimizer: AdamWState,
    private readonly ring: ReadbackRing,
  ) {}

  static async compile(
    ctx: GpuContext,
    options: TrainRunOptions,
    spec: TrainProgramSpec,
    initial: ParamValues,
  ): Promise<TrainProgram> {
    const program = await Program.compile(ctx, spec.g, { keep: spec.read, label: spec.label });
    uploadParams(program, spec.params, initial);
    const ring = new ReadbackRing(ctx.device, spec.read);
    return new TrainProgram(ctx, options, program, spec.params, spec.optimizer, ring);
  }

  /** A forward program (evaluation) on the training program's parameters, destroyed with it. */
  async compileShared(g: Graph, keep: Tensor[], label: string): Promise<Program> {
    const program = await Program.compile(this.ctx, g, { keep, shareWith: this.program, label });
    this.shared.push(program);
    return program;
  }

  /**
   * Submits one step on the batch already written, counting `tokens` once it is queued. `values` (the
   * `read` tensors) resolves when the GPU finishes; `step` is the one this submit completes.
   */
  async submit(tokens: number): Promise<{ step: number; lr: number; tokens: number; values: Promise<Float32Array[]> }> {
    const step = this.step;
    const lr = learningRate(this.options.schedule, step);
    this.program.write(this.optimizer.optState, this.optimizer.optStateFor(step + 1, lr));
    setStepSeed(this.program, this.options.seed, step);
    const { values } = await this.ring.run(this.program);
    this.step++;
    this.tokens += tokens;
    return { step: step + 1, lr, tokens: this.tokens, values };
  }

  /** Parameter values (a sync point). */
  readParams(): Promise<ParamValues> {
    return readParams(this.program, this.params);
  }

  /** Adam moments by parameter name (a sync point). */
  async moments(): Promise<{ m: ParamValues; v: ParamValues }> {
    const m: ParamValues = new Map();
    const v: ParamValues = new Map();
    for (const moment of this.optimizer.moments) {
      m.set(moment.param.name, (await this.program.readF32(moment.m)) as Float32Array<ArrayBuffer>);
      v.set(moment.param.name, (await this.program.readF32(moment.v)) as Float32Array<ArrayBuffer>);
    }
    return { m, v };
  }

  /**
   * A complete checkpoint at the current step: weights, moments and the host state to resume exactly (a sync
   * point). Refuses non-finite weights: a finite loss does not prove them finite (an update can overflow).
   */
  async checkpoint(parts: {
    config: Gpt1Config;
    heads: HeadSpec;
    kind: TrainingState['kind'];
    dataCursor: TrainingState['dataCursor'];
    tokenizer: TokenizerJson;
    notes: Record<string, string | number>;
  }): Promise<Checkpoint> {
    const params = await this.readParams();
    for (const [name, values] of params) {
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        throw new NonFiniteError(this.step, Number.NaN, Number.NaN, `weight ${name}[${bad}] is ${values[bad]}`);
      }
    }
    const moments = await this.moments();
    const state = this.trainingState(parts.kind, parts.dataCursor, parts.tokenizer, parts.notes);
    return { config: parts.config, heads: parts.heads, params, moments, state };
  }

  /**
   * Weights, moments, step and token count from a checkpoint of a run with the same model, batch and
   * context (the trainer restores its own data cursor); `trained` words the batch check ("fine-tuned").
   */
  restoreCheckpoint(ckpt: Checkpoint, trained = 'trained'): void {
    const { state } = ckpt;
    const { B, T } = this.options;
    if (state.B !== B || state.T !== T) {
      throw new Error(`checkpoint was ${trained} at batch ${state.B} x ${state.T}, this run is ${B} x ${T}`);
    }
    if (!ckpt.moments) throw new Error('checkpoint has no optimizer state (optimizer.safetensors)');
    uploadParams(this.program, this.params, ckpt.params);
    for (const moment of this.optimizer.moments) {
      const m = ckpt.moments.m.get(moment.param.name);
      const v = ckpt.moments.v.get(moment.param.name);
      if (!m || !v) throw new Error(`checkpoint lacks Adam moments of ${moment.param.name}`);
      this.program.write(moment.m, m);
      this.program.write(moment.v, v);
    }
    this.step = state.step;
    this.tokens = state.tokens;
  }

  /** A checkpoint's training state at the current step (the field order is the file's). */
  private trainingState(
    kind: TrainingState['kind'],
    dataCursor: TrainingState['dataCursor'],
    tokenizer: TokenizerJson,
    notes: Record<string, string | number>,
  ): TrainingState {
    const { B, T, seed, schedule } = this.options;
    return {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      kind,
      step: this.step,
      tokens: this.tokens,
      seed,
      dataCursor,
      B,
      T,
      schedule,
      weightDecay: this.options.weightDecay ?? 0.01,
      maxGradNorm: this.options.maxGradNorm ?? 1,
      tokenizer,
      notes,
    };
  }

  destroy(): void {
    for (const program of this.shared) program.destroy();
    this.ring.destroy();
    this.program.destroy();
  }
}
