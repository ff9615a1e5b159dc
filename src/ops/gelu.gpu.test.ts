// GELU on the GPU (gelu_forward, gelu_backward) against the float64 reference.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { evalGraph, withBackward } from '../../test-support/gpu-graph.ts';
import { expectClose, f32Exact, randn } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { gelu, geluBackwardRef, geluForwardRef } from './gelu.ts';

// f32 evaluation of tanh/pow: a few ulps of relative error on values of order 1, plus absolute
// error near zero where gelu(x) ~ x/2 and cancellation in (1 + tanh) for very negative x.
const TOL = { atol: 2e-6, rtol: 2e-6 };

describe('gelu kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  for (const n of [1, 7, 256, 1000]) {
    it(`forward and backward match the reference, n = ${n}`, async () => {
      const x = f32Exact(randn(n, n, 3));
      const dout = f32Exact(randn(n, n + 1));
      const r = await evalGraph(ctx, (g) => {
        const inp = g.param('x', [n]);
        const out = gelu(g, inp);
        return { inputs: [[inp, x], withBackward(g, out, dout)], outputs: { out, dinp: g.grad(inp) } };
      });
      expectClose(r.out!, geluForwardRef(x), TOL, 'gelu_forward');
      expectClose(r.dinp!, geluBackwardRef(x, dout), TOL, 'gelu_backward');
    });
  }

  it('stays finite and exact at the tails (|x| up to 80)', async () => {
    const x = Float64Array.of(-80, -20, -10, 10, 20, 80);
    const r = await evalGraph(ctx, (g) => {
      const inp = g.param('x', [6]);
      const out = gelu(g, inp);
      return { inputs: [[inp, x]], outputs: { out } };
    });
    expectClose(r.out!, geluForwardRef(x), TOL, 'gelu tails');
  });

  it('accumulates into a gradient used twice (x feeds two gelus)', async () => {
    const n = 33;
    const x = f32Exact(randn(n, 5));
    const d1 = f32Exact(randn(n, 6));
    const r = await evalGraph(ctx, (g) => {
      const inp = g.param('x', [n]);
      const a = gelu(g, inp);
      const b = gelu(g, inp);
      // Loss = sum(a * d1) + sum(b * d1): seed both outputs from one upstream tensor.
      const dout = g.input('d1', [n]);
      g.backward(a, ({ grad, accumulate }) => {
        scale(g, dout, grad, accumulate);
        scale(g, dout, g.gradWrite(b).grad, 0);
      });
      return {
        inputs: [
          [inp, x],
          [dout, d1],
        ],
        outputs: { dinp: g.grad(inp) },
      };
    });
    const once = geluBackwardRef(x, d1);
    expectClose(
      r.dinp!,
      once.map((v) => 2 * v),
      TOL,
      'accumulated dinp',
    );
  });
});

import type { Graph } from '../runtime/graph.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { scaleCopy } from './fill.ts';

function scale(g: Graph, from: Tensor, to: Tensor, accumulate: 0 | 1): void {
  scaleCopy(g, from, to, 1, accumulate);
}
