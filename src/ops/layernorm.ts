// LayerNorm over the last dim (GPT-1 is post-LN: n = LN(x + attn(x)), eps 1e-5): float64 CPU reference
// (llm.c's layernorm_forward/backward), and the op that records the GPU forward and its backward on the
// graph. Kernel: shaders/layernorm.wgsl. https://arxiv.org/abs/1607.06450
import type { Graph } from '../runtime/graph.ts';
import { threadGrid, workgroups1d } from '../runtime/grid.ts';
import { type KernelSpec, kernel, workgroupSize } from '../runtime/kernel.ts';
import { assertShape, type Tensor } from '../runtime/tensor.ts';

export const LAYERNORM_FORWARD = kernel('layernorm.wgsl', 'layernorm_forward', [
  'inp',
  'weight',
  'bias',
  'out',
  'mean',
  'rstd',
]);
export const LAYERNORM_FORWARD_ROWWISE = kernel('layernorm.wgsl', 'layernorm_forward_rowwise', [
  'inp',
  'weight',
  'bias',
  'out',
  'mean',
  'rstd',
]);
export const LAYERNORM_BACKWARD_DINP = kernel('layernorm.wgsl', 'layernorm_backward_dinp', [
  'dout',
  'inp',
  'weight',
  'mean',
  'rstd',
  'dinp',
]);
export const LAYERNORM_BACKWARD_DINP_ROWWISE = kernel('layernorm.wgsl', 'layernorm_backward_dinp_rowwise', [
  'dout',
  'inp',
  'weight',
  'mean',
  'rstd',
  'dinp',
]);
export const LAYERNORM_BACKWARD_PARTIALS = kernel('layernorm.wgsl', 'layernorm_backward_partials', [
  'dout',
  'inp',
  'mean',
  'rstd',
  'partials',
]);
export const LAYERNORM_BACKWARD_DWEIGHT = kernel('layernorm.wgsl', 'layernorm_backward_dweight', [
  'partials',
  'dweight',
]);
export const LAYERNORM_BACKWARD_DBIAS = kernel('layernorm.wgsl', 'layernorm_backward_dbias', ['partials', 'dbias']);

export interface LayernormForwardResult {
  out: Float64Array; // [N, C]
  mean: Float64Array; // [N]
  rstd: Float64Array; // [N]
}

/** out = (inp - mean) * rstd * weight + bias per row; the biased variance, as PyTorch's LayerNorm. */
export function layernormForwardRef(
  inp: Float64Array, // [N, C]
  weight: Float64Array, // [C]
  bias: Float64Array, // [C]
  N: number,
  C: number,
  eps = 1e-5,
): LayernormForwardResult {
  const out = new Float64Array(N * C);
  const mean = new Float64Array(N);
  const rstd = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const x = inp.subarray(n * C, (n + 1) * C);
    let m = 0;
    for (let c = 0; c < C; c++) m += x[c]!;
    m /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x[c]! - m) ** 2;
    v /= C;
    const s = 1 / Math.sqrt(v + eps);
    for (let c = 0; c < C; c++) out[n * C + c] = (x[c]! - m) * s * weight[c]! + bias[c]!;
    mean[n] = m;
    rstd[n] = s;
  }
  return { out, mean, rstd };
}

export interface LayernormBackwardResult {
  dinp: Float64Array; // [N, C]
  dweight: Float64Array; // [C]
  dbias: Float64Array; // [C]
}

/** Gradients of sum(out * dout) (llm.c's layernorm_backward, overwriting rather than accumulating). */
export function layernormBackwardRef(
  dout: Float64Array, // [N, C]
  inp: Float64Array, // [N, C]
  weight: Float64Array, // [C]
  mean: Float64Array, // [N]
  rstd: Float64Array, // [N]
  N: number,
  C: number,
): LayernormBackwardResult {
  const dinp = new Float64Array(N * C);
  const dweight = new Float64Array(C);
  const dbias = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    const m = mean[n]!;
    const s = rstd[n]!;
    let dnormMean = 0;
    let dnormNormMean = 0;
    for (let c = 0; c < C; c++) {
      const norm = (inp[n * C + c]! - m) * s;
      const dnorm = weight[c]! * dout[n * C + c]!;
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= C;
    dnormNormMean /= C;
    for (let c = 0; c < C; c++) {
      const i = n * C + c;
      const norm = (inp[i]! - m) * s;
      const dnorm = weight[c]! * dout[i]!;
      dbias[c] = dbias[c]! + dout[i]!;
      dweight[c] = dweight[c]! + norm * dout[i]!;
      // The three terms: through norm directly, through the mean, through the variance.
      dinp[i] = (dnorm - dnormMean - norm * dnormNormMean) * s;
    }
  }
  return { dinp, dweight, dbias };
}

/**
 * Rows per block in the dweight/dbias partials pass. About sqrt(N) balances the two fixed-order passes:
 * each sums ~sqrt(N) terms (f32 error ~ 2 sqrt(N) eps instead of N eps), and there are ~sqrt(N) blocks.
 */
export function layernormBlockRows(N: number): number {
  return Math.ceil(Math.sqrt(N));
}

/**
 * How forward and dinp reduce a row: one workgroup (WG threads) per row (tree reductions with barriers),
 * or one thread per row (sequential loops, no barriers). dweight/dbias are the same either way.
 */
