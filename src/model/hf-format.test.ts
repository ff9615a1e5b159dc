// HF openai-gpt format layer: key mapping, import of the shared fixture folders (base and double-heads), sharded
// and F16/BF16 input, export -> import round trips, and every refusal with its message.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, type CheckpointErrorCode } from './checkpoint-errors.ts';
import type { Gpt1Config } from './config.ts';
import { narrowToF16, widenF16 } from './float16.ts';
import { readHfFolder } from './hf-folder-node.ts';
import {
  exportHfCheckpoint,
  hfKeyToParam,
  importHfCheckpoint,
  isIgnoredHfKey,
  modelCard,
  paramToHfKey,
  parseHfConfig,
} from './hf-format.ts';
import { parameterTable } from './params.ts';
import { type Dtype, parseSafetensors, readFloat32, serializeSafetensors, type TensorToWrite } from './safetensors.ts';

const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/hf-tiny/', import.meta.url));

let base: Map<string, Uint8Array>;
let doubleHeads: Map<string, Uint8Array>;
beforeAll(async () => {
  base = await readHfFolder(join(FIXTURES, 'base'));
  doubleHeads = await readHfFolder(join(FIXTURES, 'double-heads'));
});

const TINY: Gpt1Config = {
  vocabSize: 96,
  nPositions: 24,
  nEmbd: 32,
  nLayer: 2,
  nHead: 4,
  nInner: 128,
  layerNormEps: 1e-5,
  embdPdrop: 0,
  attnPdrop: 0,
  residPdrop: 0,
  initializerRange: 0.02,
};

function errorOf(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CheckpointError) return e;
    throw e;
  }
  throw new Error('expected a CheckpointError');
}

function expectRefusal(fn: () => unknown, code: CheckpointErrorCode, message: RegExp | string): CheckpointError {
  const e = errorOf(fn);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  return e;
}

/** The base fixture's tensors as writable entries, for building altered files. */
function baseTensors(): [string, TensorToWrite][] {
  const file = parseSafetensors(base.get('model.safetensors')!);
  return file.headerOrder.map((k) => [k, { shape: file.tensors.get(k)!.shape, data: readFloat32(file, k) }]);
}

function withWeights(tensors: Iterable<readonly [string, TensorToWrite]>, config = base.get('config.json')!) {
  return new Map([
    ['config.json', config],
    ['model.safetensors', serializeSafetensors(tensors)],
  ]);
}

function withConfig(patch: Record<string, unknown>): Map<string, Uint8Array> {
  const json = { ...JSON.parse(new TextDecoder().decode(base.get('config.json'))), ...patch };
  return new Map([...base, ['config.json', new TextEncoder().encode(JSON.stringify(json))]]);
}

describe('hf-format: key mapping', () => {
  it('maps every parameter to an HF key and back, in both key styles', () => {
    const table = parameterTable(TINY, { multipleChoice: true, classifierLabels: 3 });
    for (const { name } of table) {
      for (const prefixed of [false, true]) expect(hfKeyToParam(paramToHfKey(name, prefixed))).toBe(name);
    }
    expect(paramToHfKey('h1.qkvw', false)).toBe('h.1.attn.c_attn.weight');
    expect(paramToHfKey('h0.fcprojb', true)).toBe('transformer.h.0.mlp.c_proj.bias');
    expect(paramToHfKey('wte', true)).toBe('transformer.tokens_embed.weight');
    expect(paramToHfKey('mc.w', false)).toBe('multiple_choice_head.summary.weight');
    expect(paramToHfKey('cls.w', true)).toBe('score.weight'); // heads never take the prefix
  });

  it('knows which keys are not parameters', () => {
    for (const key of [
      'lm_head.weight',
      'ln_f.weight',
      'h.01.ln_1.weight',
      'h.0.ln_3.weight',
      'transformer.score.weight',
    ]) {
      expect(hfKeyToParam(key)).toBeNull();
    }
    expect(isIgnoredHfKey('h.3.attn.bias')).toBe(true);
    expect(isIgnoredHfKey('transformer.h.0.attn.masked_bias')).toBe(true);
    expect(isIgnoredHfKey('h.3.attn.c_attn.bias')).toBe(false);
    expect(() => paramToHfKey('h0.nope', false)).toThrow(/'h0.nope' is not a GPT-1 parameter name/);
  });
});

