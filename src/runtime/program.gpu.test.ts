// Compiled programs on a real device: liveness-shared memory gives correct results, one submit per
// run, grids folded with the device's limit, and clear errors for misuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLimits } from '../../test-support/limited-gpu.ts';
import { expectClose, f32Exact, randn } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { shaderInteger } from '../gpu/shader-constants.ts';
import { FILL_CONSTANT, scaleCopy } from '../ops/fill.ts';
import { gelu, geluForwardRef } from '../ops/gelu.ts';
import { matmul } from '../ops/matmul.ts';
import { softmax } from '../ops/softmax.ts';
import { Graph } from './graph.ts';
import { foldWorkgroups, workgroups1d } from './grid.ts';
import { Program } from './program.ts';

describe('Program', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it('runs a chain of ops through shared activation memory and matches the reference', async () => {
    const n = 300;
    const x = f32Exact(randn(n, 3));
    const g = new Graph();
    const inp = g.input('x', [n]);
    let t = inp;
    for (let i = 0; i < 6; i++) t = gelu(g, t);
    const program = await Program.compile(ctx, g, { keep: [t] });
    // Six activations share two slots: the planner reused memory.
    expect(program.plan.bytesByClass.activation).toBe(2 * 1280);
    program.write(inp, Float32Array.from(x));
    program.run();
    let expected = x;
    for (let i = 0; i < 6; i++) expected = f32Exact(geluForwardRef(expected));
    expectClose(await program.readF32(t), expected, { atol: 1e-6, rtol: 1e-5 }, 'six gelus');
    program.destroy();
  });

  it('refuses wrong-sized writes and reads of unplanned tensors', async () => {
    const g = new Graph();
    const inp = g.input('x', [4]);
    const out = gelu(g, inp);
    const orphan = g.activation('orphan', [4], false);
    const program = await Program.compile(ctx, g, { keep: [out] });
    expect(() => program.write(inp, new Float32Array(3))).toThrow(/got 3 values, expected 4/);
    expect(() => program.write(inp, new Uint32Array(4))).toThrow(/wrong array type/);
    await expect(program.read(orphan)).rejects.toThrow(/not bound by any dispatch/);
    program.destroy();
    expect(() => program.run()).toThrow(/destroyed/);
  });

  it('encodes a whole run as one command buffer: a thousand dispatches, one submit', async () => {
    const g = new Graph();
    const out = g.state('counter', [1]);
    for (let i = 0; i < 1000; i++)
      g.dispatch(FILL_CONSTANT, { out }, { n: 1, value: 1, accumulate: i === 0 ? 0 : 1 }, [1]);
    const program = await Program.compile(ctx, g);
    const queue = ctx.device.queue;
    const submit = queue.submit.bind(queue);
    let submits = 0;
    queue.submit = (buffers) => {
      submits++;
      submit(buffers);
    };
    try {
      program.run();
    } finally {
      queue.submit = submit;
    }
    expect(submits).toBe(1);
    expect(program.dispatchCount).toBe(1000);
    // Dispatches in one pass execute in order, so the additions are sequential and exact.
    expect([...(await program.readF32(out))]).toEqual([1000]);
    program.destroy();
  });
});

