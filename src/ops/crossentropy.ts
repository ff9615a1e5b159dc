// Softmax cross-entropy (the classifier end of the LM head and of the fine-tuning heads): float64 CPU
// references, the kernel specs, per-chunk dispatch recorders for the chunked LM head, and graph ops for
// the whole-logits case. Kernels: shaders/crossentropy.wgsl.
//
// Rows whose target is not a class (target >= V; canonically IGNORE_INDEX, HF's -100) have loss 0,
// gradient 0, and do not count in the mean. With no valid row at all the mean is 0, not NaN.
//
// How the LM head composes these (per training step; N = B*T rows, chunks of R rows):
//   1. crossEntropyRowDloss(targets, dmean -> dloss [N])   needs only targets: no wait on the losses
//   2. for each chunk at row offset o:
//        logits [R, Vp] = h[o:o+R] @ wte^T                   (matmul op)
//        crossEntropyForwardChunk(logits -> losses[o:o+R], lse[o:o+R])
//        crossEntropyBackwardChunk(logits, dloss -> dlogits) (in place: dlogits overwrite the logits)
//        matmul backward from dlogits
//   3. crossEntropyMeanDispatch(losses -> mean [1], count [1])
import type { Graph } from '../runtime/graph.ts';
import { type Grid, threadGrid, workgroups1d } from '../runtime/grid.ts';
import { type KernelSpec, kernel } from '../runtime/kernel.ts';
import { assertShape, type Tensor } from '../runtime/tensor.ts';

/** The ignore index: a target of 0xFFFFFFFF (any target >= V, in fact) marks a row without a target. */
export const IGNORE_INDEX = 0xffffffff;

const SHADER = 'crossentropy.wgsl';
export const CROSSENTROPY_FORWARD = kernel(SHADER, 'crossentropy_forward', ['logits', 'targets', 'losses', 'lse']);
export const CROSSENTROPY_FORWARD_ROWWISE = kernel(SHADER, 'crossentropy_forward_rowwise', [
  'logits',
  'targets',
  'losses',
  'lse',
]);
export const CROSSENTROPY_BACKWARD = kernel(SHADER, 'crossentropy_backward', [
  'logits',
  'targets',
  'lse_in',
  'dloss',
  'dlogits',
]);
export const CROSSENTROPY_BACKWARD_INPLACE = kernel(SHADER, 'crossentropy_backward_inplace', [
  'targets',
  'lse_in',
  'dloss',
  'dlogits',
]);
export const CROSSENTROPY_BACKWARD_ROWWISE = kernel(SHADER, 'crossentropy_backward_rowwise', [
  'logits',
  'targets',
  'lse_in',
  'dloss',
  'dlogits',
]);
export const CROSSENTROPY_BACKWARD_INPLACE_ROWWISE = kernel(SHADER, 'crossentropy_backward_inplace_rowwise', [
  'targets',
  'lse_in',
  'dloss',
  'dlogits',
]);
export const CROSSENTROPY_MEAN = kernel(SHADER, 'crossentropy_mean', ['losses_in', 'targets', 'mean_loss', 'count']);
export const CROSSENTROPY_ROW_DLOSS = kernel(SHADER, 'crossentropy_row_dloss', ['targets', 'dmean', 'dloss_out']);

// ---------------------------------------------------------------------------------------------------
// float64 references (plain loops, llm.c's crossentropy_forward / crossentropy_softmax_backward)

/** Per-row loss and logsumexp. Columns V..Vp-1 of each row are ignored. */
export function crossentropyForwardRef(
  logits: Float64Array, // [N, Vp]
  targets: Uint32Array, // [N]
  N: number,
  V: number,
  Vp: number,
): { losses: Float64Array; lse: Float64Array } {
  const losses = new Float64Array(N); // [N]
  const lse = new Float64Array(N); // [N]
  for (let r = 0; r < N; r++) {
    const row = logits.subarray(r * Vp, r * Vp + V);
    let m = Number.NEGATIVE_INFINITY;
    for (const x of row) m = Math.max(m, x);
    let s = 0;
    for (const x of row) s += Math.exp(x - m);
    lse[r] = m + Math.log(s);
    const t = targets[r]!;
    losses[r] = t < V ? lse[r]! - row[t]! : 0;
  }
  return { losses, lse };
}

