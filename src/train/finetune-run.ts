// Fine-tuning end to end, for the CLI and the UI alike (no Node APIs): checks the parsed train/dev files
// against the task, grows the tokenizer by the special tokens, encodes and truncates (warning), picks the
// starting weights (pretrained, from scratch, or the first n layers), trains for E epochs on the paper's
// schedule (linear decay, 0.2% warm-up), evaluates on dev and reports the dataset's metric.
import { parseTaskFile } from '../data/tasks/parse-task-file.ts';
import type { TaskDataset, TaskExample, TaskFamily } from '../data/tasks/task-types.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { Gpt1Config } from '../model/config.ts';
import {
  type EncodedTaskSet,
  encodeTaskExamples,
  ensureTaskSpecialTokens,
  type TruncationPolicy,
  truncationWarning,
} from '../model/task-inputs.ts';
import type { ParamValues } from '../model/weights.ts';
import { tokenizerFromJSON } from '../tokenizer/from-json.ts';
import type { Tokenizer, TokenizerJson } from '../tokenizer/types.ts';
import { headWidth, type TaskSpec, taskHeads } from './finetune-graph.ts';
import { finetuneInitialParams } from './finetune-init.ts';
import { type TaskStepResult, TaskTrainer, type TaskTrainerOptions } from './finetune-trainer.ts';
import { finetuneSchedule } from './schedule.ts';
import {
  computeTaskMetrics,
  defaultMetric,
  metricValue,
  type TaskMetricName,
  type TaskMetrics,
} from './task-metrics.ts';

/** Paper §4.1 fine-tuning defaults. */
export const FINETUNE_DEFAULTS = {
  lr: 6.25e-5,
  batch: 32,
  epochs: 3,
  auxLm: 0.5,
  classifierDropout: 0.1,
  maxGradNorm: 1,
  weightDecay: 0.01,
} as const;

/** A pretrained model: our checkpoint or an imported Hugging Face GPT-1, with its tokenizer. */
export interface PretrainedModel {
  config: Gpt1Config;
  params: ReadonlyMap<string, Float32Array>;
  tokenizer: Tokenizer | TokenizerJson;
  /** For reports (a folder name). */
  name?: string;
}

export type FinetuneInit =
  /** Start from a pretrained model; transferLayers n keeps embeddings + blocks 0..n-1 (default: all). */
  | { kind: 'pretrained'; model: PretrainedModel; transferLayers?: number }
  /** Every weight fresh; `config.vocabSize` is replaced by the tokenizer's (special tokens included). */
  | { kind: 'scratch'; config: Gpt1Config; tokenizer: Tokenizer | TokenizerJson };

export interface FinetuneOptions {
  family: TaskFamily;
  /** Parsed files; parse dev with the training file's labels (parseTaskFiles does). */
  train: TaskDataset;
  dev: TaskDataset;
  init: FinetuneInit;
  /** λ of L3 = L2 + λ·L1; 0: no auxiliary LM. Default 0.5. */
  auxLm?: number;
  epochs?: number;
  /** Examples per step (at most the training set's size). Default 32. */
  batch?: number;
  lr?: number;
  seed?: number;
  classifierDropout?: number;
  weightDecay?: number;
  maxGradNorm?: number;
  /** Longest sequence (default and maximum: the model's positions); the batch's T is the longest row. */
  context?: number;
  truncation?: TruncationPolicy;
  /** Default: the dataset's (defaultMetric). */
  metric?: TaskMetricName;
  /** Stop after this many steps (demos, tests); the schedule then spans these steps. */
  maxSteps?: number;
  lmTargets?: 'all' | 'text';
  onStep?: (step: TaskStepResult, totalSteps: number) => void;
  /** Called once the model is trained (e.g. to write a checkpoint), before the GPU memory is freed. */
  onTrained?: (trainer: TaskTrainer, tokenizer: Tokenizer) => Promise<void>;
}

export interface FinetuneResult {
  task: TaskFamily;
  metric: TaskMetricName;
  value: number;
  /** Dev accuracy in [0, 1]; null for regression (which reports Pearson as its value). */
  accuracy: number | null;
  rows: { train: number; dev: number };
  /** Examples that truncation shortened. */
  truncated: { train: number; dev: number };
  steps: number;
  metrics: TaskMetrics;
  /** Per dev example: predicted class or choice, or the predicted score; and the true label or score. */
  predictions: Float64Array;
  devLabels: Float64Array;
  /** L3 = L2 + λ·L1 of the first and the last step. */
  loss: { first: number; last: number };
  /** L2 alone (comparable across λ) of the first and the last step. */
  taskLoss: { first: number; last: number };
  B: number;
  T: number;
  auxLm: number;
  init: string;
  vocabSize: number;
  warnings: string[];
  seconds: number;
}

