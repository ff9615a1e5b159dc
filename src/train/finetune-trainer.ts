// Fine-tuning on the GPU (paper §3.2): one compiled program per (task, batch, context) holding forward,
// L3 = L2 + λ·L1, backward and clipped AdamW (with accumulation, per micro-batch forward and backward),
// run once per step with one submit; the evaluation program
// shares its parameters. The host draws each step's examples from a seeded TaskOrder (a fresh permutation
// per epoch), packs them into a fixed-shape batch (padding slots add nothing to the loss), and reads the
// losses and gradient norm back asynchronously through a ring, checking them for finiteness.
import type { GpuContext } from '../gpu/device.ts';
import type { LimitNeeds } from '../gpu/limits.ts';
import type { Gpt1Config } from '../model/config.ts';
import { type EncodedTaskSet, packBatch, type TaskBatch, TaskOrder } from '../model/task-inputs.ts';
import type { ParamValues } from '../model/weights.ts';
import { IGNORE_INDEX } from '../ops/crossentropy.ts';
import type { MemoryPlan } from '../runtime/memory-plan.ts';
import type { Program } from '../runtime/program.ts';
import type { TokenizerJson } from '../tokenizer/types.ts';
import type { Checkpoint } from './checkpoint.ts';
import { buildFinetuneGraph, type FinetuneGraph, headWidth, type TaskSpec, taskHeads } from './finetune-graph.ts';
import { checkTaskSet, predictionsOf, writeTaskBatch } from './finetune-io.ts';
import { finiteStep, microBatchSize, planTrainGraph, TrainProgram, type TrainRunOptions } from './train-program.ts';

export interface FinetuneTrainerOptions extends TrainRunOptions {
  /** The model, vocabulary already grown by the special tokens. */
  config: Gpt1Config;
  task: TaskSpec;
  /** Examples per step (the paper: 32). */
  B: number;
  /** Tokens per sequence (<= config.nPositions; every encoded row must fit). */
  T: number;
  /** λ of L3 = L2 + λ·L1 (paper 0.5); 0 records no LM head. */
  auxLm: number;
  /** Default 0.1 (paper). */
  classifierDropout?: number;
  chunkRows?: number;
  /** Which next tokens L1 predicts (task-inputs.ts); default 'all'. */
  lmTargets?: 'all' | 'text';
  /** Gradient accumulation: micro-batches per step, each B / accumulation examples (default 1). */
  accumulation?: number;
}

export interface FinetuneStepResult {
  step: number;
  /** L3 = L2 + λ·L1. */
  loss: number;
  /** L2 (cross-entropy or MSE) over the batch's examples. */
  taskLoss: number;
  /** L1, or null when λ = 0. */
  lmLoss: number | null;
  gradNorm: number;
  lr: number;
  /** Epoch (0-based) the batch belongs to. */
  epoch: number;
  examples: number;
}

/** The head's outputs for an encoded set, in example order. */
export interface HeadOutputs {
  /** [n, L] logits (classes or choices), or [n, 1] scores. */
  outputs: Float32Array;
  width: number;
  /** Argmax class or choice, or the score for regression. */
  predictions: Float64Array;
}

/** The GPU memory a fine-tuning run plans (the training graph, built without a GPU) and the limits to request. */
export function planFinetune(options: FinetuneTrainerOptions): { plan: MemoryPlan; needs: LimitNeeds } {
  const graph = buildFinetuneGraph({ ...options, train: true, classifierDropout: options.classifierDropout ?? 0.1 });
  return planTrainGraph(graph.g, stepReadbacks(graph));
}

/** What a step reads back: per micro-batch the task loss and the auxiliary LM loss when λ > 0; the gradient norm. */
function stepReadbacks(graph: FinetuneGraph) {
  return [...graph.micro.flatMap((mb) => [mb.taskLoss!, ...(mb.lm ? [mb.lm.mean] : [])]), graph.optimizer!.norm];
}

/** LM targets a packed batch scores (its real tokens' next tokens). */
function lmTargetCount(batch: TaskBatch): number {
  let count = 0;
  for (const t of batch.lmTargets) if (t !== IGNORE_INDEX) count++;
  return count;
}

interface EvalProgram {
  program: Program;
  graph: FinetuneGraph;
}

export class FinetuneTrainer {
  private evalProgram: EvalProgram | undefined;

  private constructor(
    readonly options: FinetuneTrainerOptions,
    private readonly graph: FinetuneGraph,
    private readonly core: TrainProgram,
    private readonly order: TaskOrder,
    private readonly trainSet: EncodedTaskSet,
  ) {}

  static async create(
    ctx: GpuContext,
    options: FinetuneTrainerOptions,
    train: EncodedTaskSet,
    initial: ParamValues,
  ): Promise<FinetuneTrainer> {
    checkTaskSet(train, options);
    const graph = buildFinetuneGraph({ ...options, train: true, classifierDropout: options.classifierDropout ?? 0.1 });
    const { g, model, optimizer } = graph;
    const spec = { g, params: model.params, optimizer: optimizer!, read: stepReadbacks(graph), label: 'finetune-step' };
    const core = await TrainProgram.compile(ctx, options, spec, initial);
    const order = new TaskOrder(train.labels.length, options.seed);
    return new FinetuneTrainer(options, graph, core, order, train);
  }

  get step(): number {
    return this.core.step;
  }

  /** Epoch and position of the next batch. */
  get cursor(): { epoch: number; position: number } {
    return this.order.cursor;
  }

  /** Steps per epoch: every example once, the last batch padded. */
  get stepsPerEpoch(): number {
    return this.order.batchesPerEpoch(this.options.B);
  }

  get plannedBytes(): number {
    return this.core.program.plan.totalBytes;
  }