/** dlogits = dloss * (softmax(logits) - onehot(target)); 0 for ignored rows and padding columns. */
export function crossentropyBackwardRef(
  logits: Float64Array, // [N, Vp]
  targets: Uint32Array, // [N]
  dloss: Float64Array, // [N]
  N: number,
  V: number,
  Vp: number,
): Float64Array {
  const { lse } = crossentropyForwardRef(logits, targets, N, V, Vp);
  const dlogits = new Float64Array(N * Vp); // [N, Vp]
  for (let r = 0; r < N; r++) {
    const t = targets[r]!;
    if (t >= V) continue;
    for (let v = 0; v < V; v++) {
      const p = Math.exp(logits[r * Vp + v]! - lse[r]!);
      dlogits[r * Vp + v] = dloss[r]! * (p - (v === t ? 1 : 0));
    }
  }
  return dlogits;
}

/** Mean of the losses over valid rows (0 when there is none), and the number of valid rows. */
export function crossentropyMeanRef(
  losses: Float64Array, // [N]
  targets: Uint32Array, // [N]
  V: number,
): { mean: number; count: number } {
  let sum = 0;
  let count = 0;
  losses.forEach((loss, i) => {
    if (targets[i]! < V) {
      sum += loss;
      count++;
    }
  });
  return { mean: count > 0 ? sum / count : 0, count };
}

/** Backward of the mean: dloss[r] = scale * dmean / count for valid rows, 0 otherwise. */
export function crossentropyRowDlossRef(targets: Uint32Array /* [N] */, V: number, dmean: number, scale = 1) {
  let count = 0;
  for (const t of targets) if (t < V) count++;
  return Float64Array.from(targets, (t) => (t < V ? (scale * dmean) / count : 0)); // [N]
}

// ---------------------------------------------------------------------------------------------------
// Dispatch recorders (the building blocks of the chunked LM head)

/**
 * How forward and backward cover a row: one workgroup (WG threads) per row (the forward's reductions are
 * trees with barriers), or one thread per row (sequential loops, no barriers). mean/row_dloss are the
 * same either way (one workgroup over the N rows: ~1 ms on SwiftShader even at N = 4096).
 */
export type CrossEntropyVariant = 'workgroup' | 'rowwise';

/**
 * Longest row (V) that gets the rowwise kernels by default. On SwiftShader (CPU WebGPU: tests, CI) the
 * workgroup forward's 20 barriers cost ~0.4 ms per row whatever V is, and rowwise was faster at every
 * length measured (256 rows: V = 66 0.2 ms vs 100 ms, V = 768 2.4 ms vs 107 ms; the in-place backward
 * 0.2 ms vs 1.6 ms at V = 66), so the bound is set for real GPUs: there one thread walking a long row
 * serially (GPT-1's V = 40,478, in LM-head chunks of a few hundred rows) starves the GPU, while below
 * 256 the workgroup variant's own threads are partly idle. 256 also covers the tiny preset's byte vocab.
 */
export const CROSSENTROPY_ROWWISE_MAX_V = 256;

/** The variant for rows of V classes (`variant` forces one, for tests and benchmarks). */
export function crossEntropyVariant(V: number, variant?: CrossEntropyVariant): CrossEntropyVariant {
  return variant ?? (V <= CROSSENTROPY_ROWWISE_MAX_V ? 'rowwise' : 'workgroup');
}

/** R rows: one invocation each (rowwise kernels) or one workgroup each. */
function rowGrid(spec: KernelSpec, R: number, rowwise: boolean): Grid {
  return rowwise ? threadGrid(spec, R) : workgroups1d(R, 1);
}

export interface ChunkArgs {
  logits: Tensor; // [R, Vp]
  targets: Tensor; // [N] u32, batch-wide
  /** Classes; columns V..Vp-1 of the logits are padding. Defaults to Vp. */
  V?: number;
  /** Batch row of this chunk's row 0. */
  rowOffset?: number;
  /** Forward/backward kernels; by default rowwise for V <= CROSSENTROPY_ROWWISE_MAX_V (crossEntropyVariant). */
  variant?: CrossEntropyVariant;
}

interface ChunkDims {
  R: number;
  V: number;
  Vp: number;
  N: number;
  row_offset: number;
}

