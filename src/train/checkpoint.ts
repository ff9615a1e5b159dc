// Training checkpoints as a Hugging Face openai-gpt folder plus training state, so one folder both
// resumes here and loads in transformers (and continues on a cluster):
//   config.json, model.safetensors   the model (hf-format.ts), loadable by OpenAIGPT*.from_pretrained
//   vocab.json, merges.txt           with GPT-1's tokenizer only (AutoTokenizer loads them)
//   README.md                        a model card
//   optimizer.safetensors            Adam exp_avg / exp_avg_sq by HF key, as PyTorch names them
//   training_state.json              step, data cursor, seed, schedule, options, tokenizer, metrics
// Loading validates everything (safetensors headers, shapes against config, state fields) before
// returning, so a truncated or foreign folder changes nothing.
import { CheckpointError } from '../model/checkpoint-errors.ts';
import type { Gpt1Config } from '../model/config.ts';
import {
  exportHfCheckpoint,
  importHfCheckpoint,
  modelCard,
  paramToHfKey,
  refuseNonFinite,
} from '../model/hf-format.ts';
import type { HeadSpec } from '../model/params.ts';
import { parseSafetensors, readFloat32, serializeSafetensors } from '../model/safetensors.ts';
import type { ParamValues } from '../model/weights.ts';
import { tokenizerFromJSON } from '../tokenizer/from-json.ts';
import { Gpt1Tokenizer } from '../tokenizer/gpt1.ts';
import type { TokenizerJson } from '../tokenizer/types.ts';
import { finetuneCardFacts } from './finetune-card.ts';
import type { Schedule } from './schedule.ts';

export const CHECKPOINT_FORMAT = 'gpt1-lab-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface TrainingState {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  kind: 'pretrain' | 'finetune';
  step: number;
  tokens: number;
  seed: number;
  /** Data position: the LM sampler's draw counter, or a task order's epoch and position. */
  dataCursor: number | { epoch: number; position: number };
  B: number;
  T: number;
  schedule: Schedule;
  weightDecay: number;
  maxGradNorm: number;
  tokenizer: TokenizerJson;
  /** Free-form summary for people (losses, corpus name, dates). */
  notes: Record<string, string | number>;
}

export interface Checkpoint {
  config: Gpt1Config;
  heads: HeadSpec;
  params: ParamValues;
  moments?: { m: ParamValues; v: ParamValues };
  state: TrainingState;
  /** A classifier's class names in id order (config.json's id2label). */
  labels?: string[];
}

const encoder = new TextEncoder();

export function writeCheckpoint(ckpt: Checkpoint): Map<string, Uint8Array> {
  const labels = ckpt.heads.classifierLabels === ckpt.labels?.length ? ckpt.labels : undefined;
  const hf = exportHfCheckpoint(ckpt.config, ckpt.params, { heads: ckpt.heads, ...(labels ? { labels } : {}) });
  const files = new Map(hf.files);
  if (ckpt.moments) {
    const prefixed = Boolean(ckpt.heads.multipleChoice || ckpt.heads.classifierLabels);
    const tensors: [string, { shape: readonly number[]; data: Float32Array }][] = [];
    for (const [name, m] of ckpt.moments.m) {
      const v = ckpt.moments.v.get(name);
      if (!v) throw new Error(`checkpoint: no exp_avg_sq for ${name}`);
      const key = paramToHfKey(name, prefixed);
      tensors.push(
        [`${key}.exp_avg`, { shape: [m.length], data: m }],
        [`${key}.exp_avg_sq`, { shape: [v.length], data: v }],
      );
    }
    files.set('optimizer.safetensors', serializeSafetensors(tensors, { metadata: { step: String(ckpt.state.step) } }));
  }
  files.set('training_state.json', encoder.encode(`${JSON.stringify(ckpt.state, null, 1)}\n`));
  const tokenizer = tokenizerFromJSON(ckpt.state.tokenizer);
  if (tokenizer instanceof Gpt1Tokenizer) {
    // With GPT-1's own tokenizer the folder is complete for transformers: AutoTokenizer loads these.
    files.set('vocab.json', encoder.encode(tokenizer.toHfVocabJson()));
    files.set('merges.txt', encoder.encode(tokenizer.toHfMergesTxt()));
  }
  const notes = ckpt.state.notes;
  const finetuned = finetuneCardFacts(notes, labels);
  files.set(
    'README.md',
    encoder.encode(
      modelCard({
        config: ckpt.config,
        heads: ckpt.heads,
        corpus: typeof notes.corpus === 'string' ? notes.corpus : undefined,
        steps: ckpt.state.step,
        tokensSeen: ckpt.state.tokens,
        finalLoss: typeof notes.finalValLoss === 'number' ? notes.finalValLoss : undefined,
        ...finetuned,
        tokenizer:
          tokenizer instanceof Gpt1Tokenizer
            ? "GPT-1's BPE (the BERT-style fast path of OpenAIGPTTokenizer)"
            : `gpt1-lab ${tokenizer.kind} tokenizer (training_state.json); not loadable by AutoTokenizer`,
      }),
    ),
  );
  return files;
}

