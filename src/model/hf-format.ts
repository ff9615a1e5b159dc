// The Hugging Face openai-gpt checkpoint format: key mapping between HF names and our parameter table, import of
// a folder's files (config.json + model.safetensors or a sharded index) with every check done before anything is
// returned, and export to config.json + model.safetensors by the all-or-nothing `transformer.` prefix rule.
// Weights keep HF's Conv1D orientation [in, out] both ways: nothing is transposed. (reference/hf-openai-gpt.md D.)
import { CheckpointError, listNames, PICKLE_MESSAGE } from './checkpoint-errors.ts';
import { configProblems, type Gpt1Config } from './config.ts';
import {
  HF_ARCHITECTURES,
  type HfConfigExportOptions,
  type HfConfigInfo,
  hfConfigJson,
  parseHfConfig,
  parseJsonObject,
  stringifyHfConfig,
} from './hf-config.ts';
import { type HeadSpec, numel, type ParamSpec, parameterTable } from './params.ts';
import {
  parseSafetensors,
  readFloat32,
  type SafetensorsFile,
  serializeSafetensors,
  type TensorInfo,
} from './safetensors.ts';

export { architectureFor, HF_ARCHITECTURES, hfConfigJson, parseHfConfig, stringifyHfConfig } from './hf-config.ts';
export { type ModelCardInfo, modelCard } from './model-card.ts';

const PREFIX = 'transformer.';

const LAYER_KEYS: Record<string, string> = {
  'attn.c_attn.weight': 'qkvw',
  'attn.c_attn.bias': 'qkvb',
  'attn.c_proj.weight': 'attprojw',
  'attn.c_proj.bias': 'attprojb',
  'ln_1.weight': 'ln1w',
  'ln_1.bias': 'ln1b',
  'mlp.c_fc.weight': 'fcw',
  'mlp.c_fc.bias': 'fcb',
  'mlp.c_proj.weight': 'fcprojw',
  'mlp.c_proj.bias': 'fcprojb',
  'ln_2.weight': 'ln2w',
  'ln_2.bias': 'ln2b',
};
const LAYER_PARAMS = Object.fromEntries(Object.entries(LAYER_KEYS).map(([k, v]) => [v, k]));

/** Keys outside the `transformer.` module (heads), HF name -> ours. */
const HEAD_KEYS: Record<string, string> = {
  'multiple_choice_head.summary.weight': 'mc.w',
  'multiple_choice_head.summary.bias': 'mc.b',
  'score.weight': 'cls.w',
};
const HEAD_PARAMS = Object.fromEntries(Object.entries(HEAD_KEYS).map(([k, v]) => [v, k]));

const LM_HEAD = 'lm_head.weight';
const IGNORED = /^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$/;

/** Our parameter name for an HF key (with or without `transformer.`), or null when it is not a parameter. */
export function hfKeyToParam(key: string): string | null {
  const head = HEAD_KEYS[key];
  if (head) return head;
  const body = key.startsWith(PREFIX) ? key.slice(PREFIX.length) : key;
  if (body === 'tokens_embed.weight') return 'wte';
  if (body === 'positions_embed.weight') return 'wpe';
  const m = /^h\.(0|[1-9]\d*)\.(.+)$/.exec(body);
  const suffix = m && LAYER_KEYS[m[2]!];
  return suffix ? `h${m[1]}.${suffix}` : null;
}

/** The HF key for one of our parameter names; `prefixed` gives the task-model form (`transformer.` on the body). */
export function paramToHfKey(name: string, prefixed: boolean): string {
  const head = HEAD_PARAMS[name];
  if (head) return head;
  const p = prefixed ? PREFIX : '';
  if (name === 'wte') return `${p}tokens_embed.weight`;
  if (name === 'wpe') return `${p}positions_embed.weight`;
  const m = /^h(0|[1-9]\d*)\.(.+)$/.exec(name);
  const suffix = m && LAYER_PARAMS[m[2]!];
  if (!suffix) throw new CheckpointError('UNKNOWN_TENSOR', `'${name}' is not a GPT-1 parameter name`, { tensor: name });
  return `${p}h.${m[1]}.${suffix}`;
}

/** Buffers older files carry (the causal mask); never parameters, never written. */
export function isIgnoredHfKey(key: string): boolean {
  return IGNORED.test(key);
}

export type HfFiles =
  | ReadonlyMap<string, Uint8Array | ArrayBuffer>
  | Readonly<Record<string, Uint8Array | ArrayBuffer>>;

