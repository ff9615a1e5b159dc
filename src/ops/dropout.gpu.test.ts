// Dropout on the GPU (dropout_forward, dropout_backward) against the float64 reference with the mask from
// random.ts: same elements dropped, forward and backward, per seed and stream; p = 0 is the identity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph, withBackward } from '../../test-support/gpu-graph.ts';
import { expectClose, f32Exact, randn, toF32 } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { Graph } from '../runtime/graph.ts';
import { threadGrid } from '../runtime/grid.ts';
import { Program } from '../runtime/program.ts';
import {
  DROPOUT_FORWARD,
  dropout,
  dropoutBackwardRef,
  dropoutForwardRef,
  dropoutMaskRef,
  dropoutSeed,
  setDropoutSeed,
} from './dropout.ts';
import { seedFrom } from './fill.ts';

// out = x * m is one f32 rounding (2^-24 relative); m itself may differ from random.ts's f32 value by up to
// 4 ulp = 4 * 2^-23 relative (see random.gpu.test.ts: WGSL division is specified to 2.5 ulp, and 1 - p is
// rounded differently): 4.5 * 2^-23 in all, relative to the result. Dropped elements are exactly 0. The
// accumulate test uses p = 0.5, whose multiplier 2 is exact, so its sum has one rounding, 2^-24 relative.
const TOL = { atol: 0, rtol: 5 * 2 ** -23 };

/** Kept exactly where the reference keeps: the keep/drop pattern must match bit for bit. */
function expectSamePattern(gpu: ArrayLike<number>, mask: Float64Array, what: string): void {
  for (let i = 0; i < mask.length; i++) {
    if ((gpu[i] === 0) !== (mask[i] === 0)) throw new Error(`${what}: keep/drop differs at [${i}]`);
  }
}

describe('dropout kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  for (const [n, p, seed, stream] of [
    [1, 0.5, 3, 0],
    [7, 0.1, 0xffffffff, 1],
    [1000, 0.1, 12345, 7],
    [777, 0.9, 1, 2],
  ] as const) {
    it(`forward and backward match the reference, n = ${n}, p = ${p}, stream ${stream}`, async () => {
      const x = f32Exact(randn(n, n, 2)); // never exactly 0, so a zero output means dropped
      const dout = f32Exact(randn(n, n + 1));
      const mask = dropoutMaskRef(n, seed, stream, p);
      const r = await evalGraph(ctx, (g) => {
        const inp = g.param('x', [n]);
        const out = dropout(g, inp, p, stream);
        return {
          inputs: [[inp, x], [dropoutSeed(g), [seed]], withBackward(g, out, dout)],
          outputs: { out, dinp: g.grad(inp) },
        };
      });
      expectSamePattern(r.out!, mask, 'dropout_forward');
      expectSamePattern(r.dinp!, mask, 'dropout_backward');
      expectClose(r.out!, dropoutForwardRef(x, mask), TOL, 'dropout_forward');
      expectClose(r.dinp!, dropoutBackwardRef(dout, mask), TOL, 'dropout_backward');
    });
  }

  it('p = 0 is the identity: the op returns its input, and the kernel copies bit for bit', async () => {
    const g0 = new Graph();
    const t = g0.param('x', [5]);
    expect(dropout(g0, t, 0, 1)).toBe(t);
    expect(g0.nodes.length).toBe(0);

    const n = 301;
    const x = toF32(randn(n, 9));
    const r = await evalGraph(ctx, (g) => {
      const inp = g.input('x', [n]);
      const out = g.activation('out', [n], false);
      const step_seed = dropoutSeed(g);
      g.dispatch(DROPOUT_FORWARD, { inp, step_seed, out }, { n, p: 0, stream: 4 }, threadGrid(DROPOUT_FORWARD, n));
      return {
        inputs: [
          [inp, x],
          [step_seed, [77]],
        ],
        outputs: { out },
      };
    });
    expect([...r.out!]).toEqual([...x]);
  });

  it('accumulates when the input feeds two dropout sites, each with its own mask', async () => {
    const n = 513;
    const [p, seed] = [0.5, 99];
    const x = f32Exact(randn(n, 1));
    const d1 = f32Exact(randn(n, 2));
    const d2 = f32Exact(randn(n, 3));
    const r = await evalGraph(ctx, (g) => {
      const inp = g.param('x', [n]);
      const a = dropout(g, inp, p, 1);
      const b = dropout(g, inp, p, 2);
      const da = g.input('d1', [n]);
      const db = g.input('d2', [n]);
      g.backward(a, (w) => {
        seedFrom(g, da)(w);
        seedFrom(g, db)(g.gradWrite(b));
      });
      return {
        inputs: [
          [inp, x],
          [da, d1],
          [db, d2],
          [dropoutSeed(g), [seed]],
        ],
        outputs: { a, b, dinp: g.grad(inp) },
      };
    });
    const m1 = dropoutMaskRef(n, seed, 1, p);
    const m2 = dropoutMaskRef(n, seed, 2, p);
    expectSamePattern(r.a!, m1, 'site 1');
    expectSamePattern(r.b!, m2, 'site 2');
    expect(m1.some((m, i) => (m === 0) !== (m2[i] === 0))).toBe(true); // streams give different masks
    const g1 = dropoutBackwardRef(d1, m1);
    const g2 = dropoutBackwardRef(d2, m2);
    expectClose(
      r.dinp!,
      g1.map((v, i) => v + g2[i]!),
      TOL,
      'accumulated dinp',
    );
  });

  it('a new seed gives a new mask, the same seed the same bits (one compiled program)', async () => {
    const n = 200;
    const x = toF32(randn(n, 4));
    const g = new Graph();
    const inp = g.input('x', [n]);
    const out = dropout(g, inp, 0.1, 3);
    const program = await Program.compile(ctx, g, { keep: [out], label: 'dropout-seeds' });
    try {
      program.write(inp, x);
      const runWith = async (seed: number) => {
        setDropoutSeed(program, seed);
        program.run();
        return Array.from(await program.readF32(out));
      };
      const first = await runWith(5);
      const second = await runWith(6);
      const again = await runWith(5);
      expectSamePattern(first, dropoutMaskRef(n, 5, 3, 0.1), 'seed 5');
      expectSamePattern(second, dropoutMaskRef(n, 6, 3, 0.1), 'seed 6');
      expect(second).not.toEqual(first);
      expect(again).toEqual(first);
    } finally {
      program.destroy();
    }
  });
});
