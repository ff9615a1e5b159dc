// What `finetune` and `ablate` share: their options (bounds and defaults from the fine-tuning schema), the
// task files read and parsed, a pretrained folder loaded (ours or Hugging Face's), a run on the GPU with a
// progress line per ~10% of its steps, and the JSON a run reports.
import { basename } from 'node:path';
import { decodeTaskFile } from '../data/tasks/decode-task-file.ts';
import { type ColumnMapping, MAX_TASK_FILE_BYTES, NeedsMappingError } from '../data/tasks/parse-task-file.ts';
import { TASK_FAMILIES, type TaskFamily } from '../data/tasks/task-types.ts';
import type { GpuContext } from '../gpu/device.ts';
import { importHfCheckpoint } from '../model/hf-format.ts';
import type { TruncationPolicy } from '../model/task-inputs.ts';
import { GPT1_TOKENIZER_FILE_NAMES } from '../tokenizer/gpt1-files.ts';
import { loadGpt1TokenizerFromDir } from '../tokenizer/gpt1-node.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { readCheckpoint } from '../train/checkpoint.ts';
import {
  type FinetuneOptions,
  type PreparedFinetune,
  type PretrainedModel,
  parseTaskFiles,
} from '../train/finetune-prepare.ts';
import {
  type FinetuneOutcome,
  type FinetunePoint,
  FinetuneRun,
  type FinetuneRunOptions,
} from '../train/finetune-run.ts';
import { fieldText } from '../train/settings/field.ts';
import {
  DEFAULT_FINETUNE_SEED,
  FINETUNE_FIELDS,
  type FinetuneField,
  MAX_STEPS_FIELD,
  PAPER_FINETUNE,
} from '../train/settings/finetune-settings.ts';
import { RECIPE_DEFAULTS } from '../train/settings/recipe-fields.ts';
import { parseMetricName } from '../train/task-metrics.ts';
import { fieldOption, type OptionSpecs, type ParsedOptions, UsageError } from './args.ts';
import { failOnDeviceLoss, inFolder, loadCheckpointFolder, runFolderOf } from './checkpoint-folders.ts';
import { readInputFile } from './input-files.ts';
import { tuneOptions } from './kernel-tuning.ts';
import { progress } from './progress.ts';
import { tokenizerFromOption } from './tokenizer-option.ts';

/** The paper's value of a field, as the help shows it. */
const paper = (key: keyof typeof PAPER_FINETUNE & FinetuneField) =>
  `${fieldText({ ...FINETUNE_FIELDS[key], percent: false }, PAPER_FINETUNE[key])}, the paper's`;

/** Options finetune and ablate share. */
export const finetuneRunOptions = {
  ...tuneOptions,
  task: { type: 'string', help: TASK_FAMILIES.join(' | '), required: true },
  train: { type: 'string', help: 'labelled training file (GLUE TSV, COPA JSONL, Story Cloze CSV)', required: true },
  dev: { type: 'string', help: 'labelled dev file, same format', required: true },
  tokenizer: { type: 'string', help: 'char | bpe:N | gpt1:DIR (scratch; or the tokenizer of an HF --init folder)' },
  'transfer-layers': fieldOption(FINETUNE_FIELDS.transferLayers, 'all'),
  'aux-lm': fieldOption(FINETUNE_FIELDS.auxLm, paper('auxLm')),
  epochs: fieldOption(FINETUNE_FIELDS.epochs, paper('epochs')),
  batch: fieldOption(FINETUNE_FIELDS.batch, paper('batch')),
  lr: fieldOption(FINETUNE_FIELDS.lr, paper('lr')),
  warmup: fieldOption(FINETUNE_FIELDS.warmup, paper('warmup')),
  clip: fieldOption(FINETUNE_FIELDS.clip, paper('clip')),
  seed: fieldOption(FINETUNE_FIELDS.seed, String(DEFAULT_FINETUNE_SEED)),
  context: fieldOption(FINETUNE_FIELDS.context, "the model's positions"),
  accumulation: fieldOption(FINETUNE_FIELDS.accumulation, String(RECIPE_DEFAULTS.accumulation)),
  'min-lr': fieldOption(FINETUNE_FIELDS.minLr, String(RECIPE_DEFAULTS.minLr)),
  dropout: fieldOption(FINETUNE_FIELDS.dropout, `the model's; the classifier's ${PAPER_FINETUNE.classifierDropout}`),
  'weight-decay': fieldOption(FINETUNE_FIELDS.weightDecay, paper('weightDecay')),
  truncation: { type: 'string', help: 'longest-first | gpt1-halves (default longest-first)' },
  metric: { type: 'string', help: "accuracy | f1 | mcc | pearson | spearman (default: the dataset's)" },
  'max-steps': fieldOption(MAX_STEPS_FIELD, 'all the epochs'),
  'text-column': { type: 'string', help: 'for a file whose header is not recognised: the column of the text' },
  'a-column': { type: 'string', help: '... of the first sentence of a pair' },
  'b-column': { type: 'string', help: '... of the second sentence of a pair' },
  'context-column': { type: 'string', help: '... of a multiple-choice context' },
  'choice-columns': { type: 'string', help: '... of the choices, comma-separated' },
  'label-column': { type: 'string', help: '... of the label (needed with any of the above)' },
  scores: { type: 'boolean', help: 'with --label-column: the labels are scores (regression, as STS-B)' },
} satisfies OptionSpecs;