describe('hf-format: importing the fixture folders', () => {
  it('imports base/ (OpenAIGPTModel, Hub keys) into the parameter table', () => {
    const ckpt = importHfCheckpoint(base);
    expect(ckpt.config).toEqual(TINY);
    expect(ckpt.heads).toEqual({ multipleChoice: undefined, classifierLabels: undefined });
    expect([...ckpt.params.keys()]).toEqual(parameterTable(TINY).map((p) => p.name));
    expect(ckpt.warnings).toEqual([]);
    expect(ckpt.weightFiles).toEqual(['model.safetensors']);
    const file = parseSafetensors(base.get('model.safetensors')!);
    expect(ckpt.params.get('h1.qkvw')).toEqual(readFloat32(file, 'h.1.attn.c_attn.weight'));
    expect(ckpt.params.get('wte')?.length).toBe(96 * 32);
  });

  it('imports double-heads/ (prefixed, multiple-choice head, wte from the tied lm_head) identically', () => {
    const dh = importHfCheckpoint(doubleHeads);
    const lm = importHfCheckpoint(base);
    expect(dh.heads.multipleChoice).toBe(true);
    expect(dh.hf?.architectures).toEqual(['OpenAIGPTDoubleHeadsModel']);
    expect(dh.params.get('mc.w')?.length).toBe(32);
    expect(dh.params.get('mc.b')?.length).toBe(1);
    for (const [name, value] of lm.params) expect(dh.params.get(name), name).toEqual(value);
    expect([...dh.params.keys()].slice(-2)).toEqual(['mc.w', 'mc.b']);
  });

  it('reads zero-copy views when asked', () => {
    const ckpt = importHfCheckpoint(base, { view: true });
    expect(ckpt.params.get('wpe')?.buffer).toBe(base.get('model.safetensors')!.buffer);
  });

  it('ignores attn.bias / attn.masked_bias buffers and a lm_head equal to tokens_embed', () => {
    const tensors = baseTensors();
    const wte = tensors.find(([k]) => k === 'tokens_embed.weight')![1];
    tensors.push(['h.0.attn.bias', { shape: [1, 1, 24, 24], data: new Float32Array(576).fill(1) }]);
    tensors.push(['h.1.attn.masked_bias', { shape: [], data: Float32Array.of(-1e4) }]);
    tensors.push(['lm_head.weight', wte]);
    const ckpt = importHfCheckpoint(withWeights(tensors));
    expect(ckpt.params).toEqual(importHfCheckpoint(base).params);
  });

  it('widens F16 and BF16 weights to float32', () => {
    for (const dtype of ['F16', 'BF16'] as Dtype[]) {
      const tensors = baseTensors().map(([k, t]): [string, TensorToWrite] => [k, { ...t, dtype }]);
      const ckpt = importHfCheckpoint(withWeights(tensors));
      const original = importHfCheckpoint(base).params.get('h0.fcw')!;
      const got = ckpt.params.get('h0.fcw')!;
      expect(got).toBeInstanceOf(Float32Array);
      if (dtype === 'F16') expect(got).toEqual(widenF16(narrowToF16(original)));
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - original[i]!)).toBeLessThan(0.01);
    }
  });

  it('reads a sharded checkpoint through model.safetensors.index.json', () => {
    const tensors = baseTensors();
    const half = Math.floor(tensors.length / 2);
    const shards: [string, [string, TensorToWrite][]][] = [
      ['model-00001-of-00002.safetensors', tensors.slice(0, half)],
      ['model-00002-of-00002.safetensors', tensors.slice(half)],
    ];
    const weightMap = Object.fromEntries(shards.flatMap(([file, ts]) => ts.map(([k]) => [k, file])));
    const index = { metadata: { total_size: 116992 }, weight_map: weightMap };
    const files = new Map<string, Uint8Array>([
      ['config.json', base.get('config.json')!],
      ['model.safetensors.index.json', new TextEncoder().encode(JSON.stringify(index))],
      ...shards.map(([file, ts]): [string, Uint8Array] => [file, serializeSafetensors(ts)]),
    ]);
    const ckpt = importHfCheckpoint(files);
    expect(ckpt.weightFiles).toEqual(shards.map(([f]) => f));
    expect(ckpt.params).toEqual(importHfCheckpoint(base).params);

    const indexWith = (map: Record<string, string>) =>
      new Map([
        ...files,
        ['model.safetensors.index.json', new TextEncoder().encode(JSON.stringify({ weight_map: map }))],
      ]);
    const first = tensors[0]![0];
    expectRefusal(
      () => importHfCheckpoint(indexWith({ ...weightMap, [first]: 'model-00002-of-00002.safetensors' })),
      'INVALID_INDEX',
      `shard model-00001-of-00002.safetensors holds '${first}', which the index maps to model-00002-of-00002`,
    );
    expectRefusal(
      () => importHfCheckpoint(indexWith({ ...weightMap, extra: 'model-00001-of-00002.safetensors' })),
      'INVALID_INDEX',
      "the index maps 'extra' to model-00001-of-00002.safetensors, which does not hold it",
    );
    expectRefusal(
      () => importHfCheckpoint(indexWith({ ...weightMap, extra: 'model-00003-of-00003.safetensors' })),
      'MISSING_FILE',
      "shard files that are not here: 'model-00003-of-00003.safetensors'",
    );
    expectRefusal(
      () => importHfCheckpoint(indexWith({ ...weightMap, [first]: '../model.safetensors' })),
      'INVALID_INDEX',
      /not a .safetensors file name/,
    );
  });

  it('takes the config from the caller for a lone .safetensors file', () => {
    const files = new Map([['my-model.safetensors', base.get('model.safetensors')!]]);
    expectRefusal(() => importHfCheckpoint(files), 'MISSING_FILE', /config.json is missing/);
    expect(importHfCheckpoint(files, { config: TINY }).params).toEqual(importHfCheckpoint(base).params);
  });
});

