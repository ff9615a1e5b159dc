// Matrix multiply with optional bias and fused tanh-GELU (GPT-1's Conv1D layers, the tied LM head, and any
// batched product): float64 CPU references, the raw dispatch other ops build on (offsets for row chunks),
// and the graph op that records the forward and registers its backward. Kernel: shaders/matmul.wgsl.
//
// Forward: out_b = act(op(A_b) @ op(B_b) + bias), b < nb, with op = identity or transpose per operand.
// Backward reuses the forward kernels with transposes, accumulate and reduce_batch:
//   dA = dY @ op(B)^T (stored transposed when A is), dB = op(A)^T @ dY, dbias = column sums of dY.
// A fused GELU stores its pre-activation (`preact`, same shape as out) when a gradient is needed:
// recomputing it would cost a second matmul, storing costs what the unfused pair (matmul, gelu) would.
// Its backward is gelu_backward (gelu.wgsl) into a scratch dY, then the three products above.
import { shaderInteger } from '../gpu/shader-constants.ts';
import type { DispatchNode, Graph } from '../runtime/graph.ts';
import { type Grid, threadGrid } from '../runtime/grid.ts';
import { type KernelSpec, kernel, kernelLimitProblem, type WorkgroupLimits, workgroupSize } from '../runtime/kernel.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { GELU_BACKWARD, GELU_FORWARD, geluBackwardRef, geluForwardRef } from './gelu.ts';
import { splitKReduceDispatch, splitKSlices } from './matmul-splitk.ts';

const FORWARD_BINDINGS = ['inp', 'weight', 'bias', 'out'] as const;
const PREACT_BINDINGS = [...FORWARD_BINDINGS, 'preact'] as const;

export type MatmulVariant = 'naive' | 'tiled' | 'vec4' | 'vec4_large' | 'vec4_wide';

interface VariantInfo {
  forward: KernelSpec;
  preact: KernelSpec;
  /** Output tile per workgroup (rows, cols), read from the shader; naive runs one output per thread. */
  tile?: readonly [number, number];
}

export const MATMUL_VARIANTS: Readonly<Record<MatmulVariant, VariantInfo>> = {
  naive: {
    forward: kernel('matmul.wgsl', 'matmul_forward_naive', FORWARD_BINDINGS),
    preact: kernel('matmul.wgsl', 'matmul_forward_naive_preact', PREACT_BINDINGS),
  },
  tiled: {
    forward: kernel('matmul.wgsl', 'matmul_forward_tiled', FORWARD_BINDINGS),
    preact: kernel('matmul.wgsl', 'matmul_forward_tiled_preact', PREACT_BINDINGS),
    tile: [shaderInteger('matmul.wgsl', 'T1_BM'), shaderInteger('matmul.wgsl', 'T1_BN')],
  },
  vec4: {
    forward: kernel('matmul_vec4.wgsl', 'matmul_forward_vec4', FORWARD_BINDINGS),
    preact: kernel('matmul_vec4.wgsl', 'matmul_forward_vec4_preact', PREACT_BINDINGS),
    tile: [shaderInteger('matmul_vec4.wgsl', 'V4_BM'), shaderInteger('matmul_vec4.wgsl', 'V_BN')],
  },
  vec4_large: {
    forward: kernel('matmul_vec4.wgsl', 'matmul_forward_vec4_large', FORWARD_BINDINGS),
    preact: kernel('matmul_vec4.wgsl', 'matmul_forward_vec4_large_preact', PREACT_BINDINGS),
    tile: [shaderInteger('matmul_vec4.wgsl', 'V8_BM'), shaderInteger('matmul_vec4.wgsl', 'V_BN')],
  },
  // Needs more workgroup memory than WebGPU's default: only on devices that allow it (matmulVariantsFor).
  vec4_wide: {
    forward: kernel('matmul_wide.wgsl', 'matmul_forward_vec4_wide', FORWARD_BINDINGS),
    preact: kernel('matmul_wide.wgsl', 'matmul_forward_vec4_wide_preact', PREACT_BINDINGS),
    tile: [shaderInteger('matmul_wide.wgsl', 'W_BM'), shaderInteger('matmul_wide.wgsl', 'W_BN')],
  },
};

