// Where a fine-tuning run's weights start (paper §3.2, §5): a pretrained model with its token embedding
// grown by the special tokens (pretrained rows copied, new rows N(0, 0.02) from the run seed), from scratch
// (the "no pre-training" ablation), or with only the embeddings and the first n blocks transferred and the
// rest re-initialised (Figure 2, left). Task heads are always new.
import type { Gpt1Config } from '../model/config.ts';
import type { HeadSpec } from '../model/params.ts';
import { initParams, type ParamValues } from '../model/weights.ts';

export interface InitSource {
  config: Gpt1Config;
  params: ReadonlyMap<string, Float32Array>;
}

export interface InitResult {
  params: ParamValues;
  /** Parameter names copied from the pretrained model (wte partly: its first rows). */
  transferred: string[];
  /** Parameter names freshly initialised (everything else). */
  initialised: string[];
}

const BODY_KEYS = ['nPositions', 'nEmbd', 'nLayer', 'nHead', 'nInner'] as const;

/** Layer index of a block parameter (h3.qkvw -> 3), undefined for embeddings and heads. */
export function layerOf(name: string): number | undefined {
  const m = /^h(\d+)\./.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Initial parameters for `config` (the pretrained body with the grown vocabulary) and `heads`. Without a
 * pretrained source every parameter is fresh. With one, wte's first rows, wpe and blocks 0..transferLayers-1
 * are copied (default: every block); the rest stays fresh (GPT-1's init from the run seed).
 */
export function finetuneInitialParams(
  config: Gpt1Config,
  heads: HeadSpec,
  seed: number,
  pretrained?: InitSource,
  transferLayers?: number,
): InitResult {
  const params = initParams(config, seed, heads);
  if (!pretrained) return { params, transferred: [], initialised: [...params.keys()] };
  for (const key of BODY_KEYS) {
    if (pretrained.config[key] !== config[key]) {
      throw new Error(
        `The pretrained model has ${key} ${pretrained.config[key]}, the fine-tuning model ${config[key]}.`,
      );
    }
  }
  const n = transferLayers ?? config.nLayer;
  if (!Number.isInteger(n) || n < 0 || n > config.nLayer) {
    throw new Error(`--transfer-layers must be between 0 and the model's ${config.nLayer} layers, not ${n}.`);
  }
  const oldV = pretrained.config.vocabSize;
  if (oldV > config.vocabSize) {
    throw new Error(
      `The pretrained model has ${oldV} token embeddings but the tokenizer only ${config.vocabSize} tokens.`,
    );
  }
  const transferred: string[] = [];
  const initialised: string[] = [];
  for (const [name, fresh] of params) {
    const layer = layerOf(name);
    const copy = name === 'wte' || name === 'wpe' || (layer !== undefined && layer < n);
    const source = copy ? pretrained.params.get(name) : undefined;
    if (copy && !source) throw new Error(`The pretrained model lacks ${name}.`);
    if (!source) {
      initialised.push(name);
      continue;
    }
    // wte: the pretrained rows first; rows for the new special tokens keep their fresh N(0, 0.02) values.
    const expected = name === 'wte' ? oldV * config.nEmbd : fresh.length;
    if (source.length !== expected)
      throw new Error(`The pretrained ${name} has ${source.length} values, not ${expected}.`);
    fresh.set(source);
    transferred.push(name);
  }
  return { params, transferred, initialised };
}