describe('hf-format: import refusals', () => {
  it('refuses other model types and activations', () => {
    expectRefusal(
      () => importHfCheckpoint(withConfig({ model_type: 'gpt2' })),
      'UNSUPPORTED_CONFIG',
      /model_type is "gpt2"/,
    );
    expectRefusal(
      () => importHfCheckpoint(withConfig({ afn: 'relu' })),
      'UNSUPPORTED_CONFIG',
      /afn "relu" is not supported/,
    );
    expect(importHfCheckpoint(withConfig({ afn: 'gelu_new' })).config).toEqual(TINY);
  });

  it('refuses invalid configs, listing every problem', () => {
    const e = expectRefusal(
      () => importHfCheckpoint(withConfig({ n_head: 5, layer_norm_epsilon: -1 })),
      'INVALID_CONFIG',
      'config.json: layer_norm_epsilon must be a positive number (got -1)',
    );
    expect(e.details.problems).toEqual(['layer_norm_epsilon must be a positive number (got -1)']);
    expectRefusal(
      () => importHfCheckpoint(withConfig({ n_head: 5 })),
      'INVALID_CONFIG',
      'n_embd (32) must be divisible by n_head (5)',
    );
    expectRefusal(
      () => importHfCheckpoint(withConfig({ vocab_size: '96' })),
      'INVALID_CONFIG',
      /vocab_size must be a positive integer \(got "96"\)/,
    );
    const broken = new Map([...base, ['config.json', new TextEncoder().encode('{"model_type": ')]]);
    expectRefusal(() => importHfCheckpoint(broken), 'INVALID_CONFIG', /config.json: not valid JSON/);
    const bad = new Map([...base, ['config.json', Uint8Array.of(0x7b, 0xff, 0x7d)]]);
    expectRefusal(() => importHfCheckpoint(bad), 'INVALID_CONFIG', /not valid UTF-8/);
  });

  it('refuses shapes that disagree with config.json, naming key, shape and config fields', () => {
    const e = expectRefusal(
      () => importHfCheckpoint(withConfig({ vocab_size: 100 })),
      'SHAPE_MISMATCH',
      "'tokens_embed.weight' has shape [96, 32], expected [100, 32] (config.json: vocab_size × n_embd)",
    );
    expect(e.details.problems).toHaveLength(1);
    expectRefusal(
      () => importHfCheckpoint(withConfig({ n_positions: 512 })),
      'SHAPE_MISMATCH',
      "'positions_embed.weight' has shape [24, 32], expected [512, 32] (config.json: n_positions × n_embd)",
    );
    expectRefusal(
      () => importHfCheckpoint(withConfig({ n_embd: 64, n_head: 4 })),
      'SHAPE_MISMATCH',
      "'h.0.attn.c_attn.weight' has shape [32, 96], expected [64, 192]",
    );
  });

  it('reports missing and unexpected keys by name', () => {
    const e = expectRefusal(
      () => importHfCheckpoint(withConfig({ n_layer: 3 })),
      'KEY_MISMATCH',
      /missing 'h.2.attn.c_attn.weight', 'h.2.attn.c_attn.bias'/,
    );
    expect(e.details.missing).toHaveLength(12);
    const fewer = errorOf(() => importHfCheckpoint(withConfig({ n_layer: 1 })));
    expect(fewer.code).toBe('KEY_MISMATCH');
    expect(fewer.details.unexpected).toHaveLength(12);
    expect(fewer.details.unexpected).toContain('h.1.ln_2.bias');

    const extra = [...baseTensors(), ['ln_f.weight', { shape: [32], data: new Float32Array(32) }] as const];
    const u = expectRefusal(() => importHfCheckpoint(withWeights(extra)), 'KEY_MISMATCH', "unexpected 'ln_f.weight'");
    expect(u.details.missing).toEqual([]);
    const allowed = importHfCheckpoint(withWeights(extra), { allowUnexpectedKeys: true });
    expect(allowed.warnings).toEqual(["ignored keys gpt1-lab does not know: 'ln_f.weight'"]);

    const without = baseTensors().filter(([k]) => k !== 'h.1.ln_1.bias');
    const m = expectRefusal(() => importHfCheckpoint(withWeights(without)), 'KEY_MISMATCH', "missing 'h.1.ln_1.bias'");
    expect(m.details).toMatchObject({ missing: ['h.1.ln_1.bias'], unexpected: [] });
  });

  it('names missing keys in the style of the file (prefixed for a head model)', () => {
    const file = parseSafetensors(doubleHeads.get('model.safetensors')!);
    const tensors = file.headerOrder
      .filter((k) => k !== 'transformer.h.0.ln_2.weight')
      .map((k): [string, TensorToWrite] => [k, { shape: file.tensors.get(k)!.shape, data: readFloat32(file, k) }]);
    expectRefusal(
      () => importHfCheckpoint(withWeights(tensors, doubleHeads.get('config.json'))),
      'KEY_MISMATCH',
      "missing 'transformer.h.0.ln_2.weight'",
    );
  });

  it('refuses an lm_head that is not tied to tokens_embed (or drops it with a warning when allowed)', () => {
    const tensors = baseTensors();
    tensors.push(['lm_head.weight', { shape: [96, 32], data: new Float32Array(96 * 32).fill(0.5) }]);
    expectRefusal(
      () => importHfCheckpoint(withWeights(tensors)),
      'UNTIED_LM_HEAD',
      'lm_head.weight differs from tokens_embed.weight; gpt1-lab ties the output layer to the token embedding',
    );
    const ckpt = importHfCheckpoint(withWeights(tensors), { allowUntiedLmHead: true });
    expect(ckpt.warnings[0]).toMatch(/so lm_head.weight was dropped/);
    expect(ckpt.params.get('wte')).toEqual(importHfCheckpoint(base).params.get('wte'));
  });

  it('refuses the same parameter under both key styles', () => {
    const tensors = baseTensors();
    tensors.push(['transformer.positions_embed.weight', tensors.find(([k]) => k === 'positions_embed.weight')![1]]);
    expectRefusal(
      () => importHfCheckpoint(withWeights(tensors)),
      'DUPLICATE_TENSOR',
      "'transformer.positions_embed.weight' and 'positions_embed.weight' are the same parameter (wpe)",
    );
  });

  it('refuses integer weights', () => {
    const tensors = baseTensors().map(([k, t]): [string, TensorToWrite] =>
      k === 'h.0.ln_1.bias' ? [k, { shape: t.shape, data: new Int32Array(32) }] : [k, t],
    );
    expectRefusal(
      () => importHfCheckpoint(withWeights(tensors)),
      'SHAPE_MISMATCH',
      "'h.0.ln_1.bias' is I32, not a floating-point tensor",
    );
  });

  it('refuses pickles by name and by content, with the conversion hint', () => {
    const hint = /PyTorch pickle checkpoint.*save_pretrained\(dir, safe_serialization=True\)/;
    const bin = new Map([
      ['config.json', base.get('config.json')!],
      ['pytorch_model.bin', Uint8Array.of(0x50, 0x4b, 3, 4)],
    ]);
    const e = expectRefusal(() => importHfCheckpoint(bin), 'PICKLE_REFUSED', hint);
    expect(e.message.startsWith('pytorch_model.bin: ')).toBe(true);
    const disguised = new Map([...bin, ['model.safetensors', Uint8Array.of(0x80, 0x02, 0x8a, 0x0a)]]);
    expectRefusal(
      () => importHfCheckpoint(disguised),
      'PICKLE_REFUSED',
      /^model.safetensors: this is a PyTorch pickle/,
    );
    expectRefusal(
      () => importHfCheckpoint(new Map([['config.json', base.get('config.json')!]])),
      'MISSING_FILE',
      'no model.safetensors (or model.safetensors.index.json) among the files',
    );
  });

  it('refuses a truncated model.safetensors with expected and actual sizes', () => {
    const bytes = base.get('model.safetensors')!;
    const cut = new Map([...base, ['model.safetensors', bytes.subarray(0, bytes.length - 100)]]);
    expectRefusal(
      () => importHfCheckpoint(cut),
      'TRUNCATED',
      `model.safetensors: file is truncated: the header describes 116992 data bytes, so the file should be ${bytes.length} bytes, but it is ${bytes.length - 100}`,
    );
  });

  it('refuses multiple-choice heads with a summary activation, and label counts that disagree', () => {
    const dhConfig = JSON.parse(new TextDecoder().decode(doubleHeads.get('config.json')));
    const tanh = new Map([
      ...doubleHeads,
      ['config.json', new TextEncoder().encode(JSON.stringify({ ...dhConfig, summary_activation: 'tanh' }))],
    ]);
    expectRefusal(() => importHfCheckpoint(tanh), 'UNSUPPORTED_CONFIG', /summary_activation "tanh"/);

    const { files } = exportHfCheckpoint(TINY, {
      ...Object.fromEntries(importHfCheckpoint(base).params),
      'cls.w': new Float32Array(3 * 32),
    });
    const cfg = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    const twoLabels = { ...cfg, num_labels: 2, id2label: { 0: 'a', 1: 'b' }, label2id: { a: 0, b: 1 } };
    files.set('config.json', new TextEncoder().encode(JSON.stringify(twoLabels)));
    expectRefusal(
      () => importHfCheckpoint(files),
      'SHAPE_MISMATCH',
      'score.weight has 3 rows but config.json has 2 labels',
    );
  });
});