/** The variants (of `among`, default all) whose kernels fit a device's workgroup limits. */
export function matmulVariantsFor(
  limits: WorkgroupLimits,
  among: readonly MatmulVariant[] = Object.keys(MATMUL_VARIANTS) as MatmulVariant[],
): MatmulVariant[] {
  return among.filter((v) => {
    const info = MATMUL_VARIANTS[v];
    return !kernelLimitProblem(info.forward, limits) && !kernelLimitProblem(info.preact, limits);
  });
}

export const MATMUL_BACKWARD_BIAS = kernel('matmul.wgsl', 'matmul_backward_bias', ['dout', 'dbias']);

/** Shape and layout of one product; the names follow the Params struct of matmul.wgsl. */
export interface MatmulDims {
  M: number;
  N: number;
  K: number;
  /** Batch count (default 1). */
  nb?: number;
  /** A is stored [K, M] instead of [M, K]. */
  transA?: boolean;
  /** B is stored [N, K] instead of [K, N]. */
  transB?: boolean;
  /** Elements between batches; 0 broadcasts. Defaults: contiguous (M*K, K*N, M*N). */
  strideA?: number;
  strideB?: number;
  strideC?: number;
  /** Element offsets of the first batch in each bound tensor (row chunks of a larger tensor). */
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
  gelu?: boolean;
  accumulate?: 0 | 1;
  /** Sum the nb batches into one output at cOffset (the gradient of a broadcast operand). */
  reduceBatch?: boolean;
}

export interface MatmulBuffers {
  /** op(A) is [M, K] per batch. Bound as `inp`. */
  a: Tensor;
  /** op(B) is [K, N] per batch. Bound as `weight`. */
  b: Tensor;
  /** [M, N] per batch. */
  out: Tensor;
  /** [N], added before the activation. */
  bias?: Tensor;
  /** Receives the pre-activation (same layout as out), for the fused GELU's backward. */
  preact?: Tensor;
}

export interface MatmulDispatchOptions {
  variant?: MatmulVariant;
  label?: string;
}

/**
 * The default variant for a shape, used where no tuner has measured this adapter (tests, a first run).
 * Skinny products waste most of a tile's threads, so they take one thread per output; otherwise the
 * vec4 register-blocked kernels, which measured fastest on every shape we timed (SwiftShader; README),
 * with vec4_large's taller tile once there are enough of them to keep a GPU's cores busy.
 */
export function chooseMatmulVariant(M: number, N: number, nb = 1): MatmulVariant {
  if (M < 32 || N < 32) return 'naive';
  const [bm, bn] = MATMUL_VARIANTS.vec4_large.tile!;
  if (M >= 256 && Math.ceil(M / bm) * Math.ceil(N / bn) * nb >= 64) return 'vec4_large';
  return 'vec4';
}

/**
 * The grid of a variant for M x N outputs in `outBatches` slices (grid z): a tile per workgroup, or one
 * output per thread on a flat grid that Program.compile folds into (x, y). Compile checks the device limit.
 */
export function matmulWorkgroups(variant: MatmulVariant, M: number, N: number, outBatches: number): Grid {
  const info = MATMUL_VARIANTS[variant];
  if (!info.tile) return threadGrid(info.forward, M * N, outBatches);
  const [bm, bn] = info.tile;
  return [Math.ceil(N / bn), Math.ceil(M / bm), outBatches];
}

function resolveDims(d: MatmulDims) {
  const nb = d.nb ?? 1;
  return {
    M: d.M,
    N: d.N,
    K: d.K,
    nb,
    trans_a: d.transA ? 1 : 0,
    trans_b: d.transB ? 1 : 0,
    stride_a: d.strideA ?? d.M * d.K,
    stride_b: d.strideB ?? d.K * d.N,
    stride_c: d.strideC ?? d.M * d.N,
    a_offset: d.aOffset ?? 0,
    b_offset: d.bOffset ?? 0,
    c_offset: d.cOffset ?? 0,
    gelu: d.gelu ? 1 : 0,
    accumulate: d.accumulate ?? 0,
    reduce_batch: d.reduceBatch ? 1 : 0,
  };
}

