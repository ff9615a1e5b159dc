// The fine-tuning graph (paper §3.2-3.3): the GPT-1 body over a batch's sequences, the task head on the
// extract tokens' final states, L2 (cross-entropy or MSE) and, when λ > 0, the auxiliary LM loss L1 on the
// same inputs, seeded as L3 = L2 + λ·L1. The training variant adds backward and clipped AdamW; the
// evaluation variant (dropout off, no LM head) shares the training program's parameters. With gradient
// accumulation the training graph holds A micro-batches of B/A examples, each with its own backward.
//   classification / entailment   h[extract] -> dropout -> cls.w [L, C]         -> CE over L classes
//   similarity                     h[extract A$B] + h[extract B$A] -> dropout -> cls.w -> CE (or MSE)
//   regression (STS-B)             ... -> cls.w [1, C] -> MSE against the scores
//   multiple choice                h[extract_k] -> dropout -> mc.w [1, C] + mc.b -> [B, K] -> CE over choices
// Padding example slots (fixed batch shape) carry IGNORE_INDEX labels or weight 0, so they add nothing to
// L2 or its mean's denominator; their LM targets are all ignored too.
import type { TaskFamily } from '../data/tasks/task-types.ts';
import type { Gpt1Config } from '../model/config.ts';
import { finalHidden, type GptGraph, gptForward, MICRO_BATCH_STREAM_STRIDE } from '../model/gpt.ts';
import { type LmLoss, lmHeadLoss } from '../model/lm-head.ts';
import type { HeadSpec } from '../model/params.ts';
import { type AdamWState, adamw } from '../ops/adamw.ts';
import { crossEntropy } from '../ops/crossentropy.ts';
import { dropout } from '../ops/dropout.ts';
import { scaleCopy, seedConstant, seedFrom } from '../ops/fill.ts';
import { type Gather, gatherRows, reshape } from '../ops/gather.ts';
import { matmul } from '../ops/matmul.ts';
import { mse } from '../ops/mse.ts';
import { residual } from '../ops/residual.ts';
import { Graph } from '../runtime/graph.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { microBatchSize, stepAdamW } from './train-program.ts';

/** The classifier dropout's random stream ('clas'), apart from the body's sites (gpt.ts DROPOUT_STREAMS). */
export const CLASSIFIER_DROPOUT_STREAM = 0x636c6173;

/** What the head predicts. */
export interface TaskSpec {
  family: TaskFamily;
  /** Scores (STS-B), one output, MSE loss. Classification, entailment or similarity only. */
  regression: boolean;
  /** Classes for classification/entailment/similarity (1 for regression); choices K for multiple choice. */
  numLabels: number;
}

/** Sequences per example: 2 for similarity (both orders), K for multiple choice, else 1. */
export function sequencesPerExample(task: TaskSpec): number {
  if (task.family === 'similarity') return 2;
  return task.family === 'multiple-choice' ? task.numLabels : 1;
}

/** The parameter table's heads for a task. */
export function taskHeads(task: TaskSpec): HeadSpec {
  if (task.family === 'multiple-choice') return { multipleChoice: true };
  return { classifierLabels: task.regression ? 1 : task.numLabels };
}

/** Columns of the head's output per example: classes, choices, or 1 (a score). */
export function headWidth(task: TaskSpec): number {
  return task.regression ? 1 : task.numLabels;
}

export function checkTaskSpec(task: TaskSpec): void {
  if (task.regression && task.family === 'multiple-choice') throw new Error('Multiple choice cannot be a regression.');
  if (!Number.isInteger(task.numLabels) || task.numLabels < 1 || (!task.regression && task.numLabels < 2)) {
    const what = task.family === 'multiple-choice' ? 'choices' : 'classes';
    throw new Error(`A ${task.family} task needs at least 2 ${what}, not ${task.numLabels}.`);
  }
  if (task.regression && task.numLabels !== 1) throw new Error('A regression task has exactly one output.');
}

export interface FinetuneGraphOptions {
  config: Gpt1Config;
  task: TaskSpec;
  /** Example slots per batch. */
  B: number;
  T: number;
  /** Dropout on (training, with backward and AdamW) or off (evaluation, forward only). */
  train: boolean;
  /** λ of L3 = L2 + λ·L1; 0 records no LM head at all. Ignored when !train. */
  auxLm: number;
  /** Dropout on the head's input (paper: 0.1). */
  classifierDropout: number;
  /** LM head chunk rows (default: sized for 64 MiB of logits). */
  chunkRows?: number;
  /** Share another program's parameter tensors (evaluation). */
  params?: Map<string, Tensor>;
  /** AdamW's weight decay and gradient clip (TrainRunOptions; clip 0 turns clipping off). */
  weightDecay?: number;
  maxGradNorm?: number;
  /** Gradient accumulation: micro-batches per training step, each B / accumulation examples (default 1). */
  accumulation?: number;
}