describe('hf-format: export', () => {
  it('writes the base fixture back byte for byte (Hub keys, sorted, F32, format pt)', () => {
    const ckpt = importHfCheckpoint(base);
    const out = exportHfCheckpoint(ckpt.config, ckpt.params);
    expect(out.files.get('model.safetensors')).toEqual(base.get('model.safetensors'));
    expect(out.warnings).toEqual([]);
  });

  it('writes config.json per D.1 and reads it back to the same config', () => {
    const config = { ...TINY, embdPdrop: 0.1, attnPdrop: 0.05, residPdrop: 0.2 };
    const params = importHfCheckpoint(base).params;
    const { files, config: json } = exportHfCheckpoint(config, params);
    expect(json).toMatchObject({
      model_type: 'openai-gpt',
      architectures: ['OpenAIGPTLMHeadModel'],
      afn: 'gelu',
      vocab_size: 96,
      n_positions: 24,
      n_ctx: 24,
      n_embd: 32,
      n_layer: 2,
      n_head: 4,
      tie_word_embeddings: true,
      task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
    });
    const text = new TextDecoder().decode(files.get('config.json'));
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual(Object.keys(JSON.parse(text)).sort());
    const back = parseHfConfig(files.get('config.json')!);
    expect(back.config).toEqual(config);
    expect(back.warnings).toEqual([]);
  });

  it('round-trips the multiple-choice model with every key prefixed and no lm_head', () => {
    const dh = importHfCheckpoint(doubleHeads);
    const out = exportHfCheckpoint(dh.config, dh.params);
    const keys = [...parseSafetensors(out.files.get('model.safetensors')!).tensors.keys()];
    expect(keys).toContain('transformer.tokens_embed.weight');
    expect(keys).toContain('multiple_choice_head.summary.weight');
    expect(keys.filter((k) => !k.startsWith('transformer.'))).toEqual([
      'multiple_choice_head.summary.bias',
      'multiple_choice_head.summary.weight',
    ]);
    expect(keys.some((k) => k.includes('lm_head') || /\.attn\.(masked_)?bias$/.test(k))).toBe(false);
    expect(out.config.architectures).toEqual(['OpenAIGPTDoubleHeadsModel']);
    const back = importHfCheckpoint(out.files);
    expect(back.heads.multipleChoice).toBe(true);
    expect(back.params).toEqual(dh.params);
  });

  it('round-trips a classifier: score.weight (no bias, as HF), labels and problem type', () => {
    const params = new Map(importHfCheckpoint(base).params);
    params.set(
      'cls.w',
      Float32Array.from({ length: 3 * 32 }, (_, i) => Math.sin(i)),
    );
    const out = exportHfCheckpoint(TINY, params, { labels: ['neg', 'neu', 'pos'], padTokenId: 0 });
    expect(out.warnings).toEqual([]);
    expect(out.config).toMatchObject({
      architectures: ['OpenAIGPTForSequenceClassification'],
      num_labels: 3,
      id2label: { 0: 'neg', 1: 'neu', 2: 'pos' },
      label2id: { neg: 0, neu: 1, pos: 2 },
      problem_type: 'single_label_classification',
      pad_token_id: 0,
    });
    const keys = [...parseSafetensors(out.files.get('model.safetensors')!).tensors.keys()];
    expect(keys).toContain('score.weight');
    expect(keys).not.toContain('score.bias');
    const back = importHfCheckpoint(out.files);
    expect(back.heads.classifierLabels).toBe(3);
    expect(back.hf?.labels).toEqual(['neg', 'neu', 'pos']);
    expect(back.params).toEqual(params);
    const unpadded = exportHfCheckpoint(TINY, params, { labels: ['neg', 'neu', 'pos'] });
    expect(unpadded.warnings.join(' ')).toMatch(/no pad_token_id/);
  });

  it('refuses parameters that do not match the config', () => {
    const params = new Map(importHfCheckpoint(base).params);
    const less = new Map(params);
    less.delete('h1.ln2b');
    expectRefusal(() => exportHfCheckpoint(TINY, less), 'KEY_MISMATCH', "missing 'h1.ln2b'");
    expectRefusal(
      () => exportHfCheckpoint(TINY, new Map([...params, ['h2.qkvw', new Float32Array(1)]])),
      'KEY_MISMATCH',
      "unexpected 'h2.qkvw'",
    );
    expectRefusal(
      () => exportHfCheckpoint(TINY, new Map([...params, ['wpe', new Float32Array(5)]])),
      'SHAPE_MISMATCH',
      'wpe has 5 values, expected [24, 32]',
    );
    expectRefusal(() => exportHfCheckpoint({ ...TINY, nInner: 100 }, params), 'UNSUPPORTED_CONFIG', /not 4 × nEmbd/);
    expectRefusal(() => exportHfCheckpoint({ ...TINY, nHead: 5 }, params), 'INVALID_CONFIG', /divisible/);
    const both = new Map([
      ...params,
      ['mc.w', new Float32Array(32)],
      ['mc.b', new Float32Array(1)],
      ['cls.w', new Float32Array(64)],
    ]);
    expectRefusal(() => exportHfCheckpoint(TINY, both), 'UNSUPPORTED_HEAD', /cannot be exported together/);
    expectRefusal(
      () => exportHfCheckpoint(TINY, new Map([...params, ['cls.w', new Float32Array(33)]])),
      'SHAPE_MISMATCH',
      /cls.w has 33 values, not a multiple of n_embd/,
    );
  });

  it('reads a folder on disk (Node helper)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gpt1-lab-hf-'));
    try {
      const dh = importHfCheckpoint(doubleHeads);
      const out = exportHfCheckpoint(dh.config, dh.params);
      for (const [name, data] of out.files) await writeFile(join(dir, name), data);
      await writeFile(join(dir, 'README.md'), modelCard({ config: dh.config, heads: dh.heads }));
      await mkdir(join(dir, 'checkpoint-1')); // sub-folders are not read
      const files = await readHfFolder(dir);
      expect([...files.keys()]).toEqual(['README.md', 'config.json', 'model.safetensors']);
      expect(importHfCheckpoint(files).params).toEqual(dh.params);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('hf-format: model card', () => {
  it('writes YAML front matter and a body for a language model', () => {
    const card = modelCard({
      config: TINY,
      corpus: 'tiny Shakespeare (1.1 MB)',
      steps: 2000,
      tokensSeen: 4_096_000,
      finalLoss: 1.23456,
      datasets: ['tiny_shakespeare'],
      tokenizer: 'byte-level BPE trained here (vocab 96)',
    });
    const [, front, body] = card.split(/^---$/m);
    expect(front!.trim().split('\n')).toEqual([
      'library_name: transformers',
      'pipeline_tag: text-generation',
      'license: "mit"',
      'language:',
      '- "en"',
      'tags:',
      '- "gpt1-lab"',
      '- "openai-gpt"',
      '- "gpt-1"',
      'datasets:',
      '- "tiny_shakespeare"',
    ]);
    expect(body).toMatch(/^# GPT-1 \(gpt1-lab\)$/m);
    expect(body).toMatch(/\| Parameters \| 29,248 \|/);
    expect(body).toMatch(/\| Steps \| 2,000 \|/);
    expect(body).toMatch(/\| Final training loss \| 1.2346 \|/);
    expect(body).toMatch(/OpenAIGPTLMHeadModel.from_pretrained/);
    expect(body).toMatch(/## Limitations/);
  });

  it('names the base model and the classification pipeline for a fine-tuned classifier', () => {
    const card = modelCard({
      config: TINY,
      heads: { classifierLabels: 2 },
      baseModel: 'openai-community/openai-gpt',
      task: 'SST-2 | sentiment',
      labels: ['negative', 'positive'],
      metrics: { accuracy: 0.91 },
    });
    expect(card).toMatch(/^pipeline_tag: text-classification$/m);
    expect(card).toMatch(/^base_model: "openai-community\/openai-gpt"$/m);
    expect(card).toMatch(/\| Fine-tuning task \| SST-2 \\\| sentiment \|/);
    expect(card).toMatch(/\| accuracy \| 0.91 \|/);
    expect(card).toMatch(/OpenAIGPTForSequenceClassification/);
  });
});