/** Throws unless `t` holds `offset + (nb - 1) * stride + size` elements. */
function checkExtent(t: Tensor, offset: number, stride: number, nb: number, size: number, what: string): void {
  const need = offset + (nb - 1) * stride + size;
  if (need > t.size) throw new Error(`matmul: ${what} ${t} needs ${need} elements (offset, batches), has ${t.size}`);
}

/** Records one matmul dispatch (no autograd): out (+)= act(op(A) @ op(B) + bias). Returns the node. */
export function matmulDispatch(
  g: Graph,
  bufs: MatmulBuffers,
  dims: MatmulDims,
  options: MatmulDispatchOptions = {},
): DispatchNode {
  const p = resolveDims(dims);
  const { M, N, K, nb } = p;
  for (const [name, v] of Object.entries(p)) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`matmul: ${name} = ${v} is not a u32`);
  }
  if (M < 1 || N < 1 || K < 1 || nb < 1) throw new Error(`matmul: empty product M=${M} N=${N} K=${K} nb=${nb}`);
  // The kernels index one batch's outputs as m * N + n in u32.
  if (M * N > 0xffffffff) throw new Error(`matmul: M * N = ${M * N} outputs per batch overflow u32 indices`);
  checkExtent(bufs.a, p.a_offset, p.stride_a, nb, M * K, 'A');
  checkExtent(bufs.b, p.b_offset, p.stride_b, nb, K * N, 'B');
  const outBatches = p.reduce_batch ? 1 : nb;
  checkExtent(bufs.out, p.c_offset, p.stride_c, outBatches, M * N, 'out');
  if (bufs.preact) checkExtent(bufs.preact, p.c_offset, p.stride_c, outBatches, M * N, 'preact');
  if (bufs.bias && bufs.bias.size < N) throw new Error(`matmul: bias ${bufs.bias} is shorter than N = ${N}`);

  const variant = options.variant ?? chooseMatmulVariant(M, N, outBatches);
  const info = MATMUL_VARIANTS[variant];
  const workgroups = matmulWorkgroups(variant, M, N, outBatches);
  const spec = bufs.preact ? info.preact : info.forward;
  const bindings: Record<string, Tensor> = {
    inp: bufs.a,
    weight: bufs.b,
    // Unread when has_bias = 0; any read-only tensor satisfies the binding.
    bias: bufs.bias ?? bufs.b,
    out: bufs.out,
  };
  if (bufs.preact) bindings.preact = bufs.preact;
  return g.dispatch(spec, bindings, { ...p, has_bias: bufs.bias ? 1 : 0 }, workgroups, { label: options.label });
}

/**
 * out (+)= op(A) @ B over K in `slices` equal slices summed in order (split-K; see matmul-splitk.ts): the
 * slices' products are one batched matmul dispatch into a [slices, M, N] scratch, then a fixed-order sum.
 * Only for products whose K is the outer dimension of both stored operands (A stored [K, M], B [K, N]: a
 * weight gradient X^T dY), unbatched, without bias or activation.
 */
export function matmulSplitKDispatch(
  g: Graph,
  bufs: { a: Tensor; b: Tensor; out: Tensor },
  dims: Pick<MatmulDims, 'M' | 'N' | 'K' | 'aOffset' | 'bOffset' | 'cOffset' | 'accumulate'>,
  slices: number,
  options: MatmulDispatchOptions = {},
): void {
  const { M, N, K } = dims;
  if (!Number.isInteger(slices) || slices < 2 || K % slices !== 0) {
    throw new Error(`matmul: split-K needs a whole number of slices >= 2 dividing K = ${K}, got ${slices}`);
  }
  const Ks = K / slices;
  const label = options.label ?? `matmul split-K ${slices}`;
  const partial = g.activation(`${label}.partial`, [slices, M, N], false); // [S, M, N]
  matmulDispatch(
    g,
    { a: bufs.a, b: bufs.b, out: partial },
    {
      M,
      N,
      K: Ks,
      nb: slices,
      transA: true,
      transB: false,
      strideA: Ks * M, // slice s starts at row s Ks of A [K, M] and of B [K, N]
      strideB: Ks * N,
      strideC: M * N,
      aOffset: dims.aOffset,
      bOffset: dims.bOffset,
    },
    { variant: options.variant, label: `${label} slices` },
  );
  splitKReduceDispatch(
    g,
    partial,
    bufs.out,
    { outputs: M * N, slices, cOffset: dims.cOffset, accumulate: dims.accumulate ?? 0 },
    `${label} reduce`,
  );
}