export interface ImportOptions {
  /** The model config when the files hold no config.json (a lone .safetensors file). */
  config?: Gpt1Config;
  /** Turn unexpected keys into warnings instead of refusing. */
  allowUnexpectedKeys?: boolean;
  /** Accept an lm_head.weight that differs from tokens_embed (we keep tokens_embed, tie it, and warn). */
  allowUntiedLmHead?: boolean;
  /** Return zero-copy views into the file buffers for aligned F32 tensors (keeps the file buffers alive). */
  view?: boolean;
}

export interface ImportedCheckpoint {
  config: Gpt1Config;
  heads: HeadSpec;
  /** Our parameter names, in parameter-table order, as float32 in HF's orientation. */
  params: Map<string, Float32Array>;
  /** The parsed config.json, or null when options.config was used. */
  hf: HfConfigInfo | null;
  /** The weight files read, in order. */
  weightFiles: string[];
  warnings: string[];
}

const PICKLE_FILE = /\.(bin|pt|pth|ckpt|pkl|pickle)$/i;
const MAX_INDEX_BYTES = 64 << 20;

function asBytes(v: Uint8Array | ArrayBuffer): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(v);
}

function plainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name);
}

/** Which weight files to read: model.safetensors, else the sharded index, else a single *.safetensors. */
function weightFileNames(files: Map<string, Uint8Array>): { names: string[]; weightMap: Map<string, string> | null } {
  if (files.has('model.safetensors')) return { names: ['model.safetensors'], weightMap: null };
  const indexName = 'model.safetensors.index.json';
  const index = files.get(indexName);
  if (index) {
    const raw = parseJsonObject(index, indexName, MAX_INDEX_BYTES) as Record<string, unknown>;
    const map = raw.weight_map;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw new CheckpointError('INVALID_INDEX', 'weight_map must be an object of key -> shard file', {
        file: indexName,
      });
    }
    const weightMap = new Map<string, string>();
    for (const [key, shard] of Object.entries(map)) {
      if (typeof shard !== 'string' || !plainFileName(shard) || !shard.endsWith('.safetensors')) {
        throw new CheckpointError(
          'INVALID_INDEX',
          `weight_map['${key}'] is ${JSON.stringify(shard)}, not a .safetensors file name`,
          {
            file: indexName,
            tensor: key,
          },
        );
      }
      weightMap.set(key, shard);
    }
    const names = [...new Set(weightMap.values())];
    const absent = names.filter((n) => !files.has(n));
    if (absent.length) {
      throw new CheckpointError('MISSING_FILE', `the index names shard files that are not here: ${listNames(absent)}`, {
        file: indexName,
      });
    }
    return { names, weightMap };
  }
  // optimizer.safetensors holds Adam moments (src/train/checkpoint.ts), never model weights.
  const single = [...files.keys()].filter((n) => n.endsWith('.safetensors') && n !== 'optimizer.safetensors');
  if (single.length === 1) return { names: single, weightMap: null };
  if (single.length > 1) {
    throw new CheckpointError(
      'MISSING_FILE',
      `several .safetensors files (${listNames(single)}) but no model.safetensors or model.safetensors.index.json`,
    );
  }
  const pickle = [...files.keys()].find((n) => PICKLE_FILE.test(n));
  if (pickle) throw new CheckpointError('PICKLE_REFUSED', PICKLE_MESSAGE, { file: pickle });
  throw new CheckpointError('MISSING_FILE', 'no model.safetensors (or model.safetensors.index.json) among the files');
}

interface Located {
  file: SafetensorsFile;
  info: TensorInfo;
}

/** Every tensor of every weight file by HF key; checks the index against the shards' contents. */
function locateTensors(files: Map<string, Uint8Array>, names: string[], weightMap: Map<string, string> | null) {
  const located = new Map<string, Located>();
  for (const name of names) {
    const file = parseSafetensors(files.get(name)!, { source: name });
    for (const [key, info] of file.tensors) {
      if (located.has(key)) {
        throw new CheckpointError(
          'DUPLICATE_TENSOR',
          `'${key}' is in both ${located.get(key)!.file.source} and ${name}`,
          {
            file: name,
            tensor: key,
          },
        );
      }
      const mapped = weightMap?.get(key);
      if (weightMap && mapped !== name) {
        throw new CheckpointError(
          'INVALID_INDEX',
          `shard ${name} holds '${key}', which the index ${mapped ? `maps to ${mapped}` : 'does not list'}`,
          { file: 'model.safetensors.index.json', tensor: key },
        );
      }
      located.set(key, { file, info });
    }
  }
  for (const [key, shard] of weightMap ?? []) {
    if (!located.has(key)) {
      throw new CheckpointError('INVALID_INDEX', `the index maps '${key}' to ${shard}, which does not hold it`, {
        file: 'model.safetensors.index.json',
        tensor: key,
      });
    }
  }
  return located;
}

