// Attention probabilities of every layer and head for one text, computed on the GPU by a forward program
// that shares the training program's parameters (no copy): for each layer, the c_attn output of example 0
// goes through attention_probs. Masked (future) positions are exactly 0 and each row sums to 1. A model that
// no program holds (a finished fine-tuning run) passes its values instead: they are uploaded to the program.
import type { GpuContext } from '../gpu/device.ts';
import type { Gpt1Config } from '../model/config.ts';
import { gptForward } from '../model/gpt.ts';
import { type ParamValues, uploadParams } from '../model/weights.ts';
import { attentionProbs } from '../ops/attention.ts';
import { prepareEmbeddingIndex } from '../ops/embedding.ts';
import { Graph } from '../runtime/graph.ts';
import { Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';

export interface AttentionMaps {
  layers: number;
  heads: number;
  T: number;
  /** [layers, heads, T, T] probabilities, row-major. */
  data: Float32Array<ArrayBuffer>;
}

/** Attention maps for `ids` (1 <= length <= the model's positions) with the shared parameters or these values. */
export async function attentionMaps(
  ctx: GpuContext,
  config: Gpt1Config,
  source: { program: Program; params: Map<string, Tensor> } | { values: ParamValues },
  ids: readonly number[],
): Promise<AttentionMaps> {
  const shared = 'values' in source ? undefined : source;
  const T = ids.length;
  if (T < 1) throw new Error('attention maps need at least one token');
  if (T > config.nPositions) throw new Error(`${T} tokens exceed the model's ${config.nPositions} positions`);
  const L = config.nLayer;
  const NH = config.nHead;
  const C = config.nEmbd;
  const g = new Graph();
  const model = gptForward(g, config, { B: 1, T, train: false, params: shared?.params });
  const probs = model.qkv.map((qkv) => attentionProbs(g, qkv, { B: 1, T, C, NH, b: 0 })); // L x [NH, T, T]
  const program = await Program.compile(ctx, g, { keep: probs, shareWith: shared?.program, label: 'attention-maps' });
  try {
    if ('values' in source) uploadParams(program, model.params, source.values);
    prepareEmbeddingIndex(program, model.embedding, Uint32Array.from(ids));
    program.run();
    const data = new Float32Array(L * NH * T * T); // [L, NH, T, T]
    for (let layer = 0; layer < L; layer++) data.set(await program.readF32(probs[layer]!), layer * NH * T * T);
    return { layers: L, heads: NH, T, data };
  } finally {
    program.destroy();
  }
}