/** dbias[N] (+)= sum of dout over its nb batches and M rows (dout laid out like a matmul output). */
export function matmulBiasBackwardDispatch(
  g: Graph,
  dout: Tensor,
  dbias: Tensor,
  dims: { M: number; N: number; nb?: number; strideC?: number; cOffset?: number },
  accumulate: 0 | 1,
): DispatchNode {
  const nb = dims.nb ?? 1;
  const strideC = dims.strideC ?? dims.M * dims.N;
  const cOffset = dims.cOffset ?? 0;
  checkExtent(dout, cOffset, strideC, nb, dims.M * dims.N, 'dout');
  if (dbias.size < dims.N) throw new Error(`matmul: dbias ${dbias} is shorter than N = ${dims.N}`);
  // One workgroup per workgroup-width of columns (x); its y lanes split the rows.
  const groups = Math.ceil(dims.N / workgroupSize(MATMUL_BACKWARD_BIAS)[0]);
  return g.dispatch(
    MATMUL_BACKWARD_BIAS,
    { dout, dbias },
    { M: dims.M, N: dims.N, nb, stride_c: strideC, c_offset: cOffset, accumulate },
    [groups],
  );
}

// ---- float64 references ----------------------------------------------------------------------------

/** Layout of a reference product: the kernel's, with offsets 0. Strides default to contiguous. */
export interface MatmulRefDims {
  M: number;
  N: number;
  K: number;
  nb?: number;
  transA?: boolean;
  transB?: boolean;
  strideA?: number;
  strideB?: number;
  gelu?: boolean;
}

function refLayout(d: MatmulRefDims) {
  const nb = d.nb ?? 1;
  const { M, N, K } = d;
  const sa = d.strideA ?? M * K;
  const sb = d.strideB ?? K * N;
  const ai = (b: number, m: number, k: number) => b * sa + (d.transA ? k * M + m : m * K + k);
  const bi = (b: number, k: number, n: number) => b * sb + (d.transB ? n * K + k : k * N + n);
  return { nb, M, N, K, ai, bi };
}

/** out[nb, M, N] (contiguous) = gelu?(op(A_b) @ op(B_b) + bias) for each batch b. */
export function matmulForwardRef(
  inp: Float64Array, // A: [nb?, M, K] or [nb?, K, M] (transA), batches strideA apart
  weight: Float64Array, // B: [nb?, K, N] or [nb?, N, K] (transB), batches strideB apart
  bias: Float64Array | null, // [N]
  dims: MatmulRefDims,
): Float64Array {
  const { nb, M, N, K, ai, bi } = refLayout(dims);
  const out = new Float64Array(nb * M * N); // [nb, M, N]
  for (let b = 0; b < nb; b++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let s = bias ? bias[n]! : 0;
        for (let k = 0; k < K; k++) s += inp[ai(b, m, k)]! * weight[bi(b, k, n)]!;
        out[(b * M + m) * N + n] = s;
      }
    }
  }
  return dims.gelu ? geluForwardRef(out) : out;
}

/**
 * Gradients of sum(out * dout) with respect to inp, weight and bias (null when there is no bias).
 * Each gradient has its input's length; a broadcast operand (stride 0) sums over the batch.
 */
