// Language-model pre-training on the GPU: one compiled program per (batch, context) holding forward,
// backward and AdamW, run once per step with one submit; validation and generation programs share its
// parameters. With gradient accumulation the program holds A micro-batches of B/A sequences, each a forward
// and a backward adding into the parameter gradients, then one AdamW: still one submit per step, and the
// activations planned are one micro-batch's. The host samples batches, writes the step's scalars, and reads loss and gradient norm back
// asynchronously through a ring, checking both for finiteness (WGSL cannot be trusted to detect NaN).

import { type LmBatch, LmBatchSampler, validationBatches } from '../data/lm-batches.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { LimitNeeds } from '../gpu/limits.ts';
import type { Gpt1Config } from '../model/config.ts';
import { finalHidden, type GptGraph, gptForward } from '../model/gpt.ts';
import { type LmLoss, lmHeadLoss } from '../model/lm-head.ts';
import type { ParamValues } from '../model/weights.ts';
import { adamw } from '../ops/adamw.ts';
import { prepareEmbeddingIndex } from '../ops/embedding.ts';
import { seedConstant } from '../ops/fill.ts';
import { matmul } from '../ops/matmul.ts';
import { Graph } from '../runtime/graph.ts';
import type { MemoryPlan } from '../runtime/memory-plan.ts';
import type { Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import type { TokenizerJson } from '../tokenizer/types.ts';
import type { Checkpoint } from './checkpoint.ts';
import {
  finiteStep,
  microBatchSize,
  NonFiniteError,
  planTrainGraph,
  stepAdamW,
  TrainProgram,
  type TrainRunOptions,
} from './train-program.ts';

export { NonFiniteError };

export interface LmTrainerOptions extends TrainRunOptions {
  config: Gpt1Config;
  /** Validation batches per evaluation (fixed windows of the validation split). */
  evalBatches?: number;
  /** LM head chunk rows (default: sized for 64 MiB of logits). */
  chunkRows?: number;
  /**
   * Split-K weight gradients (GraphOptions.splitK): other rounding, the same on every device. Off by
   * default; the benchmarks measure it (`--split-k`) before it becomes anyone's default.
   */
  splitK?: boolean;
  /** Attention rows per workgroup (src/ops/attention.ts): speed only, the same bits. */
  attentionBlock?: number;
  /** Gradient accumulation: micro-batches per step, each B / accumulation sequences (default 1). */
  accumulation?: number;
}

export interface StepResult {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  tokens: number;
}

/** A settled step as charts and saved runs keep it: its result and how fast the run went. */
export interface StepMetrics extends StepResult {
  /** Smoothed throughput and step time (0 before the first measurement). */
  tokensPerSecond: number;
  msPerStep: number;
  /** Active milliseconds since the run started (pauses left out: the wall time axis). */
  elapsedMs: number;
}

interface LmProgram {
  program: Program;
  model: GptGraph;
  targets: Tensor;
  loss: LmLoss;
}

/** What the training step's graph is built from: the trainer's options less the host's (seed, schedule, data). */
export type LmGraphOptions = Pick<
  LmTrainerOptions,
  'config' | 'B' | 'T' | 'chunkRows' | 'weightDecay' | 'maxGradNorm' | 'splitK' | 'attentionBlock' | 'accumulation'
>;

/** One micro-batch's forward and loss (the whole batch when there is no accumulation). */
interface LmMicroBatch {
  model: GptGraph;
  targets: Tensor;
  loss: LmLoss;
}

function recordLmForward(
  g: Graph,
  options: LmGraphOptions,
  B: number,
  train: boolean,
  params?: Map<string, Tensor>,
  microBatch = 0,
): LmMicroBatch {
  const model = gptForward(g, options.config, {
    B,
    T: options.T,
    train,
    params,
    attentionBlock: options.attentionBlock,
    microBatch,
  });
  const targets = g.input('targets', [B * options.T], 'u32'); // [B*T]
  const loss = lmHeadLoss(g, finalHidden(model), model.params.get('wte')!, targets, { chunkRows: options.chunkRows });
  return { model, targets, loss };
}

function buildLmGraph(options: LmGraphOptions, B: number, train: boolean, params?: Map<string, Tensor>) {
  const g = new Graph({ splitK: options.splitK });
  return { g, ...recordLmForward(g, options, B, train, params) };
}

/**
 * The whole training step as a graph: forward with dropout, LM loss, backward, clipped AdamW. `logits: true`
 * also records the full logits before backward, so that they come from the weights the step starts from:
 * parity reads them (of the first micro-batch); training never does (the chunked LM head exists so that they
 * never have to exist). With accumulation A, each of the A micro-batches is seeded with 1/A: the mean of A equal-sized means is the
 * batch's mean, so the summed gradients are the whole batch's (up to f32 rounding of the other order).
 */
export function buildTrainGraph(options: LmGraphOptions, reads: { logits?: boolean } = {}) {
  const A = options.accumulation ?? 1;
  const b = microBatchSize(options);
  const g = new Graph({ splitK: options.splitK });
  const micro: LmMicroBatch[] = [];
  let logits: Tensor | undefined;
  for (let m = 0; m < A; m++) {
    if (m > 0) g.nextMicroBatch();
    const mb = recordLmForward(g, options, b, true, micro[0]?.model.params, m);
    micro.push(mb);
    if (m === 0 && reads.logits) {
      logits = matmul(g, finalHidden(mb.model), mb.model.params.get('wte')!, { transB: true, name: 'logits' }); // [b, T, V]
    }
    g.backward(mb.loss.mean, seedConstant(g, 1 / A));
  }
  const { model, targets, loss } = micro[0]!;
  const optimizer = adamw(g, g.paramGrads(), stepAdamW(options));
  return { g, model, targets, loss, micro, optimizer, logits };
}

/** What a step reads back: each micro-batch's mean loss, then the gradient norm. */
function stepReads(graph: ReturnType<typeof buildTrainGraph>): Tensor[] {
  return [...graph.micro.map((mb) => mb.loss.mean), graph.optimizer.norm];
}

/**
 * The GPU memory a training run needs, planned before anything is allocated, and the device limits to
 * request for it. Builds the same graph the trainer compiles (no GPU needed), so with accumulation the
 * activations planned are one micro-batch's.
 */
export function planTraining(options: LmTrainerOptions): { plan: MemoryPlan; needs: LimitNeeds } {
  const graph = buildTrainGraph(options);
  return planTrainGraph(graph.g, stepReads(graph));
}

export class LmTrainer {
  private evalProgram: LmProgram | undefined;

  private constructor(
    readonly options: LmTrainerOptions,
    private readonly core: TrainProgram,
    private readonly micro: LmMicroBatch[],
    private readonly sampler: LmBatchSampler,
    private readonly valBatches: LmBatch[],
  ) {}

  static async create(
    ctx: GpuContext,
    options: LmTrainerOptions,
    tokens: { train: Uint32Array; val: Uint32Array },
    initial: ParamValues,
  ): Promise<LmTrainer> {
    const graph = buildTrainGraph(options);
    const { g, model, optimizer } = graph;
    const spec = { g, params: model.params, optimizer, read: stepReads(graph), label: 'train-step' };
    const core = await TrainProgram.compile(ctx, options, spec, initial);
    const sampler = new LmBatchSampler(tokens.train, options.B, options.T, options.seed);
    const val = validationBatches(tokens.val, options.B, options.T, options.evalBatches ?? 4);
    return new LmTrainer(options, core, graph.micro, sampler, val);
  }

  get step(): number {
    return this.core.step;
  }

  /** Bytes of GPU memory the training program planned (parameters, gradients, moments, activations). */
  get plannedBytes(): number {
    return this.core.program.plan.totalBytes;
  }

  /**
   * Submits one training step and returns once it is queued. `result` resolves when the GPU finishes;
   * it rejects with NonFiniteError when the loss or gradient norm is not finite.
   */
  async submitStep(): Promise<{ result: Promise<StepResult> }> {
    const batch = this.sampler.next();
    const rows = batch.inputs.length / this.micro.length;
    this.micro.forEach(({ model, targets }, m) => {
      const part = (ids: Uint32Array<ArrayBuffer>) => ids.slice(m * rows, (m + 1) * rows); // [B/A * T] of [B * T]
      prepareEmbeddingIndex(this.core.program, model.embedding, part(batch.inputs));
      this.core.program.write(targets, part(batch.targets));
    });
    const { step, lr, tokens, values } = await this.core.submit(batch.inputs.length);
    const result = values.then((read) => {
      const norm = read.at(-1)![0]!;
      const losses = read.slice(0, -1).map((loss) => loss[0]!);
      // The step's loss: the mean of the micro-batches' means (the batch's mean, as they are equal-sized).
      const loss = losses.length === 1 ? losses[0]! : losses.reduce((sum, l) => sum + l, 0) / losses.length;
      return finiteStep({ step, loss, gradNorm: norm, lr, tokens });
    });
    return { result };
  }

  /** One step, waited for (tests, CLI). */
  async trainStep(): Promise<StepResult> {
    return (await this.submitStep()).result;
  }

  /**
   * Mean loss over the fixed validation windows, dropout off (a sync point per run). With accumulation the
   * evaluation program, too, holds one micro-batch, and runs each window batch in equal parts.
   */
  async evaluate(): Promise<number> {
    const b = microBatchSize(this.options);
    if (!this.evalProgram) {
      const { g, model, targets, loss } = buildLmGraph(this.options, b, false, this.model.params);
      const program = await this.core.compileShared(g, [loss.mean], 'eval');
      this.evalProgram = { program, model, targets, loss };
    }
    const { program, model, targets, loss } = this.evalProgram;
    const rows = b * this.options.T;
    let sum = 0;
    let runs = 0;
    for (const batch of this.valBatches) {
      for (let start = 0; start < batch.inputs.length; start += rows) {
        prepareEmbeddingIndex(program, model.embedding, batch.inputs.slice(start, start + rows));
        program.write(targets, batch.targets.slice(start, start + rows));
        program.run();
        sum += (await program.readF32(loss.mean))[0]!;
        runs++;
      }
    }
    return sum / runs;
  }

  /** Parameter values (a sync point). */
  params(): Promise<ParamValues> {
    return this.core.readParams();
  }

  /** A complete checkpoint: weights, moments and the host state to resume exactly (a sync point). */
  checkpoint(tokenizer: TokenizerJson, notes: Record<string, string | number> = {}): Promise<Checkpoint> {
    const { config } = this.options;
    const dataCursor = this.sampler.cursor;
    return this.core.checkpoint({ config, heads: {}, kind: 'pretrain', dataCursor, tokenizer, notes });
  }

  /** Resumes from a checkpoint of a trainer with the same config, batch and context. */
  restoreCheckpoint(ckpt: Checkpoint): void {
    const cursor = ckpt.state.dataCursor;
    if (typeof cursor !== 'number') throw new Error('checkpoint is a fine-tuning checkpoint, not pre-training');
    this.core.restoreCheckpoint(ckpt);
    this.sampler.cursor = cursor;
  }

  /** The training program's model graph (for generation programs that share its parameters). */
  get model(): GptGraph {
    return this.micro[0]!.model;
  }

  get program(): Program {
    return this.core.program;
  }

  destroy(): void {
    this.core.destroy();
  }
}
