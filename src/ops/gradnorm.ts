// Global gradient norm and clip scale (PyTorch's torch.nn.utils.clip_grad_norm_): float64 CPU references, and the
// op that records the two-pass GPU reduction. Kernel: shaders/gradnorm.wgsl.
// The clip scale goes into the optimizer's opt_state tensor (slot OPT_STATE.clipScale of ./adamw.ts), where AdamW
// multiplies it into each gradient: the clipped gradients are never materialised.
import { shaderInteger } from '../gpu/shader-constants.ts';
import type { Graph } from '../runtime/graph.ts';
import { workgroups1d } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import type { Tensor } from '../runtime/tensor.ts';

/** Workgroup size of both passes, and elements each thread of pass 1 sums (WG and ITEMS in gradnorm.wgsl). */
export const GRADNORM_WG = shaderInteger('gradnorm.wgsl', 'WG');
export const GRADNORM_ITEMS = shaderInteger('gradnorm.wgsl', 'ITEMS');
/** Elements per partial sum (CHUNK): fixed, so the partial sums never depend on the device. */
export const GRADNORM_CHUNK = shaderInteger('gradnorm.wgsl', 'CHUNK');
/** PyTorch's clip_grad_norm_ adds this to the norm before dividing. */
export const CLIP_EPS = 1e-6;

export const GRADNORM_PARTIALS = kernel('gradnorm.wgsl', 'gradnorm_partials', ['grad', 'partials']);
export const GRADNORM_REDUCE = kernel('gradnorm.wgsl', 'gradnorm_reduce', ['partials_in', 'norm', 'opt_state']);

/** sqrt(sum of squares) over all gradient tensors (float64). */
export function gradNormRef(grads: readonly Float64Array[]): number {
  let sum = 0;
  for (const grad of grads) {
    for (let i = 0; i < grad.length; i++) sum += grad[i]! * grad[i]!;
  }
  return Math.sqrt(sum);
}

/** The factor clip_grad_norm_ multiplies gradients by: min(1, maxNorm / (norm + 1e-6)). */
export function clipScaleRef(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + CLIP_EPS));
}

/** Partial sums a gradient of `n` elements contributes. */
export function gradNormPartials(n: number): number {
  return Math.ceil(n / GRADNORM_CHUNK);
}

export interface GradNormOptions {
  /** Clip threshold; undefined leaves the clip scale at 1 (the norm is still computed, e.g. for logging). */
  maxNorm?: number;
}

export interface GradNorm {
  /** [1] the global L2 norm of all gradients (before clipping); kept across steps for async readback. */
  norm: Tensor;
  /** [sum of ceil(n_i / GRADNORM_CHUNK)] per-workgroup sums of squares; scratch (an activation, so that it never
   * shares a buffer with `norm`: one dispatch may not read and write the same buffer). */
  partials: Tensor;
}

/**
 * Records the global norm of `grads` into norm[0] and the clip scale into opt_state[3]. Must be recorded after
 * backward has written every gradient and before the optimizer reads opt_state.
 */
export function gradNorm(
  g: Graph,
  grads: readonly Tensor[],
  optState: Tensor,
  options: GradNormOptions = {},
): GradNorm {
  if (grads.length === 0) throw new Error('gradNorm: no gradients');
  const { maxNorm } = options;
  if (maxNorm !== undefined && !(maxNorm > 0)) throw new Error(`gradNorm: maxNorm must be positive, got ${maxNorm}`);
  const counts = grads.map((grad) => gradNormPartials(grad.size));
  const total = counts.reduce((a, b) => a + b, 0);
  const partials = g.activation('gradnorm.partials', [total], false); // [total]
  const norm = g.state('gradnorm.norm', [1]); // [1]
  let offset = 0;
  grads.forEach((grad, i) => {
    g.dispatch(
      GRADNORM_PARTIALS,
      { grad, partials },
      { n: grad.size, offset },
      workgroups1d(grad.size, GRADNORM_CHUNK),
      { label: `gradnorm_partials(${grad.name})` },
    );
    offset += counts[i]!;
  });
  g.dispatch(
    GRADNORM_REDUCE,
    { partials_in: partials, norm, opt_state: optState },
    { count: total, max_norm: maxNorm ?? 0, clip: maxNorm === undefined ? 0 : 1 },
    [1],
  );
  return { norm, partials };
}
