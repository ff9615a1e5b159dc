// Where a task tab's run starts: the live pre-training run ("the current pretrained model": its weights at a
// step boundary and its tokenizer), a checkpoint folder the user imported (ours, or Hugging Face openai-gpt
// with GPT-1's vocabulary files), or random weights of a preset with a character tokenizer built from the
// training file. Also the tokenizer and context a preview uses for each choice.
import type { TaskDataset } from '../../data/tasks/task-types.ts';
import { type Gpt1Config, PRESETS } from '../../model/config.ts';
import { importHfCheckpoint } from '../../model/hf-format.ts';
import { verifyManifest } from '../../model/manifest.ts';
import { parameterCount, parameterTable } from '../../model/params.ts';
import type { ParamValues } from '../../model/weights.ts';
import { CharTokenizer } from '../../tokenizer/char.ts';
import { tokenizerFromJSON } from '../../tokenizer/from-json.ts';
import { GPT1_TOKENIZER_FILE_NAMES, gpt1TokenizerFromFiles } from '../../tokenizer/gpt1-files.ts';
import type { Tokenizer, TokenizerJson } from '../../tokenizer/types.ts';
import { readCheckpoint } from '../../train/checkpoint.ts';
import { datasetText, type FinetuneInit, type PretrainedModel } from '../../train/finetune-prepare.ts';
import type { FinetuneSettings, ImportedModelInfo, RunState, TaskPreviewRequest } from '../protocol.ts';
import { finetunedCheckpointModel } from './kept-models.ts';
import type { TriedModel } from './try-model.ts';

/** The live pre-training run, as the engine exposes it. */
export interface CurrentModel {
  runId: string;
  state: RunState;
  step: number;
  config: Gpt1Config;
  tokenizer: Tokenizer;
  /** Its weights at the current step boundary (a GPU read). */
  weights: () => Promise<ParamValues>;
}

export interface ImportedModel {
  model: PretrainedModel;
  info: ImportedModelInfo;
  /** A fine-tuning checkpoint's model, tried and looked at as a fine-tuned model (`info.finetuned` names it). */
  finetuned?: TriedModel;
}

export interface Sources {
  current?: CurrentModel;
  imported?: ImportedModel;
}

const NO_CURRENT =
  'There is no pretrained model in this tab yet: pretrain one on the Pretrain tab (or resume a saved run), ' +
  'import a checkpoint, or start from scratch.';

/** The current run's model when it can be read now: paused, stopped or finished (one GPU run at a time). */
export function usableCurrent(current: CurrentModel | undefined): CurrentModel {
  if (!current) throw new Error(NO_CURRENT);
  if (current.state === 'error') {
    throw new Error(`Pre-training run ${current.runId} ended in an error: resume it from its checkpoint first.`);
  }
  if (current.state !== 'paused' && current.state !== 'stopped' && current.state !== 'done') {
    throw new Error(
      `Pre-training run ${current.runId} is ${current.state}: pause or stop it first (one GPU run at a time).`,
    );
  }
  if (current.step === 0) throw new Error(`Pre-training run ${current.runId} has not trained a step yet.`);
  return current;
}

export function copyTokenizer(t: Tokenizer | TokenizerJson): Tokenizer {
  return tokenizerFromJSON('toJSON' in t ? t.toJSON() : t);
}

function describeTokenizer(t: Tokenizer): string {
  const kind = t.kind === 'gpt1' ? "GPT-1's BPE" : t.kind === 'bpe' ? 'byte-level BPE' : 'characters';
  return `${kind}, ${t.vocabSize.toLocaleString('en-US')} tokens`;
}

/** A character tokenizer over the training text (or the dev text while no training file is loaded). */
export function scratchTokenizer(data: TaskDataset): CharTokenizer {
  return CharTokenizer.fromCorpus(datasetText(data));
}

/** The tokenizer (a copy: previews add special tokens) and the context a start would use. */
export function previewSetup(
  request: TaskPreviewRequest,
  sources: Sources,
  data: TaskDataset,
): { tokenizer: Tokenizer; T: number; description: string } {
  let tokenizer: Tokenizer;
  let positions: number;
  let description: string;
  if (request.init === 'current' && sources.current) {
    tokenizer = copyTokenizer(sources.current.tokenizer);
    positions = sources.current.config.nPositions;
    description = `the pretrained model's tokenizer (${describeTokenizer(tokenizer)})`;
  } else if (request.init === 'imported' && sources.imported) {
    tokenizer = copyTokenizer(sources.imported.model.tokenizer);
    positions = sources.imported.model.config.nPositions;
    description = `${sources.imported.info.name}'s tokenizer (${describeTokenizer(tokenizer)})`;
  } else {
    tokenizer = scratchTokenizer(data);
    positions = PRESETS[request.preset].nPositions;
    const fallback = request.init === 'scratch' ? '' : ` — no ${request.init} model yet, so the from-scratch one`;
    description = `characters of ${data.fileName} (${describeTokenizer(tokenizer)})${fallback}`;
  }
  const T = Math.min(positions, request.context ?? positions);
  return { tokenizer, T, description };
}

