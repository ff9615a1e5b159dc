// Fused causal self-attention (GPT-1 / Hugging Face OpenAIGPT): float64 CPU references, and the graph ops
// that record the GPU forward (online softmax, no stored probabilities), its backward, and the
// probabilities of one example for visualisation. Kernel: shaders/attention.wgsl.
//
// Blocks: the kernels own BLOCK query rows (forward, dq) or keys (dk/dv) per workgroup, a WGSL override.
// The default is the shader's (16 rows, 64 threads, under WebGPU's default 16 KiB of workgroup memory);
// 32 and 64 share each K/V tile among more rows and need more workgroup memory and invocations, so they
// run only where the device's limits hold them (attentionBlocksFor). Every block gives the same bits
// (the shader says why; attention.gpu.test.ts proves it), so the choice changes speed only.
//
// Dropout seed: the forward and backward read the graph's dropout seed tensor (dropoutSeed(g), written per
// step by setDropoutSeed), like every other dropout site, so both see the same seed and the params stay
// static. Each layer passes its own `stream`, so layers draw different masks from one step seed.
import { shaderInteger } from '../gpu/shader-constants.ts';
import type { Graph } from '../runtime/graph.ts';
import { type KernelSpec, kernel, kernelLimitProblem, type WorkgroupLimits } from '../runtime/kernel.ts';
import { dropoutScale } from '../runtime/random.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { dropoutSeed } from './dropout.ts';

const SHADER = 'attention.wgsl';
/** Query rows (forward, dq) or keys (dk/dv) owned by one workgroup by default; see BLOCK in the shader. */
export const ATTENTION_DEFAULT_BLOCK = shaderInteger(SHADER, 'BLOCK');
/** The blocks the kernels are specialised for: 64 rows are 256 threads, WebGPU's default invocation limit. */
export const ATTENTION_BLOCKS: readonly number[] = [1, 2, 4].map((f) => f * ATTENTION_DEFAULT_BLOCK);
/** Largest head size the kernels' workgroup tiles hold (HS_MAX in the shader). */
export const ATTENTION_MAX_HEAD_SIZE = shaderInteger(SHADER, 'HS_MAX');
/** HF's fill value for masked scores (w * b + -1e4 * (1 - b)). */
const MASK_FILL = -1e4;

const BACKWARD_BINDINGS = ['inp', 'step_seed', 'saved_out', 'saved_stats', 'dout', 'dinp'];

/** The forward and backward kernels for a block (the default block uses the shader's own value). */
function blockKernels(block: number): { forward: KernelSpec; backward: KernelSpec } {
  const constants = block === ATTENTION_DEFAULT_BLOCK ? undefined : { BLOCK: block };
  return {
    forward: kernel(SHADER, 'attention_forward', ['inp', 'step_seed', 'out', 'stats'], constants),
    backward: kernel(SHADER, 'attention_backward', BACKWARD_BINDINGS, constants),
  };
}

const KERNELS = new Map(ATTENTION_BLOCKS.map((b) => [b, blockKernels(b)]));
export const ATTENTION_FORWARD = KERNELS.get(ATTENTION_DEFAULT_BLOCK)!.forward;
export const ATTENTION_BACKWARD = KERNELS.get(ATTENTION_DEFAULT_BLOCK)!.backward;

/** The blocks whose kernels fit a device's workgroup memory and invocation limits. */
export function attentionBlocksFor(limits: WorkgroupLimits): number[] {
  return ATTENTION_BLOCKS.filter((b) => {
    const k = KERNELS.get(b)!;
    return !kernelLimitProblem(k.forward, limits) && !kernelLimitProblem(k.backward, limits);
  });
}
export const ATTENTION_PROBS = kernel(SHADER, 'attention_probs', ['inp', 'att']);

export interface AttentionDims {
  B: number;
  T: number;
  C: number;
  NH: number;
}

/** Attention dropout: probability p and the layer's random stream (the seed is the graph's dropoutSeed). */
export interface AttentionDropout {
  p: number;
  stream: number;
}

export interface AttentionOptions extends AttentionDims {
  dropout?: AttentionDropout;
  /** Rows per workgroup, one of ATTENTION_BLOCKS (default ATTENTION_DEFAULT_BLOCK); the same results. */
  block?: number;
}