export type LayernormVariant = 'workgroup' | 'rowwise';

/**
 * Widest row (C) that gets the rowwise kernels by default. On SwiftShader (CPU WebGPU: tests, CI) the
 * workgroup variant's 16 barriers per row cost ~0.07 ms per row whatever C is, and rowwise was faster at
 * every width measured (256 rows: C = 32 0.17 ms vs 16 ms forward, C = 768 2.6 ms vs 33 ms), so the bound
 * is set for real GPUs: one thread per row reads its row serially (strided across threads), which long
 * rows such as GPT-1's C = 768 should not do, while short rows leave most of a workgroup idle.
 * 256 covers the tiny preset (C = 64) and the test models; the small (384) and GPT-1 presets keep the
 * workgroup kernels.
 */
export const LAYERNORM_ROWWISE_MAX_C = 256;

/** The variant for rows of C channels (`variant` forces one, for tests and benchmarks). */
export function layernormVariant(C: number, variant?: LayernormVariant): LayernormVariant {
  return variant ?? (C <= LAYERNORM_ROWWISE_MAX_C ? 'rowwise' : 'workgroup');
}

export interface LayernormOptions {
  /** Kernels for forward and dinp; by default rowwise for C <= LAYERNORM_ROWWISE_MAX_C. */
  variant?: LayernormVariant;
}

export interface LayernormOutputs {
  out: Tensor; // [..., C]
  mean: Tensor; // [N]
  rstd: Tensor; // [N]
}

/** Records LayerNorm of inp [..., C] with weight, bias [C]; also returns the per-row stats it saves. */
export function layernormWithStats(
  g: Graph,
  inp: Tensor,
  weight: Tensor,
  bias: Tensor,
  eps = 1e-5,
  options: LayernormOptions = {},
): LayernormOutputs {
  const C = inp.shape.at(-1)!;
  const N = inp.size / C;
  const rowwise = layernormVariant(C, options.variant) === 'rowwise';
  const forward = rowwise ? LAYERNORM_FORWARD_ROWWISE : LAYERNORM_FORWARD;
  // Rowwise: one invocation per row; workgroup: one workgroup per row.
  const rowGrid = (spec: KernelSpec) => (rowwise ? threadGrid(spec, N) : workgroups1d(N, 1));
  assertShape(weight, [C], 'layernorm');
  assertShape(bias, [C], 'layernorm');
  const anyGrad = inp.requiresGrad || weight.requiresGrad || bias.requiresGrad;
  const out = g.activation(`layernorm(${inp.name})`, inp.shape, anyGrad); // [..., C]
  const mean = g.activation(`layernorm.mean(${inp.name})`, [N], false); // [N]
  const rstd = g.activation(`layernorm.rstd(${inp.name})`, [N], false); // [N]
  g.dispatch(forward, { inp, weight, bias, out, mean, rstd }, { N, C, eps }, rowGrid(forward));

  g.onBackward([out], () => {
    const dout = g.grad(out); // [..., C]
    if (inp.requiresGrad) {
      const { grad: dinp, accumulate } = g.gradWrite(inp);
      const spec = rowwise ? LAYERNORM_BACKWARD_DINP_ROWWISE : LAYERNORM_BACKWARD_DINP;
      g.dispatch(spec, { dout, inp, weight, mean, rstd, dinp }, { N, C, accumulate }, rowGrid(spec));
    }
    if (!weight.requiresGrad && !bias.requiresGrad) return;
    const blockRows = layernormBlockRows(N);
    const nblocks = Math.ceil(N / blockRows);
    // One invocation per channel along x, one block of rows per workgroup along y.
    const colGroups = Math.ceil(C / workgroupSize(LAYERNORM_BACKWARD_PARTIALS)[0]);
    const partials = g.activation(`layernorm.partials(${inp.name})`, [2, nblocks, C], false); // [2, nblocks, C]
    g.dispatch(
      LAYERNORM_BACKWARD_PARTIALS,
      { dout, inp, mean, rstd, partials },
      { N, C, block_rows: blockRows, nblocks },
      [colGroups, nblocks],
    );
    if (weight.requiresGrad) {
      const { grad: dweight, accumulate } = g.gradWrite(weight);
      const grid = threadGrid(LAYERNORM_BACKWARD_DWEIGHT, C);
      g.dispatch(LAYERNORM_BACKWARD_DWEIGHT, { partials, dweight }, { C, nblocks, accumulate }, grid);
    }
    if (bias.requiresGrad) {
      const { grad: dbias, accumulate } = g.gradWrite(bias);
      const grid = threadGrid(LAYERNORM_BACKWARD_DBIAS, C);
      g.dispatch(LAYERNORM_BACKWARD_DBIAS, { partials, dbias }, { C, nblocks, accumulate }, grid);
    }
  });
  return { out, mean, rstd };
}

/** Records LayerNorm of inp [..., C] over its last dim; weight, bias [C]. */
export function layernorm(
  g: Graph,
  inp: Tensor,
  weight: Tensor,
  bias: Tensor,
  eps = 1e-5,
  options: LayernormOptions = {},
): Tensor {
  return layernormWithStats(g, inp, weight, bias, eps, options).out;
}
