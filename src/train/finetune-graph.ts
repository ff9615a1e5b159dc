// The fine-tuning graph (paper §3.2-3.3): the GPT-1 body over a batch's sequences, the task head on the
// extract tokens' final states, L2 (cross-entropy or MSE) and, when λ > 0, the auxiliary LM loss L1 on the
// same inputs, seeded as L3 = L2 + λ·L1. The training variant adds backward and clipped AdamW; the
// evaluation variant (dropout off, no LM head) shares the training program's parameters.
//   classification / entailment   h[extract] -> dropout -> cls.w [L, C]         -> CE over L classes
//   similarity                     h[extract A$B] + h[extract B$A] -> dropout -> cls.w -> CE (or MSE)
//   regression (STS-B)             ... -> cls.w [1, C] -> MSE against the scores
//   multiple choice                h[extract_k] -> dropout -> mc.w [1, C] + mc.b -> [B, K] -> CE over choices
// Padding example slots (fixed batch shape) carry IGNORE_INDEX labels or weight 0, so they add nothing to
// L2 or its mean's denominator; their LM targets are all ignored too.
import type { TaskFamily } from '../data/tasks/task-types.ts';
import type { Gpt1Config } from '../model/config.ts';
import { finalHidden, type GptGraph, gptForward } from '../model/gpt.ts';
import { type LmLoss, lmHeadLoss } from '../model/lm-head.ts';
import type { HeadSpec } from '../model/params.ts';
import { type AdamWState, adamw } from '../ops/adamw.ts';
import { crossEntropy } from '../ops/crossentropy.ts';
import { dropout } from '../ops/dropout.ts';
import { seedConstant } from '../ops/fill.ts';
import { type Gather, gatherRows, reshape } from '../ops/gather.ts';
import { matmul } from '../ops/matmul.ts';
import { mse } from '../ops/mse.ts';
import { residual } from '../ops/residual.ts';
import { Graph } from '../runtime/graph.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { stepAdamW } from './train-program.ts';

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
}

export interface FinetuneGraph {
  g: Graph;
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
  optimizer?: AdamWState;
}

/** Records the forward (and, for training, the loss, backward and optimizer) of one fine-tuning batch. */
export function buildFinetuneGraph(options: FinetuneGraphOptions): FinetuneGraph {
  const { config, task, B, T, train } = options;
  checkTaskSpec(task);
  const K = sequencesPerExample(task);
  const S = B * K;
  const g = new Graph();
  const heads = taskHeads(task);
  const model = gptForward(g, config, { B: S, T, train, heads, params: options.params });
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
    state = dropout(g, state, options.classifierDropout, CLASSIFIER_DROPOUT_STREAM); // [B or S, C]
  }

  const out: FinetuneGraph = { g, model, extracts, head: state };
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
  const lambda = options.auxLm;
  if (!(lambda >= 0 && Number.isFinite(lambda)))
    throw new Error(`The auxiliary LM weight must be >= 0, not ${lambda}.`);
  if (lambda > 0) {
    out.lmTargets = g.input('lm_targets', [S * T], 'u32'); // [S*T]
    out.lm = lmHeadLoss(g, h, p('wte'), out.lmTargets, { chunkRows: options.chunkRows });
  }
  const lm = out.lm;
  g.backward(out.taskLoss, (seed) => {
    seedConstant(g, 1)(seed);
    if (lm) seedConstant(g, lambda)(g.gradWrite(lm.mean)); // L3 = L2 + λ·L1
  });
  out.optimizer = adamw(g, g.paramGrads(), stepAdamW(options));
  return out;
}