/** Everything a run needs before the GPU: tokenizer, config, encodings, schedule and initial weights. */
export interface PreparedFinetune {
  tokenizer: Tokenizer;
  trainer: TaskTrainerOptions;
  trainSet: EncodedTaskSet;
  devSet: EncodedTaskSet;
  initial: ParamValues;
  transferred: string[];
  totalSteps: number;
  metric: TaskMetricName;
  classNames: string[] | undefined;
  initDescription: string;
  warnings: string[];
}

/** Parses a train and a dev file for a task; the dev file must use only the training file's labels. */
export function parseTaskFiles(
  family: TaskFamily,
  train: { name: string; text: string },
  dev: { name: string; text: string },
): { train: TaskDataset; dev: TaskDataset } {
  const trainSet = parseTaskFile(train.name, train.text, { family });
  const devSet = parseTaskFile(dev.name, dev.text, { family, labels: trainSet.labels });
  return { train: trainSet, dev: devSet };
}

/** All task text of a dataset, one field per line (to build a tokenizer for a run from scratch). */
export function datasetText(dataset: TaskDataset): string {
  const fields = (e: TaskExample) =>
    e.kind === 'text' ? [e.text] : e.kind === 'pair' ? [e.a, e.b] : [e.context, ...e.choices];
  return dataset.examples.flatMap(fields).join('\n');
}

function toTokenizer(t: Tokenizer | TokenizerJson): Tokenizer {
  // A copy: adding the special tokens must not change the caller's tokenizer.
  return tokenizerFromJSON('toJSON' in t ? t.toJSON() : t);
}

/** The head for the data: classes from the training labels, K from the first example's choices. */
export function taskSpecFor(family: TaskFamily, train: TaskDataset, dev: TaskDataset): TaskSpec {
  for (const d of [train, dev]) {
    if (d.family !== family) throw new Error(`${d.fileName} holds ${d.family} data (${d.description}), not ${family}.`);
  }
  if (train.regression !== dev.regression) {
    throw new Error(`${train.fileName} and ${dev.fileName} disagree on whether labels are scores.`);
  }
  const trainNames = train.labels?.names ?? [];
  const devNames = dev.labels?.names ?? [];
  if (!train.regression && devNames.some((name, i) => trainNames[i] !== name)) {
    throw new Error(
      `${dev.fileName} maps its labels differently from ${train.fileName}: parse it with the training labels.`,
    );
  }
  if (family === 'multiple-choice') {
    const first = train.examples[0];
    const K = first?.kind === 'choice' ? first.choices.length : 0;
    return { family, regression: false, numLabels: K };
  }
  if (train.regression) return { family, regression: true, numLabels: 1 };
  if (trainNames.length < 2) {
    throw new Error(`${train.fileName} has only the label ${JSON.stringify(trainNames[0])}: a classifier needs two.`);
  }
  return { family, regression: false, numLabels: trainNames.length };
}

