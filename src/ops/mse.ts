// Weighted mean squared error (the regression head's loss, STS-B): float64 CPU reference and the graph op.
// Kernel: shaders/mse.wgsl. Row weights let a fixed-shape batch carry padding slots (weight 0) that count
// neither in the sum nor in the mean's denominator, as the cross-entropy's ignore index does for classes.
//
// Why an op and not a composition: the existing ops have no subtraction, square or masked mean, and the
// loss is two tiny one-workgroup kernels whose reductions are fixed-order (deterministic) like the rest.
import type { Graph } from '../runtime/graph.ts';
import { kernel } from '../runtime/kernel.ts';
import { assertShape, type Tensor } from '../runtime/tensor.ts';

export const MSE_FORWARD = kernel('mse.wgsl', 'mse_forward', ['inp', 'targets', 'weights', 'out']);
export const MSE_BACKWARD = kernel('mse.wgsl', 'mse_backward', ['inp', 'targets', 'weights', 'dout', 'dinp']);

/** sum_i w_i (p_i - y_i)^2 / sum_i w_i, or 0 when the weights sum to 0. */
export function mseForwardRef(
  inp: Float64Array, // [N]
  targets: Float64Array, // [N]
  weights: Float64Array, // [N]
): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < inp.length; i++) {
    const d = inp[i]! - targets[i]!;
    s += weights[i]! * d * d;
    w += weights[i]!;
  }
  return w > 0 ? s / w : 0;
}

/** dinp_i = dout * 2 w_i (p_i - y_i) / sum_i w_i (0 when the weights sum to 0). */
export function mseBackwardRef(
  inp: Float64Array, // [N]
  targets: Float64Array, // [N]
  weights: Float64Array, // [N]
  dout: number,
): Float64Array {
  let w = 0;
  for (const x of weights) w += x;
  const scale = w > 0 ? (2 * dout) / w : 0;
  return inp.map((p, i) => scale * weights[i]! * (p - targets[i]!)); // [N]
}

/**
 * Records the weighted mean [1] of (inp - targets)^2; inp any shape of N values, targets and weights [N] f32
 * (host-written inputs). Backward writes grad(inp) from grad(mean).
 */
export function mse(g: Graph, inp: Tensor, targets: Tensor, weights: Tensor): Tensor {
  const N = inp.size;
  assertShape(targets, [N], 'mse');
  assertShape(weights, [N], 'mse');
  if (inp.dtype !== 'f32' || targets.dtype !== 'f32' || weights.dtype !== 'f32') throw new Error('mse: f32 only');
  const out = g.activation(`mse(${inp.name})`, [1], inp.requiresGrad); // [1]
  g.dispatch(MSE_FORWARD, { inp, targets, weights, out }, { N }, [1]);
  g.onBackward([out], () => {
    if (!inp.requiresGrad) return;
    const { grad: dinp, accumulate } = g.gradWrite(inp);
    g.dispatch(MSE_BACKWARD, { inp, targets, weights, dout: g.grad(out), dinp }, { N, accumulate }, [1]);
  });
  return out;
}
