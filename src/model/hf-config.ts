// Hugging Face `config.json` (model_type "openai-gpt") <-> Gpt1Config. Import validates every field we depend
// on and refuses what our model cannot run (other model types, activations other than tanh-GELU); export writes
// the Hub's fields plus the architecture of the exported head (reference/hf-openai-gpt.md, D.1).
import { CheckpointError } from './checkpoint-errors.ts';
import { configProblems, type Gpt1Config } from './config.ts';
import type { HeadSpec } from './params.ts';

export const HF_ARCHITECTURES = {
  base: 'OpenAIGPTModel',
  lm: 'OpenAIGPTLMHeadModel',
  multipleChoice: 'OpenAIGPTDoubleHeadsModel',
  classification: 'OpenAIGPTForSequenceClassification',
} as const;

/** config.json is small; anything bigger is not a config. */
export const MAX_CONFIG_BYTES = 1 << 20;

/** HF's defaults (configuration_openai.py), used when a field is absent, as transformers does. */
const DEFAULTS = {
  vocab_size: 40478,
  n_positions: 512,
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  afn: 'gelu',
  resid_pdrop: 0.1,
  embd_pdrop: 0.1,
  attn_pdrop: 0.1,
  layer_norm_epsilon: 1e-5,
  initializer_range: 0.02,
};

/** transformers' attribute_map aliases. */
const ALIASES: Record<string, string> = {
  n_positions: 'max_position_embeddings',
  n_embd: 'hidden_size',
  n_layer: 'num_hidden_layers',
  n_head: 'num_attention_heads',
};

/** Both name the tanh approximation in transformers' ACT2FN for openai-gpt ("gelu" maps to gelu_new). */
const SUPPORTED_AFN = new Set(['gelu', 'gelu_new']);

export interface HfConfigInfo {
  config: Gpt1Config;
  architectures: string[];
  /** Labels in id order, from id2label (HF writes ["LABEL_0"] even for models without a classifier). */
  labels: string[];
  padTokenId: number | null;
  tieWordEmbeddings: boolean;
  /** DoubleHeads summary settings (only matter when a multiple-choice head is imported). */
  summary: { type: unknown; useProj: unknown; activation: unknown };
  /** The parsed JSON, for fields we do not model. */
  raw: Record<string, unknown>;
  warnings: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strict UTF-8 JSON object from bytes, with a size cap. */
export function parseJsonObject(input: Uint8Array | string, file: string, maxBytes = MAX_CONFIG_BYTES): object {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > maxBytes) {
    throw new CheckpointError('FILE_TOO_LARGE', `${size} bytes is over the ${maxBytes}-byte limit for this file`, {
      file,
    });
  }
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new CheckpointError('INVALID_CONFIG', 'not valid UTF-8', { file });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError('INVALID_CONFIG', `not valid JSON: ${(e as Error).message}`, { file });
  }
  if (!isObject(value)) throw new CheckpointError('INVALID_CONFIG', 'not a JSON object', { file });
  return value;
}

/** Reads and validates an openai-gpt config.json. Throws CheckpointError listing every problem at once. */
export function parseHfConfig(input: Uint8Array | string | object, file = 'config.json'): HfConfigInfo {
  const raw = (
    typeof input === 'string' || input instanceof Uint8Array ? parseJsonObject(input, file) : input
  ) as Record<string, unknown>;
  if (raw.model_type !== 'openai-gpt') {
    throw new CheckpointError(
      'UNSUPPORTED_CONFIG',
      `model_type is ${JSON.stringify(raw.model_type)}; gpt1-lab imports only "openai-gpt" (GPT-1) checkpoints`,
      { file },
    );
  }
  const afn = raw.afn ?? DEFAULTS.afn;
  if (typeof afn !== 'string' || !SUPPORTED_AFN.has(afn)) {
    throw new CheckpointError(
      'UNSUPPORTED_CONFIG',
      `afn ${JSON.stringify(afn)} is not supported: gpt1-lab implements GPT-1's tanh GELU ("gelu" or "gelu_new") only`,
      { file },
    );
  }
  const problems: string[] = [];
  const warnings: string[] = [];
  const field = (key: keyof typeof DEFAULTS): unknown => {
    const alias = ALIASES[key];
    if (key in raw) return raw[key];
    if (alias && alias in raw) return raw[alias];
    if (key !== 'afn') warnings.push(`${key} is absent; using transformers' default ${DEFAULTS[key]}`);
    return DEFAULTS[key];
  };
  const int = (key: keyof typeof DEFAULTS): number => {
    const v = field(key);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      problems.push(`${key} must be a positive integer (got ${JSON.stringify(v)})`);
      return 1;
    }
    return v;
  };
  const real = (key: keyof typeof DEFAULTS, ok: (v: number) => boolean, rule: string): number => {
    const v = field(key);
    if (typeof v !== 'number' || !ok(v)) {
      problems.push(`${key} must be ${rule} (got ${JSON.stringify(v)})`);
      return 0;
    }
    return v;
  };
  const probability = (v: number) => v >= 0 && v < 1;
  const nEmbd = int('n_embd');
  const config: Gpt1Config = {
    vocabSize: int('vocab_size'),
    nPositions: int('n_positions'),
    nEmbd,
    nLayer: int('n_layer'),
    nHead: int('n_head'),
    nInner: 4 * nEmbd, // openai-gpt's MLP is always 4 * n_embd
    layerNormEps: real('layer_norm_epsilon', (v) => v > 0, 'a positive number'),
    embdPdrop: real('embd_pdrop', probability, 'in [0, 1)'),
    attnPdrop: real('attn_pdrop', probability, 'in [0, 1)'),
    residPdrop: real('resid_pdrop', probability, 'in [0, 1)'),
    initializerRange: real('initializer_range', (v) => v > 0, 'a positive number'),
  };
  if (problems.length === 0) {
    for (const p of configProblems(config)) problems.push(p.replace('nEmbd', 'n_embd').replace('nHead', 'n_head'));
  }
  if (typeof raw.n_ctx === 'number' && raw.n_ctx !== config.nPositions) {
    warnings.push(`n_ctx (${raw.n_ctx}) differs from n_positions (${config.nPositions}); using n_positions`);
  }
  const architectures = Array.isArray(raw.architectures) ? raw.architectures.filter((a) => typeof a === 'string') : [];
  const labels = labelsOf(raw, problems);
  const pad = raw.pad_token_id;
  if (pad !== undefined && pad !== null && !(Number.isSafeInteger(pad) && (pad as number) >= 0)) {
    problems.push(`pad_token_id must be a non-negative integer or null (got ${JSON.stringify(pad)})`);
  }
  if (problems.length) {
    throw new CheckpointError('INVALID_CONFIG', problems.join('; '), { file, problems });
  }
  return {
    config,
    architectures,
    labels,
    padTokenId: typeof pad === 'number' ? pad : null,
    tieWordEmbeddings: raw.tie_word_embeddings !== false,
    summary: {
      type: raw.summary_type ?? 'cls_index',
      useProj: raw.summary_use_proj ?? true,
      activation: raw.summary_activation ?? null,
    },
    raw,
    warnings,
  };
}