function chunkDims(args: ChunkArgs, where: string): ChunkDims {
  const { logits, targets } = args;
  if (logits.shape.length !== 2) throw new Error(`${where}: logits ${logits} must be [R, Vp]`);
  const [R, Vp] = logits.shape as [number, number];
  const V = args.V ?? Vp;
  const rowOffset = args.rowOffset ?? 0;
  if (targets.shape.length !== 1 || targets.dtype !== 'u32')
    throw new Error(`${where}: targets ${targets} must be [N] u32`);
  const N = targets.shape[0]!;
  if (!Number.isInteger(V) || V < 1 || V > Vp) throw new Error(`${where}: need 1 <= V (${V}) <= Vp (${Vp})`);
  if (!Number.isInteger(rowOffset) || rowOffset < 0 || rowOffset + R > N) {
    throw new Error(`${where}: rows ${rowOffset}..${rowOffset + R} of a chunk do not fit the ${N} batch rows`);
  }
  return { R, V, Vp, N, row_offset: rowOffset };
}

/** Forward of one chunk: losses[o + r] and lse[o + r] for its R rows (losses, lse: [N]). */
export function crossEntropyForwardChunk(g: Graph, args: ChunkArgs & { losses: Tensor; lse: Tensor }): void {
  const { R, V, Vp, N, row_offset } = chunkDims(args, 'crossEntropyForwardChunk');
  assertShape(args.losses, [N], 'crossEntropyForwardChunk');
  assertShape(args.lse, [N], 'crossEntropyForwardChunk');
  const rowwise = crossEntropyVariant(V, args.variant) === 'rowwise';
  const spec = rowwise ? CROSSENTROPY_FORWARD_ROWWISE : CROSSENTROPY_FORWARD;
  g.dispatch(
    spec,
    { logits: args.logits, targets: args.targets, losses: args.losses, lse: args.lse },
    { R, V, Vp, row_offset },
    rowGrid(spec, R, rowwise),
    { label: `crossentropy_forward${rowwise ? '_rowwise' : ''} rows ${row_offset}+${R}` },
  );
}

/**
 * Backward of one chunk: dlogits [R, Vp] from dloss [N] (rows o..o+R) and the forward's lse [N].
 * Without `dlogits` it runs in place: the logits tensor is overwritten by its gradient (bound once, as
 * the read_write `dlogits`), so the chunk needs no second [R, Vp] buffer; the logits are gone afterwards
 * and the Graph's grad(logits) is not involved (the caller treats the logits tensor as dlogits). WebGPU
 * checks usage per whole buffer, so the logits must not share a buffer with the dispatch's read-only
 * tensors: an activation (pooled in its own buffer) is fine; an input beside the targets is not.
 * With a separate `dlogits`, `accumulate` (default 0) chooses overwrite or add.
 */
export function crossEntropyBackwardChunk(
  g: Graph,
  args: ChunkArgs & { lse: Tensor; dloss: Tensor; dlogits?: Tensor; accumulate?: 0 | 1 },
): void {
  const { R, V, Vp, N, row_offset } = chunkDims(args, 'crossEntropyBackwardChunk');
  assertShape(args.lse, [N], 'crossEntropyBackwardChunk');
  assertShape(args.dloss, [N], 'crossEntropyBackwardChunk');
  const common = { targets: args.targets, lse_in: args.lse, dloss: args.dloss };
  const rowwise = crossEntropyVariant(V, args.variant) === 'rowwise';
  const label = `crossentropy_backward${rowwise ? '_rowwise' : ''} rows ${row_offset}+${R}`;
  if (!args.dlogits) {
    if (args.accumulate) throw new Error('crossEntropyBackwardChunk: in place cannot accumulate');
    const params = { R, V, Vp, row_offset };
    const spec = rowwise ? CROSSENTROPY_BACKWARD_INPLACE_ROWWISE : CROSSENTROPY_BACKWARD_INPLACE;
    const grid = rowGrid(spec, R, rowwise);
    g.dispatch(spec, { ...common, dlogits: args.logits }, params, grid, { label: `${label} (in place)` });
    return;
  }
  assertShape(args.dlogits, [R, Vp], 'crossEntropyBackwardChunk');
  if (args.dlogits === args.logits) throw new Error('crossEntropyBackwardChunk: for in place, omit dlogits');
  const spec = rowwise ? CROSSENTROPY_BACKWARD_ROWWISE : CROSSENTROPY_BACKWARD;
  g.dispatch(
    spec,
    { ...common, logits: args.logits, dlogits: args.dlogits },
    { R, V, Vp, row_offset, accumulate: args.accumulate ?? 0 },
    rowGrid(spec, R, rowwise),
    { label },
  );
}

