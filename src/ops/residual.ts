// Residual connection: out = a + b. float64 CPU reference, and the graph op that records the forward and a
// backward passing dout into both inputs. Kernel: shaders/residual.wgsl.
import type { Graph } from '../runtime/graph.ts';
import { threadGrid } from '../runtime/grid.ts';
import { kernel } from '../runtime/kernel.ts';
import { assertShape, type Tensor } from '../runtime/tensor.ts';

export const RESIDUAL_FORWARD = kernel('residual.wgsl', 'residual_forward', ['inp1', 'inp2', 'out']);
export const RESIDUAL_BACKWARD = kernel('residual.wgsl', 'residual_backward', ['dout', 'dinp1', 'dinp2']);
export const RESIDUAL_BACKWARD_ONE = kernel('residual.wgsl', 'residual_backward_one', ['dout', 'dinp1']);

/** out = inp1 + inp2, elementwise. */
export function residualForwardRef(
  inp1: Float64Array, // [N]
  inp2: Float64Array, // [N]
): Float64Array {
  return inp1.map((x, i) => x + inp2[i]!);
}

/** d(inp1) = d(inp2) = dout. */
export function residualBackwardRef(dout: Float64Array /* [N] */): { dinp1: Float64Array; dinp2: Float64Array } {
  return { dinp1: Float64Array.from(dout), dinp2: Float64Array.from(dout) };
}

/** Records a + b (same shape). */
export function residual(g: Graph, a: Tensor, b: Tensor): Tensor {
  assertShape(b, a.shape, 'residual');
  const n = a.size;
  const out = g.activation(`residual(${a.name}, ${b.name})`, a.shape, a.requiresGrad || b.requiresGrad); // as a
  g.dispatch(RESIDUAL_FORWARD, { inp1: a, inp2: b, out }, { n }, threadGrid(RESIDUAL_FORWARD, n));
  g.onBackward([out], () => {
    const dout = g.grad(out);
    if (a.requiresGrad && b.requiresGrad && a !== b) {
      const w1 = g.gradWrite(a);
      const w2 = g.gradWrite(b);
      g.dispatch(
        RESIDUAL_BACKWARD,
        { dout, dinp1: w1.grad, dinp2: w2.grad },
        { n, accumulate1: w1.accumulate, accumulate2: w2.accumulate },
        threadGrid(RESIDUAL_BACKWARD, n),
      );
      return;
    }
    // One side needs a gradient, or a + a: one single-output dispatch per contribution.
    for (const t of a === b ? [a, a] : [a, b]) {
      if (!t.requiresGrad) continue;
      const { grad, accumulate } = g.gradWrite(t);
      g.dispatch(
        RESIDUAL_BACKWARD_ONE,
        { dout, dinp1: grad },
        { n, accumulate1: accumulate },
        threadGrid(RESIDUAL_BACKWARD_ONE, n),
      );
    }
  });
  return out;
}