/** Sorts every key into a parameter (our name -> HF key), the tied lm_head, an ignored buffer, or unexpected. */
function classifyKeys(located: Map<string, Located>) {
  const sources = new Map<string, string>();
  const unexpected: string[] = [];
  let lmHead: Located | undefined;
  for (const [key, loc] of located) {
    if (isIgnoredHfKey(key)) continue;
    if (key === LM_HEAD) {
      lmHead = loc;
      continue;
    }
    const name = hfKeyToParam(key);
    if (!name) {
      unexpected.push(key);
      continue;
    }
    const other = sources.get(name);
    if (other) {
      throw new CheckpointError('DUPLICATE_TENSOR', `'${key}' and '${other}' are the same parameter (${name})`, {
        tensor: key,
      });
    }
    sources.set(name, key);
  }
  return { sources, unexpected, lmHead };
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);
const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function shapeHint(name: string): string {
  if (name === 'wte') return ' (config.json: vocab_size × n_embd)';
  if (name === 'wpe') return ' (config.json: n_positions × n_embd)';
  return '';
}

function equalValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

/**
 * Imports a Hugging Face openai-gpt checkpoint from its files (name -> bytes: config.json, model.safetensors or
 * model.safetensors.index.json + shards). Validates the config, the container, every key and shape against the
 * config, and the lm_head tie before returning; throws CheckpointError naming every missing/unexpected key.
 */
export function importHfCheckpoint(input: HfFiles, options: ImportOptions = {}): ImportedCheckpoint {
  const files = new Map<string, Uint8Array>(
    (input instanceof Map ? [...input] : Object.entries(input)).map(([k, v]) => [k, asBytes(v)]),
  );
  const warnings: string[] = [];
  const configBytes = files.get('config.json');
  let hf: HfConfigInfo | null = null;
  let config: Gpt1Config;
  if (configBytes) {
    hf = parseHfConfig(configBytes);
    config = hf.config;
    warnings.push(...hf.warnings);
  } else if (options.config) {
    const problems = configProblems(options.config);
    if (problems.length) throw new CheckpointError('INVALID_CONFIG', problems.join('; '), { problems });
    config = options.config;
  } else {
    throw new CheckpointError('MISSING_FILE', 'config.json is missing: it gives the model sizes the weights need', {
      file: 'config.json',
    });
  }

  const { names, weightMap } = weightFileNames(files);
  const located = locateTensors(files, names, weightMap);

  const { sources, unexpected, lmHead } = classifyKeys(located);
  const prefixed = [...sources.values()].some((k) => k.startsWith(PREFIX));
  const wteFromLmHead = !sources.has('wte') && lmHead !== undefined;
  if (wteFromLmHead) sources.set('wte', LM_HEAD); // transformers 5 saves only lm_head.weight of the tied pair

  const clsRows = sources.has('cls.w') ? located.get(sources.get('cls.w')!)!.info.shape[0] : undefined;
  const heads: HeadSpec = {
    multipleChoice: sources.has('mc.w') || sources.has('mc.b') || undefined,
    classifierLabels: clsRows || undefined,
  };
  if (heads.multipleChoice && heads.classifierLabels) {
    throw new CheckpointError('UNSUPPORTED_HEAD', 'the checkpoint has both a multiple-choice head and a classifier');
  }
  checkHeadsAgainstConfig(hf, heads, warnings);

  const table = parameterTable(config, heads);
  const known = new Set(table.map((s) => s.name));
  for (const [name, key] of sources) if (!known.has(name) && key !== LM_HEAD) unexpected.push(key); // e.g. h.5 in 4 layers
  const problems: string[] = [];
  const missing: string[] = [];
  for (const spec of table) {
    const key = sources.get(spec.name);
    if (!key) {
      missing.push(paramToHfKey(spec.name, prefixed));
      continue;
    }
    checkTensor(spec, key, located.get(key)!.info, problems);
  }
  if (lmHead && !wteFromLmHead) {
    checkTensor(
      { name: 'wte', shape: [config.vocabSize, config.nEmbd], init: 'normal', decay: true },
      LM_HEAD,
      lmHead.info,
      problems,
    );
  }
  if (unexpected.length && options.allowUnexpectedKeys) {
    warnings.push(`ignored keys gpt1-lab does not know: ${listNames(unexpected)}`);
    unexpected.length = 0;
  }
  if (missing.length || unexpected.length) {
    const parts = [];
    if (missing.length) parts.push(`missing ${listNames(missing)}`);
    if (unexpected.length) parts.push(`unexpected ${listNames(unexpected)}`);
    throw new CheckpointError(
      'KEY_MISMATCH',
      `the weights do not match an openai-gpt model: ${parts.join('; ')}${problems.length ? `; also ${problems.join('; ')}` : ''}`,
      {
        missing,
        unexpected,
        problems,
      },
    );
  }
  if (problems.length) {
    throw new CheckpointError('SHAPE_MISMATCH', `weights disagree with config.json: ${problems.join('; ')}`, {
      problems,
    });
  }

  // Tie check (reads the two matrices; nothing is returned if it fails).
  const read = (loc: Located) => readFloat32(loc.file, loc.info.name, { view: options.view });
  let wte: Float32Array | undefined;
  if (lmHead && !wteFromLmHead) {
    wte = read(located.get(sources.get('wte')!)!);
    if (!equalValues(wte, read(lmHead))) {
      const message = `lm_head.weight differs from ${sources.get('wte')}; gpt1-lab ties the output layer to the token embedding`;
      if (!options.allowUntiedLmHead) throw new CheckpointError('UNTIED_LM_HEAD', message, { tensor: LM_HEAD });
      warnings.push(`${message}, so lm_head.weight was dropped`);
    }
  } else if (!lmHead && hf && !hf.tieWordEmbeddings) {
    warnings.push('config.json sets tie_word_embeddings false; gpt1-lab ties the output layer to tokens_embed');
  }
  const params = new Map<string, Float32Array>();
  for (const spec of table) {
    const key = sources.get(spec.name);
    if (spec.name === 'wte' && wte) params.set('wte', wte);
    else if (key) params.set(spec.name, read(located.get(key)!));
    // A NaN weight would train or generate garbage without a word: refuse it here, naming the tensor.
    const values = params.get(spec.name);
    if (values && key) refuseNonFinite(values, key, located.get(key)!.file.source);
  }
  return { config, heads, params, hf, weightFiles: names, warnings };
}