/** mean [1] and count [1] of the valid rows of losses [N] (one workgroup, fixed order). */
export function crossEntropyMeanDispatch(
  g: Graph,
  args: { losses: Tensor; targets: Tensor; mean: Tensor; count: Tensor; V: number },
): void {
  const N = args.losses.size;
  assertShape(args.targets, [N], 'crossEntropyMeanDispatch');
  assertShape(args.mean, [1], 'crossEntropyMeanDispatch');
  assertShape(args.count, [1], 'crossEntropyMeanDispatch');
  g.dispatch(
    CROSSENTROPY_MEAN,
    { losses_in: args.losses, targets: args.targets, mean_loss: args.mean, count: args.count },
    { N, V: args.V },
    [1],
  );
}

/** dloss [N] (+)= scale * dmean[0] / count on valid rows, 0 on ignored ones (one workgroup). */
export function crossEntropyRowDloss(
  g: Graph,
  args: { targets: Tensor; dmean: Tensor; dloss: Tensor; V: number; scale?: number; accumulate?: 0 | 1 },
): void {
  const N = args.targets.size;
  assertShape(args.dmean, [1], 'crossEntropyRowDloss');
  assertShape(args.dloss, [N], 'crossEntropyRowDloss');
  g.dispatch(
    CROSSENTROPY_ROW_DLOSS,
    { targets: args.targets, dmean: args.dmean, dloss_out: args.dloss },
    { N, V: args.V, scale: args.scale ?? 1, accumulate: args.accumulate ?? 0 },
    [1],
  );
}

// ---------------------------------------------------------------------------------------------------
// Graph ops (whole logits [N, Vp] at once: fine-tuning heads, small vocabularies, tests)

/** Per-row losses [N] of logits [N, Vp] (V classes); backward writes grad(logits) from grad(losses). */
export function crossEntropyLosses(
  g: Graph,
  logits: Tensor, // [N, Vp]
  targets: Tensor, // [N] u32
  V?: number,
  variant?: CrossEntropyVariant,
): { losses: Tensor; lse: Tensor } {
  const N = targets.size;
  if (logits.shape[0] !== N) throw new Error(`crossEntropyLosses: ${logits} has not one row per target (${N})`);
  const losses = g.activation(`ce_losses(${logits.name})`, [N], logits.requiresGrad); // [N]
  const lse = g.activation(`ce_lse(${logits.name})`, [N], false); // [N]
  crossEntropyForwardChunk(g, { logits, targets, V, losses, lse, variant });
  g.onBackward([losses], () => {
    if (!logits.requiresGrad) return;
    const { grad: dlogits, accumulate } = g.gradWrite(logits);
    const dloss = g.grad(losses); // [N]
    crossEntropyBackwardChunk(g, { logits, targets, V, lse, dloss, dlogits, accumulate, variant });
  });
  return { losses, lse };
}

/** Mean [1] of the valid rows of losses [N], and their count [1]; backward writes grad(losses). */
export function crossEntropyMean(
  g: Graph,
  losses: Tensor, // [N]
  targets: Tensor, // [N] u32
  V: number,
): { mean: Tensor; count: Tensor } {
  const mean = g.activation(`ce_mean(${losses.name})`, [1], losses.requiresGrad); // [1]
  const count = g.activation(`ce_count(${losses.name})`, [1], false); // [1]
  crossEntropyMeanDispatch(g, { losses, targets, mean, count, V });
  g.onBackward([mean], () => {
    if (!losses.requiresGrad) return;
    const { grad: dloss, accumulate } = g.gradWrite(losses);
    crossEntropyRowDloss(g, { targets, dmean: g.grad(mean), dloss, V, accumulate });
  });
  return { mean, count };
}

/** Softmax cross-entropy of logits [N, Vp] against targets [N]: per-row losses and their mean. */
export function crossEntropy(
  g: Graph,
  logits: Tensor, // [N, Vp]
  targets: Tensor, // [N] u32
  options: { V?: number; variant?: CrossEntropyVariant } = {},
): { losses: Tensor; mean: Tensor; count: Tensor } {
  const V = options.V ?? logits.shape[1]!;
  const { losses } = crossEntropyLosses(g, logits, targets, V, options.variant);
  return { losses, ...crossEntropyMean(g, losses, targets, V) };
}
