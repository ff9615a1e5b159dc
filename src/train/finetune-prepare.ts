// Everything a fine-tuning run needs before the GPU, for the CLI and the engine alike (no Node APIs): checks
// the parsed train/dev files against the task, grows a copy of the tokenizer by the special tokens, encodes
// and truncates (warning), picks the starting weights (pretrained, from scratch, or the first n layers) and
// sizes the run: batch, context (the longest row), steps and the paper's schedule (linear decay after a
// warm-up over 0.2% of the steps).
import { type ColumnMapping, parseTaskFile } from '../data/tasks/parse-task-file.ts';
import type { TaskDataset, TaskExample, TaskFamily } from '../data/tasks/task-types.ts';
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
import { type TaskSpec, taskHeads } from './finetune-graph.ts';
import { finetuneInitialParams } from './finetune-init.ts';
import type { FinetuneTrainerOptions } from './finetune-trainer.ts';
import { finetuneSchedule, withMinLr } from './schedule.ts';
import { PAPER_FINETUNE } from './settings/finetune-settings.ts';
import { defaultMetric, type TaskMetricName } from './task-metrics.ts';

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
  /** Warm-up as a fraction of the steps (default: the paper's 0.2%, at least one step; 0: none). */
  warmup?: number;
  seed?: number;
  classifierDropout?: number;
  /** Dropout of the body (embeddings, attention, residuals) and the classifier (default: the model's, 0.1). */
  dropout?: number;
  weightDecay?: number;
  /** Where the linear decay ends (default 0). */
  minLr?: number;
  /** Gradient accumulation: micro-batches per step (default 1); must divide the batch. */
  accumulation?: number;
  maxGradNorm?: number;
  /** Longest sequence (default and maximum: the model's positions); the batch's T is the longest row. */
  context?: number;
  truncation?: TruncationPolicy;
  /** Default: the dataset's (defaultMetric). */
  metric?: TaskMetricName;
  /** Stop after this many steps (demos, tests); the schedule then spans these steps. */
  maxSteps?: number;
  lmTargets?: 'all' | 'text';
}

/** Everything a run needs before the GPU: tokenizer, config, encodings, schedule and initial weights. */
export interface PreparedFinetune {
  tokenizer: Tokenizer;
  trainer: FinetuneTrainerOptions;
  trainSet: EncodedTaskSet;
  devSet: EncodedTaskSet;
  initial: ParamValues;
  transferred: string[];
  totalSteps: number;
  /** Every training example once, the last batch padded. */
  stepsPerEpoch: number;
  metric: TaskMetricName;
  classNames: string[] | undefined;
  initDescription: string;
  warnings: string[];
}

/**
 * Parses a train and a dev file for a task; the dev file must use only the training file's labels. `mapping`
 * names the columns of files whose header is not one the parser recognises.
 */
export function parseTaskFiles(
  family: TaskFamily,
  train: { name: string; text: string },
  dev: { name: string; text: string },
  mapping?: ColumnMapping,
): { train: TaskDataset; dev: TaskDataset } {
  const trainSet = parseTaskFile(train.name, train.text, { family, mapping });
  const devSet = parseTaskFile(dev.name, dev.text, { family, labels: trainSet.labels, mapping });
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
  const dropout = options.dropout;
  const bodyDropout = dropout === undefined ? {} : { embdPdrop: dropout, attnPdrop: dropout, residPdrop: dropout };
  const config: Gpt1Config = { ...body, vocabSize: tokenizer.vocabSize, ...bodyDropout };
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
  const B = Math.min(options.batch ?? PAPER_FINETUNE.batch, train.examples.length);
  if (!Number.isInteger(B) || B < 1) throw new Error(`Batch size must be a positive integer, not ${options.batch}.`);
  const accumulation = options.accumulation ?? 1;
  if (B % accumulation !== 0) {
    throw new Error(
      `The gradient accumulation (${accumulation}) must divide the batch (${B}${B < (options.batch ?? B) ? `: the training file's ${B} examples` : ''}) into equal micro-batches.`,
    );
  }
  const epochs = options.epochs ?? PAPER_FINETUNE.epochs;
  if (!(epochs > 0)) throw new Error(`Epochs must be positive, not ${epochs}.`);
  const stepsPerEpoch = Math.ceil(train.examples.length / B);
  let totalSteps = Math.max(1, Math.round(epochs * stepsPerEpoch));
  if (options.maxSteps !== undefined) totalSteps = Math.min(totalSteps, options.maxSteps);
  const auxLm = options.auxLm ?? PAPER_FINETUNE.auxLm;
  const trainer: FinetuneTrainerOptions = {
    config,
    task,
    B,
    T,
    seed,
    schedule: withMinLr(finetuneSchedule(options.lr ?? PAPER_FINETUNE.lr, totalSteps, options.warmup), options.minLr),
    auxLm,
    classifierDropout: options.classifierDropout ?? dropout ?? PAPER_FINETUNE.classifierDropout,
    weightDecay: options.weightDecay ?? PAPER_FINETUNE.weightDecay,
    maxGradNorm: options.maxGradNorm ?? PAPER_FINETUNE.clip,
    lmTargets: options.lmTargets,
    ...(accumulation === 1 ? {} : { accumulation }),
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
    stepsPerEpoch,
    metric: options.metric ?? defaultMetric(train),
    classNames: task.family === 'multiple-choice' ? undefined : train.labels?.names,
    initDescription,
    warnings,
  };
}