function labelsOf(raw: Record<string, unknown>, problems: string[]): string[] {
  const id2label = raw.id2label;
  if (id2label === undefined || id2label === null) {
    const n = raw.num_labels;
    return Array.from(
      { length: typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : 2 },
      (_, i) => `LABEL_${i}`,
    );
  }
  if (!isObject(id2label)) {
    problems.push('id2label must be an object of id -> label');
    return [];
  }
  const entries = Object.entries(id2label);
  const labels: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const label = id2label[String(i)];
    if (typeof label !== 'string') {
      problems.push(`id2label must map ids 0..${entries.length - 1} to strings (id ${i}: ${JSON.stringify(label)})`);
      return [];
    }
    labels.push(label);
  }
  if (typeof raw.num_labels === 'number' && raw.num_labels !== labels.length) {
    problems.push(`num_labels (${raw.num_labels}) disagrees with id2label (${labels.length} labels)`);
  }
  return labels;
}

export interface HfConfigExportOptions {
  /** Class labels in id order (classification head); defaults to LABEL_0.. */
  labels?: readonly string[];
  /** Classification loss: HF infers regression for one label and single-label otherwise. */
  problemType?: 'regression' | 'single_label_classification' | 'multi_label_classification';
  padTokenId?: number | null;
  bosTokenId?: number | null;
  eosTokenId?: number | null;
  /** Extra fields merged last (e.g. task_specific_params). */
  extra?: Record<string, unknown>;
}

export function architectureFor(heads: HeadSpec): string {
  if (heads.multipleChoice) return HF_ARCHITECTURES.multipleChoice;
  if (heads.classifierLabels) return HF_ARCHITECTURES.classification;
  return HF_ARCHITECTURES.lm;
}

/** The config.json object for an export (D.1): Hub fields, n_ctx = n_positions, the head's architecture. */
export function hfConfigJson(
  config: Gpt1Config,
  heads: HeadSpec = {},
  options: HfConfigExportOptions = {},
): Record<string, unknown> {
  const nLabels = heads.classifierLabels ?? 1;
  const labels = options.labels ?? Array.from({ length: nLabels }, (_, i) => `LABEL_${i}`);
  if (labels.length !== nLabels) {
    throw new CheckpointError('INVALID_CONFIG', `${labels.length} labels given for a head with ${nLabels} outputs`);
  }
  const out: Record<string, unknown> = {
    afn: 'gelu',
    architectures: [architectureFor(heads)],
    attn_pdrop: config.attnPdrop,
    bos_token_id: options.bosTokenId ?? null,
    dtype: 'float32',
    embd_pdrop: config.embdPdrop,
    eos_token_id: options.eosTokenId ?? null,
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    initializer_range: config.initializerRange,
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
    layer_norm_epsilon: config.layerNormEps,
    model_type: 'openai-gpt',
    n_ctx: config.nPositions,
    n_embd: config.nEmbd,
    n_head: config.nHead,
    n_layer: config.nLayer,
    n_positions: config.nPositions,
    n_special: 0,
    pad_token_id: options.padTokenId ?? null,
    predict_special_tokens: true,
    resid_pdrop: config.residPdrop,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    tie_word_embeddings: true,
    vocab_size: config.vocabSize,
  };
  if (heads.classifierLabels) {
    out.num_labels = nLabels;
    out.problem_type = options.problemType ?? (nLabels === 1 ? 'regression' : 'single_label_classification');
  } else if (!heads.multipleChoice) {
    out.task_specific_params = { 'text-generation': { do_sample: true, max_length: 50 } };
  }
  return { ...out, ...options.extra };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
  return sorted;
}

/** As transformers writes it: sorted keys, 2-space indent, trailing newline. */
export function stringifyHfConfig(config: Record<string, unknown>): string {
  return `${JSON.stringify(sortKeys(config), null, 2)}\n`;
}
