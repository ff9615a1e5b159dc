// The GPT-1 decoder as a readable list of op calls (Radford et al. 2018; Hugging Face OpenAIGPTModel).
// Post-LN blocks, no final LayerNorm:   n = LN1(x + drop(proj(attn(x))));   h = LN2(n + drop(mlp(n)))
// Recording only: nothing runs until the graph is compiled into a Program (src/runtime/program.ts).
import { attention } from '../ops/attention.ts';
import { dropout } from '../ops/dropout.ts';
import { type Embedding, embedding } from '../ops/embedding.ts';
import { layernorm } from '../ops/layernorm.ts';
import { matmul } from '../ops/matmul.ts';
import { residual } from '../ops/residual.ts';
import type { Graph } from '../runtime/graph.ts';
import { sameShape, type Tensor } from '../runtime/tensor.ts';
import type { Gpt1Config } from './config.ts';
import { type HeadSpec, parameterTable } from './params.ts';

/**
 * Random streams of the dropout sites: one per site, so no two sites share a mask. Micro-batch m of an
 * accumulated step adds m * MICRO_BATCH_STREAM_STRIDE, so its masks differ from the other micro-batches'
 * (the element index restarts at 0 in each); micro-batch 0 keeps the streams of an unaccumulated step.
 */
export const DROPOUT_STREAMS = {
  embeddings: 1,
  attention: (layer: number) => 100 + 3 * layer,
  attentionResidual: (layer: number) => 101 + 3 * layer,
  mlpResidual: (layer: number) => 102 + 3 * layer,
};

/** Above every site's stream (48 layers use streams up to 243). */
export const MICRO_BATCH_STREAM_STRIDE = 0x10000;

export interface GptForwardOptions {
  B: number;
  T: number;
  /** Dropout on (training) or off (evaluation). */
  train: boolean;
  /** Add token-type embeddings (HF's token_type_ids; unused by GPT-1's recipe, kept for parity). */
  tokenTypes?: boolean;
  heads?: HeadSpec;
  /** Parameters that get no gradient (e.g. frozen layers); all others train. */
  frozen?: (name: string) => boolean;
  /** Reuse these parameter tensors (another program's, shared on compile) instead of declaring new ones. */
  params?: Map<string, Tensor>;
  /** Attention rows per workgroup (src/ops/attention.ts; default the kernels'): speed only, same results. */
  attentionBlock?: number;
  /** Which micro-batch of an accumulated step this forward is (default 0): shifts the dropout streams. */
  microBatch?: number;
}

export interface GptGraph {
  config: Gpt1Config;
  B: number;
  T: number;
  /** Every parameter, by table name (see params.ts). */
  params: Map<string, Tensor>;
  embedding: Embedding;
  /** hidden[0] = embeddings after dropout; hidden[i] = output of block i. Each [B, T, C]. */
  hidden: Tensor[];
  /** Per layer: the c_attn output [B, T, 3C], from which attention probabilities can be recomputed. */
  qkv: Tensor[];
}

/**
 * The parameter table as graph tensors: new ones, or `options.params` (shapes checked), adopted when they
 * are another graph's and used as they are when they are this graph's (a later micro-batch).
 */
export function declareParams(
  g: Graph,
  config: Gpt1Config,
  options: Pick<GptForwardOptions, 'heads' | 'frozen' | 'params'>,
): Map<string, Tensor> {
  const params = new Map<string, Tensor>();
  for (const spec of parameterTable(config, options.heads)) {
    const existing = options.params?.get(spec.name);
    if (options.params && !existing) throw new Error(`shared parameters lack ${spec.name}`);
    if (existing && !sameShape(existing.shape, spec.shape))
      throw new Error(`shared ${existing} is not [${spec.shape}]`);
    if (existing) params.set(spec.name, g.tensors.includes(existing) ? existing : g.adopt(existing));
    else params.set(spec.name, g.param(spec.name, spec.shape, !options.frozen?.(spec.name)));
  }
  return params;
}

export function gptForward(g: Graph, config: Gpt1Config, options: GptForwardOptions): GptGraph {
  const { B, T, train } = options;
  const C = config.nEmbd;
  const NH = config.nHead;
  if (T > config.nPositions) throw new Error(`context ${T} exceeds the model's ${config.nPositions} positions`);
  const params = declareParams(g, config, options);
  const p = (name: string) => params.get(name)!;
  const streamBase = (options.microBatch ?? 0) * MICRO_BATCH_STREAM_STRIDE;
  const drop = (x: Tensor, rate: number, stream: number) => (train ? dropout(g, x, rate, streamBase + stream) : x);

  const ids = g.input('ids', [B, T], 'u32'); // [B, T]
  const tokenTypeIds = options.tokenTypes ? g.input('token_type_ids', [B, T], 'u32') : undefined; // [B, T]
  const emb = embedding(g, ids, p('wte'), p('wpe'), { tokenTypeIds });
  let x = drop(emb.out, config.embdPdrop, DROPOUT_STREAMS.embeddings); // [B, T, C]
  const hidden = [x];
  const qkvs: Tensor[] = [];

  for (let i = 0; i < config.nLayer; i++) {
    const l = (name: string) => p(`h${i}.${name}`);
    const qkv = matmul(g, x, l('qkvw'), { bias: l('qkvb') }); // [B, T, 3C]
    const attnDropout = train ? { p: config.attnPdrop, stream: streamBase + DROPOUT_STREAMS.attention(i) } : undefined;
    const block = options.attentionBlock;
    const heads = attention(g, qkv, { B, T, C, NH, dropout: attnDropout, block }); // [B, T, C]
    const attn = drop(
      matmul(g, heads, l('attprojw'), { bias: l('attprojb') }),
      config.residPdrop,
      DROPOUT_STREAMS.attentionResidual(i),
    ); // [B, T, C]
    const n = layernorm(g, residual(g, x, attn), l('ln1w'), l('ln1b'), config.layerNormEps); // [B, T, C]
    const fc = matmul(g, n, l('fcw'), { bias: l('fcb'), gelu: true }); // [B, T, 4C]
    const mlp = drop(
      matmul(g, fc, l('fcprojw'), { bias: l('fcprojb') }),
      config.residPdrop,
      DROPOUT_STREAMS.mlpResidual(i),
    ); // [B, T, C]
    x = layernorm(g, residual(g, n, mlp), l('ln2w'), l('ln2b'), config.layerNormEps); // [B, T, C]
    qkvs.push(qkv);
    hidden.push(x);
  }
  return { config, B, T, params, embedding: emb, hidden, qkv: qkvs };
}

/** The final hidden states [B, T, C] (GPT-1 has no final LayerNorm). */
export function finalHidden(model: GptGraph): Tensor {
  return model.hidden.at(-1)!;
}