/** One micro-batch's part of a fine-tuning graph (the whole batch when there is no accumulation). */
export interface FinetuneMicroBatch {
  model: GptGraph;
  /** One gather for most families ([B*K] rows for multiple choice); two for similarity (A$B rows, B$A rows). */
  extracts: Gather[];
  /** [B, L] logits (classes or choices), or [B, 1] scores for regression. */
  head: Tensor;
  /** [B] u32 class or choice (IGNORE_INDEX for padding slots); classes only. */
  labels?: Tensor;
  /** [B] f32 scores and [B] f32 weights (0 for padding slots); regression only. */
  scores?: Tensor;
  weights?: Tensor;
  /** [1] L2: mean over the batch's real examples. Training only. */
  taskLoss?: Tensor;
  /** [S*T] u32 next-token targets and L1; training with λ > 0 only. */
  lmTargets?: Tensor;
  lm?: LmLoss;
  /**
   * With accumulation: [1] f32 each, this micro-batch's share of the step's real examples and of its LM
   * targets, written by the host per step, which seed L2 and λ·L1 (so padding in the last batch weighs
   * nothing and the summed gradients are the whole batch's).
   */
  taskShare?: Tensor;
  lmShare?: Tensor;
}

export interface FinetuneGraph extends FinetuneMicroBatch {
  g: Graph;
  /** The micro-batches of a step, in order (one without accumulation: the graph's own fields). */
  micro: FinetuneMicroBatch[];
  optimizer?: AdamWState;
}

/** Records one micro-batch's forward: body, extract gathers, head and (training) its losses. */
function recordTaskForward(
  g: Graph,
  options: FinetuneGraphOptions,
  B: number,
  microBatch: number,
  params: Map<string, Tensor> | undefined,
): FinetuneMicroBatch {
  const { config, task, T, train } = options;
  const K = sequencesPerExample(task);
  const S = B * K;
  const heads = taskHeads(task);
  const model = gptForward(g, config, { B: S, T, train, heads, params, microBatch });
  const p = (name: string) => model.params.get(name)!;
  const h = finalHidden(model); // [S, T, C]

  let extracts: Gather[];
  let state: Tensor; // [B or S, C]
  if (task.family === 'similarity') {
    const ab = gatherRows(g, h, B, 'extract_ab'); // [B, C]
    const ba = gatherRows(g, h, B, 'extract_ba'); // [B, C]
    extracts = [ab, ba];
    state = residual(g, ab.out, ba.out); // [B, C]: the two orders' final states added element-wise
  } else {
    const e = gatherRows(g, h, S, 'extract'); // [S, C]
    extracts = [e];
    state = e.out;
  }
  if (train && options.classifierDropout > 0) {
    const stream = CLASSIFIER_DROPOUT_STREAM + microBatch * MICRO_BATCH_STREAM_STRIDE;
    state = dropout(g, state, options.classifierDropout, stream >>> 0); // [B or S, C]
  }

  const out: FinetuneMicroBatch = { model, extracts, head: state };
  if (task.family === 'multiple-choice') {
    const scores = matmul(g, state, p('mc.w'), { bias: p('mc.b'), transB: true, name: 'mc_scores' }); // [S, 1]
    out.head = reshape(g, scores, [B, K]); // [B, K]
  } else {
    out.head = matmul(g, state, p('cls.w'), { transB: true, name: 'cls_logits' }); // [B, L]
  }
  if (!train) return out;

  if (task.regression) {
    out.scores = g.input('scores', [B]); // [B]
    out.weights = g.input('score_weights', [B]); // [B]
    out.taskLoss = mse(g, out.head, out.scores, out.weights); // [1]
  } else {
    out.labels = g.input('labels', [B], 'u32'); // [B]
    out.taskLoss = crossEntropy(g, out.head, out.labels).mean; // [1]
  }
  if (options.auxLm > 0) {
    out.lmTargets = g.input('lm_targets', [S * T], 'u32'); // [S*T]
    out.lm = lmHeadLoss(g, h, p('wte'), out.lmTargets, { chunkRows: options.chunkRows });
  }
  return out;
}

/** Records the forward (and, for training, the loss, backward and optimizer) of one fine-tuning batch. */
export function buildFinetuneGraph(options: FinetuneGraphOptions): FinetuneGraph {
  const { task, train } = options;
  checkTaskSpec(task);
  const lambda = options.auxLm;
  if (train && !(lambda >= 0 && Number.isFinite(lambda))) {
    throw new Error(`The auxiliary LM weight must be >= 0, not ${lambda}.`);
  }
  const A = train ? (options.accumulation ?? 1) : 1;
  const b = microBatchSize(options);
  const g = new Graph();
  const micro: FinetuneMicroBatch[] = [];
  for (let m = 0; m < (train ? A : 1); m++) {
    if (m > 0) g.nextMicroBatch();
    const mb = recordTaskForward(g, options, b, m, micro[0]?.model.params ?? options.params);
    micro.push(mb);
    if (!train) break;
    const lm = mb.lm;
    if (A === 1) {
      g.backward(mb.taskLoss!, (seed) => {
        seedConstant(g, 1)(seed);
        if (lm) seedConstant(g, lambda)(g.gradWrite(lm.mean)); // L3 = L2 + λ·L1
      });
      continue;
    }
    mb.taskShare = g.input('task_share', [1]); // [1]
    const lmShare = lm ? g.input('lm_share', [1]) : undefined; // [1]
    mb.lmShare = lmShare;
    g.backward(mb.taskLoss!, (seed) => {
      seedFrom(g, mb.taskShare!)(seed);
      if (lm && lmShare) {
        const { grad, accumulate } = g.gradWrite(lm.mean);
        scaleCopy(g, lmShare, grad, lambda, accumulate); // L3 = Σ shares of L2 + λ·L1
      }
    });
  }
  const out: FinetuneGraph = { g, micro, ...micro[0]! };
  if (train) out.optimizer = adamw(g, g.paramGrads(), stepAdamW(options));
  return out;
}