/** Throws NON_FINITE naming the tensor, the first bad index and its value. */
export function refuseNonFinite(values: Float32Array, key: string, file?: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new CheckpointError(
        'NON_FINITE',
        `weight '${key}' holds ${values[i]} at index ${i}: the checkpoint is broken (saved after training diverged?)`,
        { file, tensor: key },
      );
    }
  }
}

function checkTensor(spec: ParamSpec, key: string, info: TensorInfo, problems: string[]): void {
  if (!FLOAT_DTYPES.has(info.dtype)) problems.push(`'${key}' is ${info.dtype}, not a floating-point tensor`);
  if (!sameShape(info.shape, spec.shape)) {
    problems.push(
      `'${key}' has shape ${shapeText(info.shape)}, expected ${shapeText(spec.shape)}${shapeHint(spec.name)}`,
    );
  }
}

function checkHeadsAgainstConfig(hf: HfConfigInfo | null, heads: HeadSpec, warnings: string[]): void {
  if (!hf) return;
  const arch = hf.architectures;
  if (heads.multipleChoice) {
    const { type, useProj, activation } = hf.summary;
    if (type !== 'cls_index' || useProj !== true || activation !== null) {
      throw new CheckpointError(
        'UNSUPPORTED_CONFIG',
        `multiple-choice head with summary_type ${JSON.stringify(type)}, summary_use_proj ${JSON.stringify(useProj)}, ` +
          `summary_activation ${JSON.stringify(activation)}: gpt1-lab supports "cls_index", true, null (a linear head)`,
        { file: 'config.json' },
      );
    }
  } else if (arch.includes(HF_ARCHITECTURES.multipleChoice)) {
    warnings.push('config.json says OpenAIGPTDoubleHeadsModel but the weights have no multiple_choice_head');
  }
  if (heads.classifierLabels) {
    if (arch.includes(HF_ARCHITECTURES.classification) && hf.labels.length !== heads.classifierLabels) {
      throw new CheckpointError(
        'SHAPE_MISMATCH',
        `score.weight has ${heads.classifierLabels} rows but config.json has ${hf.labels.length} labels`,
        { file: 'config.json', tensor: 'score.weight' },
      );
    }
  } else if (arch.includes(HF_ARCHITECTURES.classification)) {
    warnings.push('config.json says OpenAIGPTForSequenceClassification but the weights have no score layer');
  }
}