type FinetuneRunArgs = ParsedOptions<typeof finetuneRunOptions>;

export function parseFamily(text: string): TaskFamily {
  if ((TASK_FAMILIES as readonly string[]).includes(text)) return text as TaskFamily;
  throw new UsageError(`--task must be ${TASK_FAMILIES.join(', ')}, not "${text}"`);
}

/**
 * A pretrained model folder: our checkpoint (training_state.json: its tokenizer) or a Hugging Face openai-gpt
 * folder, whose tokenizer is GPT-1's: from --tokenizer gpt1:DIR, or the folder's own vocabulary files.
 */
export async function loadPretrained(dir: string, tokenizerSpec?: string): Promise<PretrainedModel> {
  const { path, files } = await loadCheckpointFolder(dir);
  const name = basename(path === dir ? dir : runFolderOf(path));
  if (files.has('training_state.json')) {
    if (tokenizerSpec) throw new UsageError(`${dir} is a gpt1-lab checkpoint with its own tokenizer: drop --tokenizer`);
    const ckpt = await inFolder(path, () => readCheckpoint(files));
    return { config: ckpt.config, params: ckpt.params, tokenizer: ckpt.state.tokenizer, name };
  }
  const imported = await inFolder(path, () => importHfCheckpoint(files));
  for (const warning of imported.warnings) progress(`warning: ${warning}`);
  let tokenizer: Tokenizer;
  if (tokenizerSpec) {
    if (!tokenizerSpec.startsWith('gpt1:')) {
      throw new UsageError(`${dir} is a Hugging Face GPT-1 folder: its tokenizer is --tokenizer gpt1:DIR`);
    }
    tokenizer = await tokenizerFromOption(tokenizerSpec, '');
  } else if (GPT1_TOKENIZER_FILE_NAMES.slice(0, 4).some((file) => files.has(file))) {
    tokenizer = loadGpt1TokenizerFromDir(path);
  } else {
    throw new UsageError(
      `${dir} has no tokenizer files (vocab.json + merges.txt): pass --tokenizer gpt1:DIR with GPT-1's vocabulary`,
    );
  }
  if (tokenizer.vocabSize > imported.config.vocabSize) {
    throw new UsageError(
      `the tokenizer has ${tokenizer.vocabSize} tokens but ${path}'s model only ${imported.config.vocabSize} token ` +
        'embeddings: is it the tokenizer the model was trained with?',
    );
  }
  return { config: imported.config, params: imported.params, tokenizer, name };
}

/** A task file named by `--option`: strict UTF-8 like the app's, errors naming the file, byte and line. */
function readTaskFile(path: string, option: string): { name: string; text: string } {
  const name = basename(path);
  const bytes = readInputFile(path, option, MAX_TASK_FILE_BYTES);
  try {
    return { name, text: decodeTaskFile(name, bytes) };
  } catch (error) {
    throw new UsageError(`${option} ${path}: ${(error as Error).message}`);
  }
}

/** The column mapping the options give, if any. */
export function columnMappingOf(o: FinetuneRunArgs): ColumnMapping | undefined {
  const columns = {
    text: o['text-column'],
    a: o['a-column'],
    b: o['b-column'],
    context: o['context-column'],
    choices: o['choice-columns']?.split(',').map((c) => c.trim()),
  };
  const given = Object.values(columns).some((c) => c !== undefined);
  if (!given && !o['label-column'] && !o.scores) return undefined;
  if (!o['label-column']) throw new UsageError('a column mapping needs --label-column (the column of the label)');
  const defined = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
  return { ...defined, label: o['label-column'], ...(o.scores ? { regression: true } : {}) };
}

