// Row-wise softmax over the last dim, with an optional causal mask filled with -1e4 as Hugging Face's
// OpenAIGPT attention does (not -inf): float64 CPU reference, and the op that records the GPU forward and
// its backward on the graph. Kernel: shaders/softmax.wgsl.
import type { Graph } from '../runtime/graph.ts';
import { workgroups1d } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import type { Tensor } from '../runtime/tensor.ts';

/** The value a masked score takes, after scaling (HF: w * b + -1e4 * (1 - b)). */
export const CAUSAL_MASK_VALUE = -1e4;

export const SOFTMAX_FORWARD = kernel('softmax.wgsl', 'softmax_forward', ['inp', 'out']);
export const SOFTMAX_BACKWARD = kernel('softmax.wgsl', 'softmax_backward', ['out', 'dout', 'dinp']);

/** Columns of `row` that the mask leaves visible: j < visibleCols. */
function visibleCols(row: number, cols: number, causal: boolean, T: number): number {
  return causal ? Math.min(cols, (row % T) + 1) : cols;
}

/**
 * out = softmax(scale * inp) per row. With `causal`, the rows form [T, cols] blocks and column j of a row
 * with query index i = row % T is replaced by -1e4 when j > i.
 */
export function softmaxForwardRef(
  inp: Float64Array, // [rows, cols]
  rows: number,
  cols: number,
  scale = 1,
  causal = false,
  T = cols,
): Float64Array {
  const out = new Float64Array(rows * cols); // [rows, cols]
  const z = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const visible = visibleCols(r, cols, causal, T);
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) {
      z[j] = j < visible ? scale * inp[r * cols + j]! : CAUSAL_MASK_VALUE;
      max = Math.max(max, z[j]!);
    }
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(z[j]! - max);
    for (let j = 0; j < cols; j++) out[r * cols + j] = Math.exp(z[j]! - max) / sum;
  }
  return out;
}

/**
 * Gradient of sum(out * dout) w.r.t. inp: scale * out_j * (dout_j - sum_k dout_k out_k), and 0 where
 * masked (the masked score is a constant). The sum runs over all k, masked ones included.
 */
export function softmaxBackwardRef(
  dout: Float64Array, // [rows, cols]
  out: Float64Array, // [rows, cols]
  rows: number,
  cols: number,
  scale = 1,
  causal = false,
  T = cols,
): Float64Array {
  const dinp = new Float64Array(rows * cols); // [rows, cols]
  for (let r = 0; r < rows; r++) {
    const visible = visibleCols(r, cols, causal, T);
    let dot = 0;
    for (let k = 0; k < cols; k++) dot += dout[r * cols + k]! * out[r * cols + k]!;
    for (let j = 0; j < visible; j++) {
      const i = r * cols + j;
      dinp[i] = scale * out[i]! * (dout[i]! - dot);
    }
  }
  return dinp;
}

export interface SoftmaxOptions {
  /** Multiplies the input before the mask and the softmax (attention: 1 / sqrt(head size)). */
  scale?: number;
  /** Mask column j > i for the row with query index i in each [T, cols] block, T = inp.shape[-2]. */
  causal?: boolean;
}

/** Records softmax over the last dim of inp [..., cols] (causal: [..., T, cols]). */
export function softmax(g: Graph, inp: Tensor, options: SoftmaxOptions = {}): Tensor {
  const scale = options.scale ?? 1;
  const causal = options.causal ?? false;
  const cols = inp.shape.at(-1)!;
  const rows = inp.size / cols;
  const T = causal ? inp.shape.at(-2) : 0;
  if (T === undefined) throw new Error(`softmax: a causal mask needs [..., T, cols], got ${inp}`);
  const mask = { rows, cols, T, causal: causal ? 1 : 0, scale };
  const out = g.activation(`softmax(${inp.name})`, inp.shape, inp.requiresGrad); // same shape as inp
  g.dispatch(SOFTMAX_FORWARD, { inp, out }, mask, workgroups1d(rows, 1));
  g.onBackward([out], () => {
    if (!inp.requiresGrad) return;
    const { grad: dinp, accumulate } = g.gradWrite(inp);
    g.dispatch(SOFTMAX_BACKWARD, { out, dout: g.grad(out), dinp }, { ...mask, accumulate }, workgroups1d(rows, 1));
  });
  return out;
}
