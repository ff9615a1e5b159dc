// Split-K for weight gradients: dW[M, N] = op(X)^T dY has a small M x N (GPT-1: 768 x 768 .. 3072 x 768)
// and a long K = batch x context (4,096 at 8 x 512), so one tile per workgroup leaves a big GPU with a few
// hundred workgroups. Split K into S equal slices instead: S ordinary matmul products (the tiled kernels,
// batched over the slices through offsets and strides, any variant, into a [S, M, N] scratch), then
// matmul_splitk_reduce sums the slices in order (shaders/matmul_splitk.wgsl). No atomics.
//
// Why this is not a tuner variant: it changes the summation order ((slice sums) added in order instead of
// one k-chain), so its bits differ from the other variants', and the tuner promises that its choice never
// changes a result. So split-K is a numerics choice of the graph (GraphOptions.splitK, off by default):
// when on, S is a function of the shape alone (splitKSlices), the same on every device, so a run is still
// reproducible on any machine; the tuner still picks the fastest kernel for the slices' products, which are
// bit-identical across variants like every other product.
import type { Graph } from '../runtime/graph.ts';
import { threadGrid } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import type { Tensor } from '../runtime/tensor.ts';

export const MATMUL_SPLITK_REDUCE = kernel('matmul_splitk.wgsl', 'matmul_splitk_reduce', ['partial', 'out']);

/** Below this K a product is not split: M x N tiles alone are the work, and slices would be short. */
export const SPLIT_K_MIN_K = 2048;
/** The shortest slice: each slice's products still stream K through workgroup tiles. */
const MIN_SLICE = 256;
const MAX_SLICES = 16;
/**
 * Slices are doubled until M x N x S reaches this many outputs (4 Mi: about 1,000 workgroups of 64 x 64
 * tiles, enough to fill a GPU of 132 multiprocessors several times over). A first guess, to be set from the
 * kernels suite's split-K cases measured on a GPU (bench/suites/kernel-cases.ts).
 */
const TARGET_OUTPUTS = 1 << 22;

/** How many K slices a product of M x N outputs over K gets (1: not split). A function of the shape only. */
export function splitKSlices(M: number, N: number, K: number): number {
  if (K < SPLIT_K_MIN_K) return 1;
  let S = 1;
  while (S < MAX_SLICES && M * N * S < TARGET_OUTPUTS && K % (2 * S) === 0 && K / (2 * S) >= MIN_SLICE) S *= 2;
  return S;
}

/**
 * out[cOffset + i] (+)= sum over s in order of partial[s, i], i < M x N: the second half of a split-K
 * product (the first is the S-batched matmul into `partial` [S, M, N]).
 */
export function splitKReduceDispatch(
  g: Graph,
  partial: Tensor, // [S, M, N]
  out: Tensor,
  dims: { outputs: number; slices: number; cOffset?: number; accumulate: 0 | 1 },
  label?: string,
): void {
  const { outputs, slices } = dims;
  const cOffset = dims.cOffset ?? 0;
  if (partial.size < outputs * slices) throw new Error(`split-K: ${partial} holds fewer than ${slices} x ${outputs}`);
  if (out.size < cOffset + outputs) throw new Error(`split-K: ${out} is shorter than ${cOffset} + ${outputs}`);
  g.dispatch(
    MATMUL_SPLITK_REDUCE,
    { partial, out },
    { n: outputs, slices, c_offset: cOffset, accumulate: dims.accumulate },
    threadGrid(MATMUL_SPLITK_REDUCE, outputs),
    { label: label ?? 'matmul_splitk_reduce' },
  );
}