/** Reads and parses --train and --dev, and turns the shared options into FinetuneOptions (without init). */
export function finetuneSettingsOf(o: FinetuneRunArgs): Omit<FinetuneOptions, 'init'> {
  const family = parseFamily(String(o.task));
  const mapping = columnMappingOf(o);
  let parsed: ReturnType<typeof parseTaskFiles>;
  try {
    parsed = parseTaskFiles(
      family,
      readTaskFile(String(o.train), '--train'),
      readTaskFile(String(o.dev), '--dev'),
      mapping,
    );
  } catch (error) {
    if (!(error instanceof NeedsMappingError)) throw error;
    throw new UsageError(
      `${error.message.replace('choose which column holds the text and the label', 'name them')}: ` +
        'pass --text-column (or --a-column and --b-column, or --context-column and --choice-columns) and --label-column',
    );
  }
  const { train, dev } = parsed;
  progress(`train ${train.fileName}: ${train.description}, ${train.examples.length} examples`);
  progress(`dev ${dev.fileName}: ${dev.examples.length} examples`);
  const truncation = o.truncation as TruncationPolicy | undefined;
  if (truncation && truncation !== 'longest-first' && truncation !== 'gpt1-halves') {
    throw new UsageError(`--truncation must be longest-first or gpt1-halves, not "${truncation}"`);
  }
  return {
    family,
    train,
    dev,
    auxLm: o['aux-lm'],
    epochs: o.epochs,
    batch: o.batch,
    lr: o.lr,
    warmup: o.warmup,
    maxGradNorm: o.clip,
    seed: o.seed,
    context: o.context,
    truncation,
    metric: o.metric === undefined ? undefined : parseMetricName(String(o.metric)),
    maxSteps: o['max-steps'],
    accumulation: o.accumulation,
    minLr: o['min-lr'],
    dropout: o.dropout,
    weightDecay: o['weight-decay'],
  };
}

/** A progress line per ~10% of the steps. */
function progressLines(total: number, prefix: string): (points: FinetunePoint[]) => void {
  const start = performance.now();
  const every = Math.max(1, Math.round(total / 10));
  return (points) => {
    for (const p of points) {
      if (p.step % every !== 0 && p.step !== total) continue;
      const lm = p.lmLoss === null ? '' : ` (task ${p.taskLoss.toFixed(4)}, lm ${p.lmLoss.toFixed(4)})`;
      const seconds = ((performance.now() - start) / 1000).toFixed(1);
      progress(
        `${prefix}step ${p.step}/${total}: loss ${p.loss.toFixed(4)}${lm}, lr ${p.lr.toExponential(2)}, ${seconds} s`,
      );
    }
  };
}

/**
 * Fine-tunes a prepared run to the end, evaluating on dev once at the end, with progress lines; `extra` adds
 * to the run's options (a checkpoint to resume, checkpoint work). A lost device ends it cleanly.
 */
export async function runWithProgress(
  ctx: GpuContext,
  prepared: PreparedFinetune,
  prefix = '',
  extra: Pick<FinetuneRunOptions, 'resume' | 'work'> = {},
): Promise<FinetuneOutcome> {
  const onPoints = progressLines(prepared.totalSteps, prefix);
  const run = new FinetuneRun(ctx, prepared, { evaluate: 'end', onPoints, ...extra });
  const stopListening = failOnDeviceLoss(ctx, (message) => run.fail(message));
  try {
    return await run.run();
  } finally {
    stopListening();
  }
}

/** The JSON a run reports: task, metric, value, accuracy, rows, truncated, steps first; then the details. */
export function finetuneResult(prepared: PreparedFinetune, outcome: FinetuneOutcome): Record<string, unknown> {
  const { summary } = outcome;
  const { trainer, trainSet, devSet } = prepared;
  return {
    task: trainer.task.family,
    metric: summary.metric,
    value: summary.value,
    accuracy: summary.accuracy,
    rows: { train: trainSet.stats.examples, dev: devSet.stats.examples },
    truncated: { train: trainSet.stats.truncatedExamples, dev: devSet.stats.truncatedExamples },
    steps: summary.steps,
    metrics: outcome.lastEval?.metrics,
    loss: outcome.loss,
    taskLoss: summary.taskLoss,
    B: trainer.B,
    T: trainer.T,
    auxLm: trainer.auxLm,
    init: summary.init,
    vocabSize: trainer.config.vocabSize,
    warnings: prepared.warnings,
    seconds: summary.seconds,
  };
}