export function matmulBackwardRef(
  dout: Float64Array, // [nb, M, N]
  inp: Float64Array, // as in matmulForwardRef
  weight: Float64Array,
  bias: Float64Array | null, // [N]
  dims: MatmulRefDims,
): { dinp: Float64Array; dweight: Float64Array; dbias: Float64Array | null } {
  const { nb, M, N, K, ai, bi } = refLayout(dims);
  // Through the GELU: d pre = dout * gelu'(pre), with pre recomputed in float64.
  const dpre = dims.gelu ? geluBackwardRef(matmulForwardRef(inp, weight, bias, { ...dims, gelu: false }), dout) : dout;
  const dinp = new Float64Array(inp.length);
  const dweight = new Float64Array(weight.length);
  const dbias = bias ? new Float64Array(bias.length) : null;
  for (let b = 0; b < nb; b++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const d = dpre[(b * M + m) * N + n]!;
        if (dbias) dbias[n]! += d;
        for (let k = 0; k < K; k++) {
          dinp[ai(b, m, k)]! += d * weight[bi(b, k, n)]!;
          dweight[bi(b, k, n)]! += d * inp[ai(b, m, k)]!;
        }
      }
    }
  }
  return { dinp, dweight, dbias };
}

// ---- graph op ----------------------------------------------------------------------------------------

export interface MatmulOptions {
  bias?: Tensor;
  gelu?: boolean;
  transA?: boolean;
  transB?: boolean;
  /** Force a variant for every dispatch of this op (tests, benchmarks); default: per shape. */
  variant?: MatmulVariant;
  name?: string;
}

interface Operand {
  batched: boolean;
  rows: number; // stored rows of one batch matrix
  cols: number;
}

/** A 2-D operand is shared by every batch; a 3-D one is [nb, rows, cols]. */
function operand(t: Tensor, what: string): Operand {
  const s = t.shape;
  if (s.length === 2) return { batched: false, rows: s[0]!, cols: s[1]! };
  if (s.length === 3) return { batched: true, rows: s[1]!, cols: s[2]! };
  throw new Error(`matmul: ${what} ${t} must be 2-D or 3-D`);
}

/**
 * out = gelu?(op(inp) @ op(weight) + bias), recorded with its backward.
 * - weight 2-D and no transA: inp [..., K] is M = prod(...) rows; weight [K, N] ([N, K] with transB);
 *   out [..., N]. This is Conv1D (x @ W + b) and, with transB, the tied LM head (h @ wte^T).
 * - otherwise batched: inp [nb, M, K] or [M, K] (shared), [.., K, M] with transA; weight [nb, K, N] or
 *   [K, N] (shared), [.., N, K] with transB; out [nb, M, N] ([M, N] when neither is batched).
 */
