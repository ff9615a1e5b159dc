// `finetune --task F --train FILE --dev FILE [--init DIR | --scratch ...]`: fine-tunes on a labelled task
// file (format detected from the file), evaluates on the dev file, optionally writes the fine-tuned
// checkpoint. The last stdout line is {"task","metric","value","accuracy","rows","truncated","steps",...}.

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TaskFamily } from '../../data/tasks/task-types.ts';
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { PRESETS, type PresetName } from '../../model/config.ts';
import { readHfFolder, writeHfFolder } from '../../model/hf-folder-node.ts';
import { importHfCheckpoint } from '../../model/hf-format.ts';
import type { TruncationPolicy } from '../../model/task-inputs.ts';
import { GPT1_TOKENIZER_FILE_NAMES } from '../../tokenizer/gpt1-files.ts';
import { loadGpt1TokenizerFromDir } from '../../tokenizer/gpt1-node.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import { readCheckpoint, writeCheckpoint } from '../../train/checkpoint.ts';
import {
  datasetText,
  type FinetuneInit,
  type FinetuneOptions,
  type FinetuneResult,
  type PretrainedModel,
  parseTaskFiles,
  prepareFinetune,
  runFinetune,
} from '../../train/finetune-run.ts';
import { planFinetune } from '../../train/finetune-trainer.ts';
import { parseMetricName } from '../../train/task-metrics.ts';
import { type OptionSpecs, parseOptions, UsageError } from '../args.ts';
import { installTuner, tuneOptions } from '../kernel-tuning.ts';
import { progress } from '../progress.ts';
import { tokenizerFromOption } from '../tokenizer-option.ts';

const FAMILIES: readonly TaskFamily[] = ['classification', 'entailment', 'similarity', 'multiple-choice'];

/** Options finetune and ablate share. */
export const taskRunOptions = {
  ...tuneOptions,
  task: { type: 'string', help: 'classification | entailment | similarity | multiple-choice', required: true },
  train: { type: 'string', help: 'labelled training file (GLUE TSV, COPA JSONL, Story Cloze CSV)', required: true },
  dev: { type: 'string', help: 'labelled dev file, same format', required: true },
  tokenizer: { type: 'string', help: 'char | bpe:N | gpt1:DIR (scratch; or the tokenizer of an HF --init folder)' },
  'transfer-layers': { type: 'number', help: 'transfer embeddings + the first N blocks, re-initialise the rest' },
  'aux-lm': { type: 'number', help: 'λ of the auxiliary LM loss, 0 = none (default 0.5)' },
  epochs: { type: 'number', help: 'epochs (default 3)' },
  batch: { type: 'number', help: 'examples per step (default 32)' },
  lr: { type: 'number', help: 'peak learning rate (default 6.25e-5)' },
  seed: { type: 'number', help: 'run seed (default 0)' },
  context: { type: 'number', help: "longest sequence in tokens (default: the model's context)" },
  truncation: { type: 'string', help: 'longest-first | gpt1-halves (default longest-first)' },
  metric: { type: 'string', help: "accuracy | f1 | mcc | pearson | spearman (default: the dataset's)" },
  'max-steps': { type: 'number', help: 'stop after N steps (quick runs)' },
} satisfies OptionSpecs;

export const finetuneOptions = {
  ...taskRunOptions,
  init: { type: 'string', help: 'start from this checkpoint folder (ours, or a Hugging Face openai-gpt folder)' },
  scratch: { type: 'boolean', help: 'start from random weights (no pre-training)' },
  preset: { type: 'string', help: 'with --scratch: tiny | small | gpt1 (default tiny)' },
  out: { type: 'string', help: 'write the fine-tuned checkpoint folder here' },
} satisfies OptionSpecs;

type TaskRunArgs = { [K in keyof typeof taskRunOptions]?: string | number | boolean };

export function parseFamily(text: string): TaskFamily {
  if ((FAMILIES as readonly string[]).includes(text)) return text as TaskFamily;
  throw new UsageError(`--task must be ${FAMILIES.join(', ')}, not "${text}"`);
}

/**
 * A pretrained model folder: our checkpoint (training_state.json: its tokenizer) or a Hugging Face openai-gpt
 * folder, whose tokenizer is GPT-1's: from --tokenizer gpt1:DIR, or the folder's own vocabulary files.
 */
export async function loadPretrained(dir: string, tokenizerSpec?: string): Promise<PretrainedModel> {
  const files = await readHfFolder(dir);
  const name = basename(dir);
  if (files.has('training_state.json')) {
    if (tokenizerSpec) throw new UsageError(`${dir} is a gpt1-lab checkpoint with its own tokenizer: drop --tokenizer`);
    const ckpt = readCheckpoint(files);
    return { config: ckpt.config, params: ckpt.params, tokenizer: ckpt.state.tokenizer, name };
  }
  const imported = importHfCheckpoint(files);
  for (const warning of imported.warnings) progress(`warning: ${warning}`);
  let tokenizer: Tokenizer;
  if (tokenizerSpec) {
    if (!tokenizerSpec.startsWith('gpt1:')) {
      throw new UsageError(`${dir} is a Hugging Face GPT-1 folder: its tokenizer is --tokenizer gpt1:DIR`);
    }
    tokenizer = await tokenizerFromOption(tokenizerSpec, '');
  } else if (GPT1_TOKENIZER_FILE_NAMES.slice(0, 4).some((file) => files.has(file))) {
    tokenizer = loadGpt1TokenizerFromDir(dir);
  } else {
    throw new UsageError(
      `${dir} has no tokenizer files (vocab.json + merges.txt): pass --tokenizer gpt1:DIR with GPT-1's vocabulary`,
    );
  }
  return { config: imported.config, params: imported.params, tokenizer, name };
}