function parseState(bytes: Uint8Array | undefined): TrainingState {
  if (!bytes)
    throw new CheckpointError(
      'MISSING_FILE',
      'training_state.json is missing: this folder is not a gpt1-lab checkpoint',
    );
  let state: TrainingState;
  try {
    state = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as TrainingState;
  } catch (error) {
    throw new CheckpointError(
      'INVALID_TRAINING_STATE',
      `training_state.json is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (state.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      'INVALID_TRAINING_STATE',
      `training_state.json: format is ${JSON.stringify(state.format)}, not "${CHECKPOINT_FORMAT}"`,
    );
  }
  if (state.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      'INVALID_TRAINING_STATE',
      `training_state.json: version ${state.version} is not supported (expected ${CHECKPOINT_VERSION})`,
    );
  }
  const integers = ['step', 'tokens', 'seed', 'B', 'T'] as const;
  for (const key of integers) {
    if (!Number.isInteger(state[key]) || state[key] < 0) {
      throw new CheckpointError('INVALID_TRAINING_STATE', `training_state.json: ${key} must be a non-negative integer`);
    }
  }
  if (!state.tokenizer || typeof state.tokenizer !== 'object') {
    throw new CheckpointError('INVALID_TRAINING_STATE', 'training_state.json: tokenizer is missing');
  }
  return state;
}

export function readCheckpoint(files: ReadonlyMap<string, Uint8Array>): Checkpoint {
  const state = parseState(files.get('training_state.json'));
  const model = importHfCheckpoint(files);
  let moments: Checkpoint['moments'];
  const optimizer = files.get('optimizer.safetensors');
  if (optimizer) {
    const file = parseSafetensors(optimizer, { source: 'optimizer.safetensors' });
    const prefixed = Boolean(model.heads.multipleChoice || model.heads.classifierLabels);
    moments = { m: new Map(), v: new Map() };
    for (const [name, values] of model.params) {
      const key = paramToHfKey(name, prefixed);
      for (const [slot, target] of [
        ['exp_avg', moments.m],
        ['exp_avg_sq', moments.v],
      ] as const) {
        const tensor = `${key}.${slot}`;
        if (!file.tensors.has(tensor)) {
          throw new CheckpointError('KEY_MISMATCH', `optimizer.safetensors lacks ${tensor}`, { tensor });
        }
        const data = readFloat32(file, tensor);
        if (data.length !== values.length) {
          throw new CheckpointError(
            'SHAPE_MISMATCH',
            `optimizer.safetensors: ${tensor} has ${data.length} values, expected ${values.length}`,
            { tensor },
          );
        }
        refuseNonFinite(data, tensor, 'optimizer.safetensors');
        target.set(name, data as Float32Array<ArrayBuffer>);
      }
    }
  }
  const vocabSize = tokenizerFromJSON(state.tokenizer).vocabSize;
  if (vocabSize !== model.config.vocabSize) {
    throw new CheckpointError(
      'INVALID_TRAINING_STATE',
      `its tokenizer has ${vocabSize} tokens but config.json's model has ${model.config.vocabSize} token embeddings: ` +
        'the files come from different runs',
      { file: 'training_state.json' },
    );
  }
  const labels = model.heads.classifierLabels && model.hf ? model.hf.labels : undefined;
  return {
    config: model.config,
    heads: model.heads,
    params: model.params as ParamValues,
    moments,
    state,
    ...(labels ? { labels } : {}),
  };
}