export function matmul(g: Graph, inp: Tensor, weight: Tensor, options: MatmulOptions = {}): Tensor {
  const { bias, variant } = options;
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  const w = operand(weight, 'weight');
  const [K, N] = transB ? [w.cols, w.rows] : [w.rows, w.cols];
  let M: number;
  let a: Operand;
  let outShape: number[];
  if (!w.batched && !transA) {
    if (inp.shape.at(-1) !== K) throw new Error(`matmul: ${inp} does not end in K = ${K} (weight ${weight})`);
    M = inp.size / K;
    a = { batched: false, rows: M, cols: K };
    outShape = [...inp.shape.slice(0, -1), N];
  } else {
    a = operand(inp, 'inp');
    const aK = transA ? a.rows : a.cols;
    if (aK !== K) throw new Error(`matmul: inner dimensions differ: ${inp} and ${weight}`);
    M = transA ? a.cols : a.rows;
    outShape = [M, N];
  }
  let nb = 1;
  if (a.batched || w.batched) {
    const nbs = [a.batched ? inp.shape[0]! : 0, w.batched ? weight.shape[0]! : 0].filter((v) => v > 0);
    if (nbs.length === 2 && nbs[0] !== nbs[1]) throw new Error(`matmul: batch counts differ: ${inp}, ${weight}`);
    nb = nbs[0]!;
    outShape = [nb, M, N];
  }
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== N)) throw new Error(`matmul: bias ${bias} is not [${N}]`);

  const name = options.name ?? `matmul(${inp.name}, ${weight.name})`;
  const requiresGrad = inp.requiresGrad || weight.requiresGrad || (bias?.requiresGrad ?? false);
  const out = g.activation(name, outShape, requiresGrad);
  const storePreact = (options.gelu ?? false) && requiresGrad;
  const preact = storePreact ? g.activation(`${name}.preact`, outShape, false) : undefined;
  const strideA = a.batched ? M * K : 0;
  const strideB = w.batched ? K * N : 0;
  const strideC = M * N;
  matmulDispatch(
    g,
    { a: inp, b: weight, out, bias, preact },
    { M, N, K, nb, transA, transB, strideA, strideB, strideC, gelu: options.gelu },
    { variant, label: name },
  );

  if (preact) {
    // Backward needs gelu(preact) only as the next layer's input (for its weight gradient): recompute it
    // there from the stored pre-activation instead of keeping this [.., N] output alive through the step.
    g.recomputeInBackward(out, (into) =>
      g.dispatch(GELU_FORWARD, { inp: preact, out: into }, { n: out.size }, threadGrid(GELU_FORWARD, out.size)),
    );
  }
  g.onBackward([out], () => {
    let dy = g.grad(out); // [nb, M, N]
    if (preact) {
      const dpre = g.activation(`${name}.dpreact`, outShape, false);
      const groups = threadGrid(GELU_BACKWARD, out.size);
      g.dispatch(GELU_BACKWARD, { inp: preact, dout: dy, dinp: dpre }, { n: out.size, accumulate: 0 }, groups);
      dy = dpre;
    }
    const opts = { variant, label: `${name}.backward` };
    if (bias?.requiresGrad) {
      const { grad, accumulate } = g.gradWrite(bias);
      matmulBiasBackwardDispatch(g, dy, grad, { M, N, nb, strideC }, accumulate);
    }
    if (inp.requiresGrad) {
      const { grad: dinp, accumulate } = g.gradWrite(inp);
      const reduceBatch = nb > 1 && strideA === 0;
      const common = { nb, strideC: strideA, reduceBatch, accumulate };
      if (!transA) {
        // dA[M, K] = dY[M, N] @ op(B)^T
        const dims = { M, N: K, K: N, transA: false, transB: !transB, strideA: strideC, strideB };
        matmulDispatch(g, { a: dy, b: weight, out: dinp }, { ...dims, ...common }, opts);
      } else {
        // A is stored [K, M]: dA = op(B)[K, N] @ dY^T
        const dims = { M: K, N: M, K: N, transA: transB, transB: true, strideA: strideB, strideB: strideC };
        matmulDispatch(g, { a: weight, b: dy, out: dinp }, { ...dims, ...common }, opts);
      }
    }
    if (weight.requiresGrad) {
      const { grad: dweight, accumulate } = g.gradWrite(weight);
      const reduceBatch = nb > 1 && strideB === 0;
      const common = { nb, strideC: strideB, reduceBatch, accumulate };
      // The weight gradient's K is the rows of A and dY; both are stored with it outermost unless A is transposed.
      const [wM, wN] = transB ? [N, K] : [K, N];
      const slices = g.options.splitK && nb === 1 && !transA ? splitKSlices(wM, wN, M) : 1;
      if (slices > 1) {
        // dB = op(A)^T @ dY (or dY^T @ A when B is stored [N, K]), over K = M rows in fixed-order slices.
        const [a, b] = transB ? [dy, inp] : [inp, dy];
        matmulSplitKDispatch(g, { a, b, out: dweight }, { M: wM, N: wN, K: M, accumulate }, slices, opts);
      } else if (!transB) {
        // dB[K, N] = op(A)^T @ dY
        const dims = { M: K, N, K: M, transA: !transA, transB: false, strideA, strideB: strideC };
        matmulDispatch(g, { a: inp, b: dy, out: dweight }, { ...dims, ...common }, opts);
      } else {
        // B is stored [N, K]: dB = dY^T @ op(A)
        const dims = { M: N, N: K, K: M, transA: true, transB: transA, strideA: strideC, strideB: strideA };
        matmulDispatch(g, { a: dy, b: inp, out: dweight }, { ...dims, ...common }, opts);
      }
    }
  });
  return out;
}
