// GPT-1 model configuration and presets. Field names follow our code; hf-format.ts maps them to
// Hugging Face's config.json (vocab_size, n_positions, n_embd, n_layer, n_head, ...).

export interface Gpt1Config {
  /** Rows of the token embedding (grows when fine-tuning adds special tokens). */
  vocabSize: number;
  /** Learned positions: the longest context. */
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  /** FFN width; GPT-1: 4 * nEmbd. */
  nInner: number;
  layerNormEps: number;
  embdPdrop: number;
  attnPdrop: number;
  residPdrop: number;
  /** Std of the N(0, σ²) init (GPT-1: 0.02). */
  initializerRange: number;
}

export type PresetName = 'tiny' | 'small' | 'gpt1';

/** GPT-1 as released: 12 × 768, 12 heads, FFN 3072, context 512, 40,478 BPE tokens (116,534,784 parameters). */
export const GPT1_VOCAB_SIZE = 40478;

function preset(nLayer: number, nEmbd: number, nHead: number, nPositions: number, vocabSize: number): Gpt1Config {
  return {
    vocabSize,
    nPositions,
    nEmbd,
    nLayer,
    nHead,
    nInner: 4 * nEmbd,
    layerNormEps: 1e-5,
    embdPdrop: 0.1,
    attnPdrop: 0.1,
    residPdrop: 0.1,
    initializerRange: 0.02,
  };
}

export const PRESETS: Record<PresetName, Gpt1Config> = {
  /** Trains in minutes on a CPU WebGPU (SwiftShader): tests and demos. Vocabulary set by the tokenizer. */
  tiny: preset(2, 64, 4, 64, 256),
  /** A laptop GPU: nanoGPT's "baby GPT" shape. */
  small: preset(6, 384, 6, 256, 4096),
  /** The paper's model. */
  gpt1: preset(12, 768, 12, 512, GPT1_VOCAB_SIZE),
};

export const PRESET_DESCRIPTIONS: Record<PresetName, string> = {
  tiny: '2 layers × 64 dims, 4 heads, context 64: trains in minutes anywhere',
  small: '6 layers × 384 dims, 6 heads, context 256: a laptop GPU',
  gpt1: '12 layers × 768 dims, 12 heads, context 512, 40,478-token BPE: the paper',
};

/** Checks a config and returns a list of problems (empty when valid). */
export function configProblems(c: Gpt1Config): string[] {
  const problems: string[] = [];
  const positive = ['vocabSize', 'nPositions', 'nEmbd', 'nLayer', 'nHead', 'nInner'] as const;
  for (const key of positive) {
    if (!Number.isInteger(c[key]) || c[key] <= 0) problems.push(`${key} must be a positive integer (got ${c[key]})`);
  }
  if (Number.isInteger(c.nEmbd) && Number.isInteger(c.nHead) && c.nHead > 0 && c.nEmbd % c.nHead !== 0) {
    problems.push(`nEmbd (${c.nEmbd}) must be divisible by nHead (${c.nHead})`);
  }
  for (const key of ['embdPdrop', 'attnPdrop', 'residPdrop'] as const) {
    if (!(c[key] >= 0 && c[key] < 1)) problems.push(`${key} must be in [0, 1) (got ${c[key]})`);
  }
  if (!(c.layerNormEps > 0)) problems.push(`layerNormEps must be positive (got ${c.layerNormEps})`);
  if (!(c.initializerRange > 0)) problems.push(`initializerRange must be positive (got ${c.initializerRange})`);
  return problems;
}

export function validateConfig(c: Gpt1Config): Gpt1Config {
  const problems = configProblems(c);
  if (problems.length) throw new Error(`Invalid model config: ${problems.join('; ')}`);
  return c;
}

/** Dropout off everywhere: evaluation, parity with fixtures. */
export function withoutDropout(c: Gpt1Config): Gpt1Config {
  return { ...c, embdPdrop: 0, attnPdrop: 0, residPdrop: 0 };
}