/** Reads and parses --train and --dev, and turns the shared options into FinetuneOptions (without init). */
export function taskRunSettings(o: TaskRunArgs): Omit<FinetuneOptions, 'init'> {
  const family = parseFamily(String(o.task));
  const read = (path: string) => ({ name: basename(path), text: readFileSync(path, 'utf8') });
  const { train, dev } = parseTaskFiles(family, read(String(o.train)), read(String(o.dev)));
  progress(`train ${train.fileName}: ${train.description}, ${train.examples.length} examples`);
  progress(`dev ${dev.fileName}: ${dev.examples.length} examples`);
  const truncation = o.truncation as TruncationPolicy | undefined;
  if (truncation && truncation !== 'longest-first' && truncation !== 'gpt1-halves') {
    throw new UsageError(`--truncation must be longest-first or gpt1-halves, not "${truncation}"`);
  }
  const num = (key: keyof TaskRunArgs) => o[key] as number | undefined;
  return {
    family,
    train,
    dev,
    auxLm: num('aux-lm'),
    epochs: num('epochs'),
    batch: num('batch'),
    lr: num('lr'),
    seed: num('seed'),
    context: num('context'),
    truncation,
    metric: o.metric === undefined ? undefined : parseMetricName(String(o.metric)),
    maxSteps: num('max-steps'),
  };
}

/** One progress line per ~10% of the steps. */
export function stepProgress(prefix = ''): FinetuneOptions['onStep'] {
  const start = performance.now();
  return (r, total) => {
    if (r.step % Math.max(1, Math.round(total / 10)) !== 0 && r.step !== total) return;
    const lm = r.lmLoss === null ? '' : ` (task ${r.taskLoss.toFixed(4)}, lm ${r.lmLoss.toFixed(4)})`;
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    progress(
      `${prefix}step ${r.step}/${total}: loss ${r.loss.toFixed(4)}${lm}, lr ${r.lr.toExponential(2)}, ${seconds} s`,
    );
  };
}

/** The JSON a run reports (without per-example predictions). */
export function resultSummary(r: FinetuneResult): Record<string, unknown> {
  // FinetuneResult's first keys are the documented ones: task, metric, value, accuracy, rows, truncated, steps.
  const { predictions: _predictions, devLabels: _devLabels, ...rest } = r;
  return rest;
}

export async function finetuneCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, finetuneOptions);
  if (Boolean(o.init) === Boolean(o.scratch)) throw new UsageError('give exactly one of --init DIR and --scratch');
  if (o.scratch && o['transfer-layers'] !== undefined) throw new UsageError('--transfer-layers needs --init');
  if (o.init && o.preset) throw new UsageError("--preset is for --scratch; --init uses the checkpoint's model");
  const settings = taskRunSettings(o);
  let init: FinetuneInit;
  if (o.init) {
    const model = await loadPretrained(o.init, o.tokenizer);
    init = { kind: 'pretrained', model, transferLayers: o['transfer-layers'] };
    progress(`init ${o.init}: ${model.config.nLayer} x ${model.config.nEmbd}, vocabulary ${model.config.vocabSize}`);
  } else {
    const presetName = (o.preset ?? 'tiny') as PresetName;
    const preset = PRESETS[presetName];
    if (!preset) throw new UsageError(`--preset must be tiny, small or gpt1, not "${o.preset}"`);
    const tokenizer = await tokenizerFromOption(o.tokenizer ?? 'char', datasetText(settings.train));
    init = { kind: 'scratch', config: preset, tokenizer };
    progress(`scratch ${presetName}: ${preset.nLayer} x ${preset.nEmbd}, tokenizer ${tokenizer.kind}`);
  }
  const options: FinetuneOptions = { ...settings, init, onStep: stepProgress() };
  if (o.out) {
    const out = o.out;
    options.onTrained = async (trainer, tokenizer) => {
      const ckpt = await trainer.checkpoint(tokenizer.toJSON(), { train: settings.train.fileName });
      await writeHfFolder(out, writeCheckpoint(ckpt));
      progress(`checkpoint written to ${join(out)}`);
    };
  }
  const prepared = prepareFinetune(options);
  for (const warning of prepared.warnings) progress(`warning: ${warning}`);
  const { plan, needs } = planFinetune(prepared.trainer);
  const { B, T, config } = prepared.trainer;
  progress(
    `${prepared.initDescription}: batch ${B} x ${T} tokens, ${prepared.totalSteps} steps, vocabulary ${config.vocabSize}, ` +
      `GPU plan ${(plan.totalBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  const ctx = await openGpu(await nodeGpu(), { needs, purpose: `fine-tuning (${settings.family})` });
  installTuner(ctx, o);
  try {
    const result = await runFinetune(ctx, options, prepared);
    const { metric, value, accuracy } = result;
    const also = accuracy === null || metric === 'accuracy' ? '' : `, accuracy ${accuracy.toFixed(4)}`;
    progress(`dev ${metric} ${value.toFixed(4)}${also}`);
    return resultSummary(result);
  } finally {
    ctx.destroy();
  }
}
