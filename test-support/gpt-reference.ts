// GPT-1's forward in float64 on the CPU, composed from the ops' own references (the ...Ref functions): the
// oracle that model-level GPU results (per-token log-probabilities, probe answers) are checked against.
// Plain loops, no dropout, batch 1; slow by design, for tiny models only. Test-only.
import type { Gpt1Config } from '../src/model/config.ts';
import { attentionForwardRef } from '../src/ops/attention.ts';
import { embeddingForwardRef } from '../src/ops/embedding.ts';
import { layernormForwardRef } from '../src/ops/layernorm.ts';
import { matmulForwardRef } from '../src/ops/matmul.ts';

const f64 = (values: Float32Array | undefined, name: string) => {
  if (!values) throw new Error(`gpt reference: no parameter ${name}`);
  return Float64Array.from(values);
};

/** Final hidden states [T, C] of one sequence (the last block's output; GPT-1 has no final LayerNorm), float64. */
export function gptHiddenRef(config: Gpt1Config, params: ReadonlyMap<string, Float32Array>, ids: readonly number[]) {
  const T = ids.length;
  const { nEmbd: C, nHead: NH, nInner: F, layerNormEps: eps } = config;
  const p = (name: string) => f64(params.get(name), name);
  let x = embeddingForwardRef(Uint32Array.from(ids), null, p('wte'), p('wpe'), 1, T, C); // [T, C]
  const add = (a: Float64Array, b: Float64Array) => a.map((v, i) => v + b[i]!);
  for (let i = 0; i < config.nLayer; i++) {
    const l = (name: string) => p(`h${i}.${name}`);
    const qkv = matmulForwardRef(x, l('qkvw'), l('qkvb'), { M: T, N: 3 * C, K: C }); // [T, 3C]
    const heads = attentionForwardRef(qkv, 1, T, C, NH).out; // [T, C]
    const attn = matmulForwardRef(heads, l('attprojw'), l('attprojb'), { M: T, N: C, K: C }); // [T, C]
    const n = layernormForwardRef(add(x, attn), l('ln1w'), l('ln1b'), T, C, eps).out; // [T, C]
    const fc = matmulForwardRef(n, l('fcw'), l('fcb'), { M: T, N: F, K: C, gelu: true }); // [T, F]
    const mlp = matmulForwardRef(fc, l('fcprojw'), l('fcprojb'), { M: T, N: C, K: F }); // [T, C]
    x = layernormForwardRef(add(n, mlp), l('ln2w'), l('ln2b'), T, C, eps).out; // [T, C]
  }
  return x;
}

/** Logits [T, V] of one sequence, float64. */
export function gptLogitsRef(config: Gpt1Config, params: ReadonlyMap<string, Float32Array>, ids: readonly number[]) {
  const { nEmbd: C, vocabSize: V } = config;
  const x = gptHiddenRef(config, params, ids); // [T, C]
  const wte = f64(params.get('wte'), 'wte');
  return matmulForwardRef(x, wte, null, { M: ids.length, N: V, K: C, transB: true }); // [T, V] (tied head)
}

/** log p(ids[t+1] | ids[..t]) for t = 0 .. T-2, float64 (a log-softmax of each row of the logits). */
export function nextTokenLogProbsRef(
  config: Gpt1Config,
  params: ReadonlyMap<string, Float32Array>,
  ids: readonly number[],
): Float64Array {
  const V = config.vocabSize;
  const logits = gptLogitsRef(config, params, ids); // [T, V]
  const out = new Float64Array(ids.length - 1);
  for (let t = 0; t + 1 < ids.length; t++) {
    const row = logits.subarray(t * V, (t + 1) * V);
    const max = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    out[t] = row[ids[t + 1]!]! - max - Math.log(sum);
  }
  return out;
}