/** The FinetuneInit for a run's settings (reads the current run's weights from the GPU). */
export async function finetuneInit(
  settings: FinetuneSettings,
  sources: Sources,
  train: TaskDataset,
): Promise<FinetuneInit> {
  const transferLayers = settings.transferLayers ?? undefined;
  if (settings.init === 'scratch') {
    return { kind: 'scratch', config: PRESETS[settings.preset], tokenizer: scratchTokenizer(train) };
  }
  return { kind: 'pretrained', model: await pretrainedModel(settings.init, sources), transferLayers };
}

/** The pretrained model of a 'current' or 'imported' start. */
export async function pretrainedModel(init: 'current' | 'imported', sources: Sources): Promise<PretrainedModel> {
  if (init === 'imported') {
    if (!sources.imported) throw new Error('Import a checkpoint folder first (or choose another start).');
    return sources.imported.model;
  }
  const current = usableCurrent(sources.current);
  return {
    config: current.config,
    params: await current.weights(),
    tokenizer: current.tokenizer,
    name: `pre-training run ${current.runId}, step ${current.step}`,
  };
}

const decoder = new TextDecoder();

/** Reads a checkpoint folder's files: ours (training_state.json holds the tokenizer) or Hugging Face's. */
export async function importCheckpoint(name: string, files: ReadonlyMap<string, Uint8Array>): Promise<ImportedModel> {
  if (files.size === 0)
    throw new Error('The folder is empty: choose the checkpoint folder (config.json, model.safetensors, …).');
  await verifyManifest(files); // a folder of ours must be whole and of one checkpoint
  let model: PretrainedModel;
  let kind: ImportedModelInfo['kind'];
  let warnings: string[] = [];
  let heads = {};
  let finetuned: TriedModel | undefined;
  if (files.has('training_state.json')) {
    const ckpt = readCheckpoint(files);
    model = { config: ckpt.config, params: ckpt.params, tokenizer: ckpt.state.tokenizer, name };
    kind = 'gpt1-lab';
    heads = ckpt.heads;
    finetuned = finetunedCheckpointModel(ckpt);
  } else {
    // Views into the file's buffer, not copies: the page then holds one copy of the weights (they are only read).
    const imported = importHfCheckpoint(files, { view: true });
    const texts = new Map<string, string>();
    for (const file of GPT1_TOKENIZER_FILE_NAMES) {
      const bytes = files.get(file);
      if (bytes) texts.set(file, decoder.decode(bytes));
    }
    if (!texts.has('vocab.json') && !texts.has('encoder_bpe_40000.json')) {
      throw new Error(
        `${name} has weights but no tokenizer: add GPT-1's vocab.json and merges.txt (or encoder_bpe_40000.json ` +
          'and vocab_40000.bpe) to the selection.',
      );
    }
    const tokenizer = gpt1TokenizerFromFiles(texts);
    if (tokenizer.vocabSize > imported.config.vocabSize) {
      throw new Error(
        `its tokenizer has ${tokenizer.vocabSize} tokens but config.json's model only ${imported.config.vocabSize} ` +
          'token embeddings: are they from the same model?',
      );
    }
    model = { config: imported.config, params: imported.params, tokenizer, name };
    kind = 'hugging-face';
    warnings = imported.warnings;
    heads = imported.heads;
  }
  const info = importedModelInfo(model, kind, parameterCount(parameterTable(model.config, heads)), warnings);
  if (!finetuned) return { model, info };
  const { family } = finetuned.task;
  const labels = finetuned.classNames ? [...finetuned.classNames] : [];
  return { model, info: { ...info, finetuned: { runId: `imported:${name}`, family, labels } }, finetuned };
}

/** What the task tabs show of a model that became the imported one. */
export function importedModelInfo(
  model: PretrainedModel,
  kind: ImportedModelInfo['kind'],
  parameters: number,
  warnings: string[] = [],
): ImportedModelInfo {
  const { config, name = 'model' } = model;
  return {
    name,
    kind,
    layers: config.nLayer,
    dims: config.nEmbd,
    heads: config.nHead,
    positions: config.nPositions,
    vocabSize: config.vocabSize,
    parameters,
    tokenizer: describeTokenizer(copyTokenizer(model.tokenizer)),
    warnings,
  };
}