export function prepareFinetune(options: FinetuneOptions): PreparedFinetune {
  const { family, train, dev, init } = options;
  const task = taskSpecFor(family, train, dev);
  const tokenizer = toTokenizer(init.kind === 'pretrained' ? init.model.tokenizer : init.tokenizer);
  const warnings: string[] = [];
  if (init.kind === 'pretrained' && init.model.config.vocabSize < tokenizer.vocabSize) {
    warnings.push(
      `The tokenizer has ${tokenizer.vocabSize} tokens but the pretrained model only ${init.model.config.vocabSize} ` +
        'token embeddings: the others start untrained. Is this the tokenizer the model was trained with?',
    );
  }
  ensureTaskSpecialTokens(tokenizer);
  const body = init.kind === 'pretrained' ? init.model.config : init.config;
  const config: Gpt1Config = { ...body, vocabSize: tokenizer.vocabSize };
  const seed = options.seed ?? 0;
  const heads = taskHeads(task);
  const source = init.kind === 'pretrained' ? init.model : undefined;
  const transfer = init.kind === 'pretrained' ? init.transferLayers : undefined;
  const { params: initial, transferred } = finetuneInitialParams(config, heads, seed, source, transfer);

  const maxT = Math.min(config.nPositions, options.context ?? config.nPositions);
  const encode = (d: TaskDataset) =>
    encodeTaskExamples(d.examples, family, tokenizer, maxT, {
      regression: task.regression,
      truncation: options.truncation,
    });
  const trainSet = encode(train);
  const devSet = encode(dev);
  for (const [d, set] of [
    [train, trainSet],
    [dev, devSet],
  ] as const) {
    const warning = truncationWarning(set.stats, maxT);
    if (warning) warnings.push(`${d.fileName}: ${warning}`);
  }
  // The graph is static: its T is the longest row, so short-text tasks cost no more than they need.
  const T = Math.max(trainSet.stats.maxLength, devSet.stats.maxLength);
  const B = Math.min(options.batch ?? FINETUNE_DEFAULTS.batch, train.examples.length);
  if (!Number.isInteger(B) || B < 1) throw new Error(`Batch size must be a positive integer, not ${options.batch}.`);
  const epochs = options.epochs ?? FINETUNE_DEFAULTS.epochs;
  if (!(epochs > 0)) throw new Error(`Epochs must be positive, not ${epochs}.`);
  const stepsPerEpoch = Math.ceil(train.examples.length / B);
  let totalSteps = Math.max(1, Math.round(epochs * stepsPerEpoch));
  if (options.maxSteps !== undefined) totalSteps = Math.min(totalSteps, options.maxSteps);
  const auxLm = options.auxLm ?? FINETUNE_DEFAULTS.auxLm;
  const trainer: TaskTrainerOptions = {
    config,
    task,
    B,
    T,
    seed,
    schedule: finetuneSchedule(options.lr ?? FINETUNE_DEFAULTS.lr, totalSteps),
    auxLm,
    classifierDropout: options.classifierDropout ?? FINETUNE_DEFAULTS.classifierDropout,
    weightDecay: options.weightDecay ?? FINETUNE_DEFAULTS.weightDecay,
    maxGradNorm: options.maxGradNorm ?? FINETUNE_DEFAULTS.maxGradNorm,
    lmTargets: options.lmTargets,
  };
  const initDescription =
    init.kind === 'scratch'
      ? 'from scratch'
      : transfer === undefined || transfer === config.nLayer
        ? `pretrained${init.model.name ? ` (${init.model.name})` : ''}`
        : `pretrained, first ${transfer} of ${config.nLayer} layers transferred`;
  return {
    tokenizer,
    trainer,
    trainSet,
    devSet,
    initial,
    transferred,
    totalSteps,
    metric: options.metric ?? defaultMetric(train),
    classNames: task.family === 'multiple-choice' ? undefined : train.labels?.names,
    initDescription,
    warnings,
  };
}

/** Fine-tunes and evaluates on dev (`prepared`: from prepareFinetune(options), when the caller planned memory with it). */
export async function runFinetune(
  ctx: GpuContext,
  options: FinetuneOptions,
  prepared: PreparedFinetune = prepareFinetune(options),
): Promise<FinetuneResult> {
  const { trainer: trainerOptions, trainSet, devSet, totalSteps } = prepared;
  const start = performance.now();
  const trainer = await TaskTrainer.create(ctx, trainerOptions, trainSet, prepared.initial);
  try {
    const loss = { first: Number.NaN, last: Number.NaN };
    const taskLoss = { first: Number.NaN, last: Number.NaN };
    let failure: unknown;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < totalSteps && failure === undefined; i++) {
      const { result } = await trainer.submitStep();
      pending.push(
        result.then(
          (r) => {
            if (r.step === 1) {
              loss.first = r.loss;
              taskLoss.first = r.taskLoss;
            }
            loss.last = r.loss;
            taskLoss.last = r.taskLoss;
            options.onStep?.(r, totalSteps);
          },
          (error: unknown) => {
            failure ??= error; // stops submitting: the ring keeps the GPU at most a few steps ahead
          },
        ),
      );
    }
    await Promise.all(pending);
    if (failure !== undefined) throw failure;
    const { predictions } = await trainer.evaluate(devSet);
    const { task } = trainerOptions;
    const metrics = computeTaskMetrics(predictions, devSet.labels, {
      regression: task.regression,
      classes: headWidth(task),
      classNames: prepared.classNames,
      choices: task.family === 'multiple-choice',
    });
    await options.onTrained?.(trainer, prepared.tokenizer);
    return {
      task: task.family,
      metric: prepared.metric,
      value: metricValue(metrics, prepared.metric),
      accuracy: metrics.accuracy,
      rows: { train: trainSet.stats.examples, dev: devSet.stats.examples },
      truncated: { train: trainSet.stats.truncatedExamples, dev: devSet.stats.truncatedExamples },
      steps: trainer.step,
      metrics,
      predictions,
      devLabels: devSet.labels,
      loss,
      taskLoss,
      B: trainerOptions.B,
      T: trainerOptions.T,
      auxLm: trainerOptions.auxLm,
      init: prepared.initDescription,
      vocabSize: trainerOptions.config.vocabSize,
      warnings: prepared.warnings,
      seconds: (performance.now() - start) / 1000,
    };
  } finally {
    trainer.destroy();
  }
}