describe('Program dispatch grids', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  const bits = (data: Float32Array) => new Uint32Array(data.buffer);

  /**
   * Copies a ramp of n items (one invocation each), softmaxes 7 rows (one workgroup each) and multiplies
   * two batches of [41, 3] @ [3, 32] with the naive kernel (one invocation per output, batches on grid z).
   */
  async function run(on: GpuContext, n: number) {
    const g = new Graph();
    const ramp = g.input('ramp', [n]);
    const copy = g.activation('copy', [n], false);
    scaleCopy(g, ramp, copy, 1);
    const x = g.input('x', [7, 5]);
    const y = softmax(g, x);
    const a = g.input('a', [2, 41, 3]);
    const b = g.input('b', [2, 3, 32]);
    const c = matmul(g, a, b, { variant: 'naive' }); // [2, 41, 32]
    const program = await Program.compile(on, g, { keep: [copy, y, c] });
    try {
      program.write(
        ramp,
        Float32Array.from({ length: n }, (_, i) => i),
      );
      program.write(x, Float32Array.from(randn(7 * 5, 8)));
      program.write(a, Float32Array.from(randn(2 * 41 * 3, 9)));
      program.write(b, Float32Array.from(randn(2 * 3 * 32, 10)));
      program.run();
      return {
        grids: [0, 1, 2].map((i) => program.gridOf(i)),
        copy: await program.readF32(copy),
        y: bits(await program.readF32(y)),
        c: bits(await program.readF32(c)),
      };
    } finally {
      program.destroy();
    }
  }

  it('folds 1-D grids with a small maxComputeWorkgroupsPerDimension and still covers every item', async () => {
    // 8 groups of invocations, 7 rows and 6 groups of outputs per batch; 3 per dimension folds them to
    // 3 x 3 (1 and 2 workgroups idle) and 3 x 2.
    const wg = shaderInteger('fill.wgsl', 'WG');
    expect(Math.ceil((41 * 32) / shaderInteger('matmul.wgsl', 'NAIVE_WG'))).toBe(6);
    const n = 8 * wg - 3;
    const wide = await run(ctx, n);
    const narrow = await run(withLimits(ctx, { maxComputeWorkgroupsPerDimension: 3 }), n);
    expect(wide.grids).toEqual([
      [8, 1, 1],
      [7, 1, 1],
      [6, 1, 2],
    ]);
    expect(narrow.grids).toEqual([
      [3, 3, 1],
      [3, 3, 1],
      [3, 2, 2],
    ]);
    expect([...narrow.copy]).toEqual(Array.from({ length: n }, (_, i) => i));
    // Same bits whatever the fold.
    expect(narrow.y).toEqual(wide.y);
    expect(narrow.c).toEqual(wide.c);
  });

  it("reads the limit from the device's limits, and names a fixed grid that does not fit", async () => {
    const max = ctx.device.limits.maxComputeWorkgroupsPerDimension;
    const g = new Graph();
    const out = g.state('out', [1]);
    g.dispatch(FILL_CONSTANT, { out }, { n: 1, value: 0, accumulate: 0 }, workgroups1d(max + 1, 1));
    const program = await Program.compile(ctx, g); // compiled, never run: max + 1 workgroups of nothing
    expect(program.gridOf(0)).toEqual([...foldWorkgroups(max + 1, max), 1]);
    expect(program.gridOf(0)[1]).toBe(2);
    program.destroy();

    const fixed = new Graph();
    const o = fixed.state('o', [1]);
    fixed.dispatch(FILL_CONSTANT, { out: o }, { n: 1, value: 0, accumulate: 0 }, [5, 1, 1], { label: 'five' });
    await expect(
      Program.compile(withLimits(ctx, { maxComputeWorkgroupsPerDimension: 4 }), fixed, { label: 'tiny' }),
    ).rejects.toThrow(/tiny: five: grid \[5, 1, 1\] exceeds the device's maxComputeWorkgroupsPerDimension 4/);
  });
});

describe('Program buffer usage rules', () => {
  it('refuses a dispatch that reads and writes tensors packed into one buffer', async () => {
    const ctx = await openTestGpu();
    try {
      const g = new Graph();
      const a = g.param('a', [4]);
      const b = g.param('b', [4]); // packed after `a` in the same param buffer
      g.dispatch(
        { shader: 'gelu.wgsl', entry: 'gelu_forward', bindings: ['inp', 'out'] },
        { inp: a, out: b },
        { n: 4 },
        [1],
      );
      await expect(Program.compile(ctx, g)).rejects.toThrow(/reads a and writes b, which share one GPU buffer/);
    } finally {
      ctx.destroy();
    }
  });
});

describe('Program sharing', () => {
  it('binds tensors another program holds to its buffers instead of allocating them', async () => {
    const ctx = await openTestGpu();
    try {
      const trainGraph = new Graph();
      const w = trainGraph.param('w', [64]);
      const trainOut = gelu(trainGraph, w);
      const train = await Program.compile(ctx, trainGraph, { keep: [trainOut] });

      const evalGraph = new Graph();
      const shared = evalGraph.adopt(w);
      const evalOut = gelu(evalGraph, shared);
      const evaluation = await Program.compile(ctx, evalGraph, { keep: [evalOut], shareWith: train });
      expect(evaluation.plan.bytesByClass.param).toBe(0);
      expect(evaluation.holds(w)).toBe(true);

      const x = f32Exact(randn(64, 4));
      train.write(w, Float32Array.from(x)); // written through the owner, seen by the sharer
      evaluation.run();
      expectClose(await evaluation.readF32(evalOut), geluForwardRef(x), { atol: 2e-6, rtol: 2e-6 }, 'shared param');
      expect(() => evalGraph.adopt(w)).toThrow(/already in this graph/);
      evaluation.destroy();
      train.destroy();
    } finally {
      ctx.destroy();
    }
  });
});