/** Dropout as the CPU references take it (seed required). */
export interface DropoutRef {
  p: number;
  stream: number;
  seed: number;
}

/** The dropout index of probability (b, h, i, j), shared by the kernels and the references. */
export function attentionDropoutIndex(b: number, h: number, i: number, j: number, T: number, NH: number): number {
  return (((b * NH + h) * T + i) * T + j) >>> 0;
}

function headSize({ C, NH }: AttentionDims): number {
  const hs = C / NH;
  if (!Number.isInteger(hs)) throw new Error(`attention: C = ${C} is not a multiple of NH = ${NH}`);
  return hs;
}

/**
 * out = softmax(mask(q k^T / sqrt(hs))) (dropout) v, heads merged; also the probabilities before dropout.
 * Masked scores are set to -1e4 and the softmax runs over the whole row, literally as HF does.
 */
export function attentionForwardRef(
  inp: Float64Array, // [B, T, 3C]
  B: number,
  T: number,
  C: number,
  NH: number,
  dropout?: DropoutRef,
): { out: Float64Array; att: Float64Array } {
  const hs = headSize({ B, T, C, NH });
  const scale = 1 / Math.sqrt(hs);
  const out = new Float64Array(B * T * C); // [B, T, C]
  const att = new Float64Array(B * NH * T * T); // [B, NH, T, T]
  const w = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < T; i++) {
        const q = (b * T + i) * 3 * C + h * hs;
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < T; j++) {
          const k = (b * T + j) * 3 * C + C + h * hs;
          let dot = 0;
          for (let d = 0; d < hs; d++) dot += inp[q + d]! * inp[k + d]!;
          w[j] = j <= i ? dot * scale : MASK_FILL;
          max = Math.max(max, w[j]!);
        }
        let sum = 0;
        for (let j = 0; j < T; j++) {
          w[j] = Math.exp(w[j]! - max);
          sum += w[j]!;
        }
        const row = ((b * NH + h) * T + i) * T;
        const o = (b * T + i) * C + h * hs;
        for (let j = 0; j < T; j++) {
          const p = w[j]! / sum;
          att[row + j] = p;
          const z = dropout
            ? dropoutScale(dropout.seed, dropout.stream, attentionDropoutIndex(b, h, i, j, T, NH), dropout.p)
            : 1;
          const v = (b * T + j) * 3 * C + 2 * C + h * hs;
          for (let d = 0; d < hs; d++) out[o + d]! += p * z * inp[v + d]!;
        }
      }
    }
  }
  return { out, att };
}

/** dinp [B, T, 3C] of the fake loss sum(out * dout), naively through the materialised probabilities. */
export function attentionBackwardRef(
  inp: Float64Array, // [B, T, 3C]
  dout: Float64Array, // [B, T, C]
  B: number,
  T: number,
  C: number,
  NH: number,
  dropout?: DropoutRef,
): Float64Array {
  const hs = headSize({ B, T, C, NH });
  const scale = 1 / Math.sqrt(hs);
  const { att } = attentionForwardRef(inp, B, T, C, NH, dropout);
  const dinp = new Float64Array(B * T * 3 * C); // [B, T, 3C]
  const dp = new Float64Array(T); // d loss / d P[i, j] for one row
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < T; i++) {
        const row = ((b * NH + h) * T + i) * T;
        const o = (b * T + i) * C + h * hs;
        // out_i = sum_j P_ij z_ij v_j
        let pdp = 0;
        for (let j = 0; j < T; j++) {
          const z = dropout
            ? dropoutScale(dropout.seed, dropout.stream, attentionDropoutIndex(b, h, i, j, T, NH), dropout.p)
            : 1;
          const v = (b * T + j) * 3 * C + 2 * C + h * hs;
          const p = att[row + j]!;
          let dov = 0;
          for (let d = 0; d < hs; d++) {
            dov += dout[o + d]! * inp[v + d]!;
            dinp[v + d]! += p * z * dout[o + d]!;
          }
          dp[j] = dov * z;
          pdp += p * dp[j]!;
        }
        // Softmax backward; masked scores are the constant -1e4 (w * 0 + -1e4), so they pass no gradient.
        const q = (b * T + i) * 3 * C + h * hs;
        for (let j = 0; j <= i; j++) {
          const ds = att[row + j]! * (dp[j]! - pdp) * scale;
          const k = (b * T + j) * 3 * C + C + h * hs;
          for (let d = 0; d < hs; d++) {
            dinp[q + d]! += ds * inp[k + d]!;
            dinp[k + d]! += ds * inp[q + d]!;
          }
        }
      }
    }
  }
  return dinp;
}