export interface ExportOptions extends HfConfigExportOptions {
  /** Heads to export; inferred from the parameter names present (mc.*, cls.*) when absent. */
  heads?: HeadSpec;
  /** Extra safetensors `__metadata__` entries (format is always "pt"). */
  metadata?: Record<string, string>;
}

export interface ExportedCheckpoint {
  /** 'config.json' and 'model.safetensors', ready to write or zip. */
  files: Map<string, Uint8Array>;
  config: Record<string, unknown>;
  warnings: string[];
}

export type ParamSource = ReadonlyMap<string, Float32Array> | Readonly<Record<string, Float32Array>>;

function inferHeads(config: Gpt1Config, params: Map<string, Float32Array>): HeadSpec {
  const heads: HeadSpec = {};
  if (params.has('mc.w') || params.has('mc.b')) heads.multipleChoice = true;
  const cls = params.get('cls.w');
  if (cls) {
    const rows = cls.length / config.nEmbd;
    if (!Number.isInteger(rows) || rows < 1) {
      throw new CheckpointError(
        'SHAPE_MISMATCH',
        `cls.w has ${cls.length} values, not a multiple of n_embd (${config.nEmbd})`,
        {
          tensor: 'cls.w',
        },
      );
    }
    heads.classifierLabels = rows;
  }
  return heads;
}

/**
 * Exports our parameters as a Hugging Face openai-gpt folder: config.json (D.1) and model.safetensors (F32,
 * format "pt", keys sorted). LM-only: Hub-style keys without prefix. Any head: every key in task-model form
 * (`transformer.` on the body). Never writes lm_head.weight or attn.bias.
 */
export function exportHfCheckpoint(
  config: Gpt1Config,
  source: ParamSource,
  options: ExportOptions = {},
): ExportedCheckpoint {
  const problems = configProblems(config);
  if (problems.length) throw new CheckpointError('INVALID_CONFIG', problems.join('; '), { problems });
  if (config.nInner !== 4 * config.nEmbd) {
    throw new CheckpointError(
      'UNSUPPORTED_CONFIG',
      `nInner ${config.nInner} is not 4 × nEmbd (${4 * config.nEmbd}); openai-gpt has no setting for the MLP width`,
    );
  }
  const params = new Map<string, Float32Array>(
    source instanceof Map ? [...(source as ReadonlyMap<string, Float32Array>)] : Object.entries(source),
  );
  const heads = options.heads ?? inferHeads(config, params);
  if (heads.multipleChoice && heads.classifierLabels) {
    throw new CheckpointError(
      'UNSUPPORTED_HEAD',
      'a multiple-choice head and a classifier cannot be exported together: no openai-gpt class has both',
    );
  }
  const table = parameterTable(config, heads);
  const known = new Set(table.map((s) => s.name));
  const missing = table.filter((s) => !params.has(s.name)).map((s) => s.name);
  const unexpected = [...params.keys()].filter((n) => !known.has(n));
  if (missing.length || unexpected.length) {
    const parts = [];
    if (missing.length) parts.push(`missing ${listNames(missing)}`);
    if (unexpected.length) parts.push(`unexpected ${listNames(unexpected)}`);
    throw new CheckpointError('KEY_MISMATCH', `the parameters do not match the config: ${parts.join('; ')}`, {
      missing,
      unexpected,
    });
  }
  const sizes = table
    .filter((s) => params.get(s.name)!.length !== numel(s.shape))
    .map((s) => `${s.name} has ${params.get(s.name)!.length} values, expected ${shapeText(s.shape)}`);
  if (sizes.length) throw new CheckpointError('SHAPE_MISMATCH', sizes.join('; '), { problems: sizes });

  const warnings: string[] = [];
  const prefixed = Boolean(heads.multipleChoice || heads.classifierLabels);
  const tensors: [string, { shape: readonly number[]; data: Float32Array }][] = [];
  for (const spec of table) {
    const data = params.get(spec.name)!;
    tensors.push([paramToHfKey(spec.name, prefixed), { shape: spec.shape, data }]);
  }
  tensors.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)); // the order Python's safetensors writes F32 tensors
  if (heads.classifierLabels && options.padTokenId == null) {
    warnings.push('no pad_token_id: transformers can then classify only one sequence per batch');
  }
  const hfConfig = hfConfigJson(config, heads, options);
  const files = new Map<string, Uint8Array>([
    ['config.json', new TextEncoder().encode(stringifyHfConfig(hfConfig))],
    ['model.safetensors', serializeSafetensors(tensors, { metadata: { ...options.metadata, format: 'pt' } })],
  ]);
  return { files, config: hfConfig, warnings };
}
