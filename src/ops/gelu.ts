// GELU (tanh approximation, GPT-1's activation): float64 CPU reference, and the op that records the
// GPU forward and its backward on the graph. Kernel: shaders/gelu.wgsl.
import type { Graph } from '../runtime/graph.ts';
import { threadGrid } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import type { Tensor } from '../runtime/tensor.ts';

const GELU_SCALE = Math.sqrt(2 / Math.PI);

export const GELU_FORWARD = kernel('gelu.wgsl', 'gelu_forward', ['inp', 'out']);
export const GELU_BACKWARD = kernel('gelu.wgsl', 'gelu_backward', ['inp', 'dout', 'dinp']);

/** out = gelu(inp), elementwise. */
export function geluForwardRef(inp: Float64Array): Float64Array {
  return inp.map((x) => 0.5 * x * (1 + Math.tanh(GELU_SCALE * (x + 0.044715 * x ** 3))));
}

/** dinp = dout * gelu'(inp), elementwise. */
export function geluBackwardRef(inp: Float64Array, dout: Float64Array): Float64Array {
  return inp.map((x, i) => {
    const t = Math.tanh(GELU_SCALE * (x + 0.044715 * x ** 3));
    const dgelu = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_SCALE * (1 + 3 * 0.044715 * x * x);
    return dout[i]! * dgelu;
  });
}

/** Records gelu(inp); any shape. */
export function gelu(g: Graph, inp: Tensor): Tensor {
  const out = g.activation(`gelu(${inp.name})`, inp.shape, inp.requiresGrad); // same shape as inp
  g.dispatch(GELU_FORWARD, { inp, out }, { n: inp.size }, threadGrid(GELU_FORWARD, inp.size));
  g.onBackward([out], () => {
    if (!inp.requiresGrad) return;
    const { grad: dinp, accumulate } = g.gradWrite(inp);
    g.dispatch(
      GELU_BACKWARD,
      { inp, dout: g.grad(out), dinp },
      { n: inp.size, accumulate },
      threadGrid(GELU_BACKWARD, inp.size),
    );
  });
  return out;
}