  /** The compiled training program (tests read its gradients). */
  get program(): Program {
    return this.core.program;
  }

  /** The training graph (tests count its dispatches; the UI shows its size). */
  get taskGraph(): FinetuneGraph {
    return this.graph;
  }

  /**
   * Submits one step and returns once it is queued. `result` resolves when the GPU finishes; it rejects
   * with NonFiniteError when a loss or the gradient norm is not finite.
   */
  async submitStep(): Promise<{ result: Promise<FinetuneStepResult> }> {
    const { B, T, auxLm } = this.options;
    const next = this.order.next(B);
    const { micro } = this.graph;
    const b = B / micro.length;
    const lmTargets = this.options.lmTargets;
    const parts = micro.map((_, m) =>
      packBatch(this.trainSet, next.indices.slice(m * b, (m + 1) * b), T, { batchSize: b, lmTargets }),
    );
    const examples = parts.reduce((sum, part) => sum + part.examples, 0);
    const lmCounts = parts.map(lmTargetCount);
    const lmTotal = lmCounts.reduce((sum, n) => sum + n, 0);
    // Each micro-batch's share of the step's examples and LM targets: the weights of its mean losses (1 alone).
    const taskShares = parts.map((part) => (micro.length === 1 ? 1 : part.examples / examples));
    const lmShares = lmCounts.map((n) => (micro.length === 1 ? 1 : lmTotal > 0 ? n / lmTotal : 0));
    micro.forEach((mb, m) => {
      writeTaskBatch(this.core.program, mb, parts[m]!);
      if (mb.taskShare) this.core.program.write(mb.taskShare, Float32Array.of(taskShares[m]!));
      if (mb.lmShare) this.core.program.write(mb.lmShare, Float32Array.of(lmShares[m]!));
    });
    const tokens = parts.reduce((sum, part) => sum + part.lengths.reduce((s, length) => s + length, 0), 0);
    const { step, lr, values } = await this.core.submit(tokens);
    const hasLm = Boolean(this.graph.lm);
    const result = values.then((read) => {
      let taskLoss = 0;
      let lmLoss: number | null = hasLm ? 0 : null;
      let at = 0;
      for (let m = 0; m < micro.length; m++) {
        const task = read[at++]![0]!;
        taskLoss = micro.length === 1 ? task : taskLoss + taskShares[m]! * task;
        if (lmLoss === null) continue;
        const lm = read[at++]![0]!;
        lmLoss = micro.length === 1 ? lm : lmLoss + lmShares[m]! * lm;
      }
      const gradNorm = read.at(-1)![0]!;
      const loss = taskLoss + (lmLoss === null ? 0 : auxLm * lmLoss);
      return finiteStep({ step, loss, taskLoss, lmLoss, gradNorm, lr, epoch: next.epoch, examples });
    });
    return { result };
  }

  /** One step, waited for (tests, CLI). */
  async trainStep(): Promise<FinetuneStepResult> {
    return (await this.submitStep()).result;
  }

  /** The head's outputs on every example of `set`, dropout off (a sync point per batch). */
  async evaluate(set: EncodedTaskSet): Promise<HeadOutputs> {
    checkTaskSet(set, this.options);
    const { T } = this.options;
    const B = microBatchSize(this.options); // the evaluation program holds one micro-batch
    if (!this.evalProgram) {
      const graph = buildFinetuneGraph({
        ...this.options,
        train: false,
        auxLm: 0,
        classifierDropout: 0,
        params: this.graph.model.params,
      });
      const program = await this.core.compileShared(graph.g, [graph.head], 'finetune-eval');
      this.evalProgram = { program, graph };
    }
    const { program, graph } = this.evalProgram;
    const n = set.labels.length;
    const width = headWidth(this.options.task);
    const outputs = new Float32Array(n * width);
    for (let start = 0; start < n; start += B) {
      const indices = Array.from({ length: Math.min(B, n - start) }, (_, i) => start + i);
      writeTaskBatch(program, graph, packBatch(set, indices, T, { batchSize: B }));
      program.run();
      const head = await program.readF32(graph.head); // [B, width]
      outputs.set(head.subarray(0, indices.length * width), start * width);
    }
    return { outputs, width, predictions: predictionsOf(outputs, width, this.options.task.regression) };
  }

  params(): Promise<ParamValues> {
    return this.core.readParams();
  }

  /**
   * A complete checkpoint: weights with the task head, moments, and the host state to resume exactly;
   * `labels`, a classifier's class names, go into config.json's id2label.
   */
  async checkpoint(
    tokenizer: TokenizerJson,
    notes: Record<string, string | number> = {},
    labels?: readonly string[],
  ): Promise<Checkpoint> {
    const { config, task, auxLm } = this.options;
    const taskNotes = { family: task.family, regression: task.regression ? 1 : 0, numLabels: task.numLabels, auxLm };
    const ckpt = await this.core.checkpoint({
      config,
      heads: taskHeads(task),
      kind: 'finetune',
      dataCursor: this.order.cursor,
      tokenizer,
      notes: { ...taskNotes, ...notes },
    });
    return labels?.length ? { ...ckpt, labels: [...labels] } : ckpt;
  }

  /** Resumes from a fine-tuning checkpoint of a trainer with the same config, task, batch and context. */
  restoreCheckpoint(ckpt: Checkpoint): void {
    const { state } = ckpt;
    if (state.kind !== 'finetune' || typeof state.dataCursor !== 'object') {
      throw new Error('checkpoint is a pre-training checkpoint: use it with --init, not to resume fine-tuning');
    }
    this.core.restoreCheckpoint(ckpt, 'fine-tuned');
    this.order.cursor = state.dataCursor;
  }

  destroy(): void {
    this.core.destroy();
  }
}
