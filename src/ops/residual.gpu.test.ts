// Residual on the GPU (residual_forward, residual_backward, residual_backward_one) against the float64
// reference: both inputs needing gradients, one of them, the same tensor on both sides, and accumulation.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { evalGraph, withBackward } from '../../test-support/gpu-graph.ts';
import { expectClose, f32Exact, randn } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { seedFrom } from './fill.ts';
import { residual, residualBackwardRef, residualForwardRef } from './residual.ts';

// One correctly rounded f32 addition of f32 inputs: |error| <= 2^-24 |exact result|. A gradient that is
// a copy of dout is exact; one that adds two contributions is one more correctly rounded addition.
const TOL = { atol: 0, rtol: 2 ** -24 };
const EXACT = { atol: 0, rtol: 0 };

/**
 * A k-term f32 sum computed left to right: |error| <= (k - 1) 2^-24 sum|terms| + O(2^-48); k 2^-24 covers
 * both. Elementwise terms, so the bound takes the largest sum|terms| over elements.
 */
function sumTolerance(terms: Float64Array[]) {
  const n = terms[0]!.length;
  let worst = 0;
  for (let i = 0; i < n; i++)
    worst = Math.max(
      worst,
      terms.reduce((s, t) => s + Math.abs(t[i]!), 0),
    );
  return { atol: terms.length * 2 ** -24 * worst, rtol: 0 };
}

describe('residual kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  for (const n of [1, 7, 256, 1000]) {
    it(`forward and backward (both inputs) match the reference, n = ${n}`, async () => {
      const a = f32Exact(randn(n, n, 3));
      const b = f32Exact(randn(n, n + 1));
      const dout = f32Exact(randn(n, n + 2));
      const r = await evalGraph(ctx, (g) => {
        const ta = g.param('a', [n]);
        const tb = g.param('b', [n]);
        const out = residual(g, ta, tb);
        return {
          inputs: [[ta, a], [tb, b], withBackward(g, out, dout)],
          outputs: { out, da: g.grad(ta), db: g.grad(tb) },
        };
      });
      const ref = residualBackwardRef(dout);
      expectClose(r.out!, residualForwardRef(a, b), TOL, 'residual_forward');
      expectClose(r.da!, ref.dinp1, EXACT, 'residual_backward dinp1');
      expectClose(r.db!, ref.dinp2, EXACT, 'residual_backward dinp2');
    });
  }

  it('writes only the input that needs a gradient (residual_backward_one)', async () => {
    const n = 33;
    const a = f32Exact(randn(n, 1));
    const b = f32Exact(randn(n, 2));
    const dout = f32Exact(randn(n, 3));
    const r = await evalGraph(ctx, (g) => {
      const ta = g.input('a', [n]); // no gradient
      const tb = g.param('b', [n]);
      const out = residual(g, ta, tb);
      return { inputs: [[ta, a], [tb, b], withBackward(g, out, dout)], outputs: { out, db: g.grad(tb) } };
    });
    expectClose(r.out!, residualForwardRef(a, b), TOL, 'residual_forward');
    expectClose(r.db!, residualBackwardRef(dout).dinp2, EXACT, 'residual_backward_one');
  });

  it('a + a gets both contributions (two single-output dispatches, the second accumulating)', async () => {
    const n = 65;
    const a = f32Exact(randn(n, 4));
    const dout = f32Exact(randn(n, 5));
    const r = await evalGraph(ctx, (g) => {
      const ta = g.param('a', [n]);
      const out = residual(g, ta, ta);
      return { inputs: [[ta, a], withBackward(g, out, dout)], outputs: { out, da: g.grad(ta) } };
    });
    expectClose(r.out!, residualForwardRef(a, a), EXACT, 'a + a'); // doubling is exact
    expectClose(
      r.da!,
      dout.map((d) => 2 * d),
      EXACT,
      'd(a + a)',
    );
  });

  it('accumulates into gradients that already hold a contribution (accumulate1 = accumulate2 = 1)', async () => {
    // x = a + b; y = x + a; z = y + b, with upstream gradients on x and z: backward of z writes da, db
    // first (through y), then the backward of x accumulates into both.
    const n = 257;
    const a = f32Exact(randn(n, 6));
    const b = f32Exact(randn(n, 7));
    const dx = f32Exact(randn(n, 8));
    const dz = f32Exact(randn(n, 9));
    const r = await evalGraph(ctx, (g) => {
      const ta = g.param('a', [n]);
      const tb = g.param('b', [n]);
      const x = residual(g, ta, tb);
      const y = residual(g, x, ta);
      const z = residual(g, y, tb);
      const tdx = g.input('dx', [n]);
      const tdz = g.input('dz', [n]);
      g.backward(z, (w) => {
        seedFrom(g, tdz)(w);
        seedFrom(g, tdx)(g.gradWrite(x));
      });
      return {
        inputs: [
          [ta, a],
          [tb, b],
          [tdx, dx],
          [tdz, dz],
        ],
        outputs: { z, da: g.grad(ta), db: g.grad(tb) },
      };
    });
    // d(a) = dz (via y) + (dx + dz) (via x): the GPU rounds dx + dz, then adds dz. z = ((a + b) + a) + b.
    const da = dz.map((d, i) => d + (dx[i]! + d));
    const z = residualForwardRef(residualForwardRef(residualForwardRef(a, b), a), b);
    expectClose(r.da!, da, sumTolerance([dz, dx, dz]), 'da');
    expectClose(r.db!, da, sumTolerance([dz, dx, dz]), 'db');
    expectClose(r.z!, z, sumTolerance([a, b, a, b]), 'z');
  });
});