function checkQkv(qkv: Tensor, dims: AttentionDims, where: string): void {
  const { B, T, C } = dims;
  const hs = headSize(dims);
  if (hs > ATTENTION_MAX_HEAD_SIZE) {
    throw new Error(`${where}: head size ${hs} is above the kernels' maximum ${ATTENTION_MAX_HEAD_SIZE}`);
  }
  const want = [B, T, 3 * C];
  if (qkv.shape.length !== 3 || qkv.shape.some((d, i) => d !== want[i])) {
    throw new Error(`${where}: ${qkv} should be [${want.join(', ')}]`);
  }
}

function dropoutParams(dropout: AttentionDropout | undefined): { stream: number; dropout_p: number } {
  const p = dropout?.p ?? 0;
  if (!(p >= 0 && p < 1)) throw new Error(`attention: dropout p = ${p} must be in [0, 1)`);
  return { stream: dropout?.stream ?? 0, dropout_p: p };
}

/** Records causal self-attention over qkv [B, T, 3C] (c_attn's output); returns out [B, T, C], heads merged. */
export function attention(g: Graph, qkv: Tensor, options: AttentionOptions): Tensor {
  const { B, T, C, NH } = options;
  checkQkv(qkv, options, 'attention');
  const drop = dropoutParams(options.dropout);
  const block = options.block ?? ATTENTION_DEFAULT_BLOCK;
  const kernels = KERNELS.get(block);
  if (!kernels) throw new Error(`attention: block ${block} is not one of ${ATTENTION_BLOCKS.join(', ')}`);
  // Bound even without dropout: the kernels read it either way (p = 0 ignores its value).
  const stepSeed = dropoutSeed(g);
  const label = `attention(${qkv.name})`;
  const out = g.activation(label, [B, T, C], qkv.requiresGrad); // [B, T, C]
  const stats = g.activation(`attention_stats(${qkv.name})`, [B, NH, T, 2], false); // [B, NH, T, 2]: max, sum
  const blocks = Math.ceil(T / block);
  const params = { B, T, C, NH, ...drop };
  g.dispatch(kernels.forward, { inp: qkv, step_seed: stepSeed, out, stats }, params, [blocks, NH, B], { label });
  g.onBackward([out], () => {
    if (!qkv.requiresGrad) return;
    const { grad: dinp, accumulate } = g.gradWrite(qkv);
    g.dispatch(
      kernels.backward,
      { inp: qkv, step_seed: stepSeed, saved_out: out, saved_stats: stats, dout: g.grad(out), dinp },
      { ...params, accumulate },
      // x: the first `blocks` workgroups own keys (dk, dv), the next `blocks` own query rows (dq).
      [2 * blocks, NH, B],
      { label: `${label}.backward` },
    );
  });
  return out;
}

/** Records the attention probabilities [NH, T, T] of example `b` of qkv [B, T, 3C] (no dropout; masked = 0). */
export function attentionProbs(g: Graph, qkv: Tensor, options: AttentionDims & { b: number }): Tensor {
  const { B, T, C, NH, b } = options;
  checkQkv(qkv, options, 'attentionProbs');
  if (!Number.isInteger(b) || b < 0 || b >= B) throw new Error(`attentionProbs: example ${b} is not in [0, ${B})`);
  const att = g.activation(`attention_probs(${qkv.name})[${b}]`, [NH, T, T], false); // [NH, T, T]
  g.dispatch(ATTENTION_PROBS, { inp: qkv, att }, { B, T, C, NH, b_index: b }, [T, NH, 1]);
  return att;
}
