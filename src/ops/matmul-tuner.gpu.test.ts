// The matmul tuner on a real device: it times every candidate per distinct shape, switches each matmul
// node to the fastest, changes no bit of the results, and reuses stored decisions instead of timing again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f32Exact, randn } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { Graph } from '../runtime/graph.ts';
import { Program, setGraphTuner } from '../runtime/program.ts';
import { scaleCopy } from './fill.ts';
import { MATMUL_VARIANTS, type MatmulVariant, matmul } from './matmul.ts';
import { MatmulTuner, type TuningStore } from './matmul-tuner.ts';

const [M, K, N] = [40, 24, 72];
const x = Float32Array.from(f32Exact(randn(M * K, 11)));
const w = Float32Array.from(f32Exact(randn(K * N, 12)));
const b = Float32Array.from(f32Exact(randn(N, 13)));
const dy = Float32Array.from(f32Exact(randn(M * N, 14)));

/** A GPT-1 MLP-like product with its backward: a forward with GELU and preact, then three products. */
async function run(ctx: GpuContext) {
  const g = new Graph();
  const tx = g.param('x', [M, K]);
  const tw = g.param('w', [K, N]);
  const tb = g.param('b', [N]);
  const y = matmul(g, tx, tw, { bias: tb, gelu: true });
  const tdy = g.input('dy', [M, N]);
  g.backward(y, ({ grad, accumulate }) => scaleCopy(g, tdy, grad, 1, accumulate));
  const outputs = { y, dx: g.grad(tx), dw: g.grad(tw), db: g.grad(tb) };
  const program = await Program.compile(ctx, g, { keep: Object.values(outputs), label: 'tuner-test' });
  try {
    program.write(tx, x);
    program.write(tw, w);
    program.write(tb, b);
    program.write(tdy, dy);
    program.run();
    const results: Record<string, Float32Array> = {};
    for (const [name, t] of Object.entries(outputs)) results[name] = await program.readF32(t);
    const entries = g.nodes.map((n) => n.kernel.entry).filter((e) => e.startsWith('matmul_forward'));
    return { results, entries };
  } finally {
    program.destroy();
  }
}

class MemoryStore implements TuningStore {
  saves = 0;
  constructor(public entries: Record<string, string> = {}) {}
  async load() {
    return { ...this.entries };
  }
  async save(entries: Record<string, string>) {
    this.saves++;
    this.entries = { ...entries };
  }
}

describe('MatmulTuner', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it('times each shape once, picks the fastest candidate, and changes no result bit', async () => {
    const plain = await run(ctx);
    const store = new MemoryStore();
    const logs: string[] = [];
    const tuner = new MatmulTuner({ store, targetMs: 2, log: (l) => logs.push(l) });
    setGraphTuner(ctx, tuner);
    let tuned: Awaited<ReturnType<typeof run>>;
    try {
      tuned = await run(ctx);
    } finally {
      setGraphTuner(ctx, undefined);
    }
    for (const name of Object.keys(plain.results)) {
      expect(Array.from(tuned.results[name]!), name).toEqual(Array.from(plain.results[name]!));
    }
    // Forward (gelu + preact), dx = dY W^T, dW = X^T dY: three distinct shapes, all timed and stored.
    expect(tuner.decisions.size).toBe(3);
    expect(store.saves).toBe(1);
    expect(Object.keys(store.entries)).toHaveLength(3);
    expect(logs).toHaveLength(3);
    const entryOf = (v: MatmulVariant, preact: boolean) =>
      preact ? MATMUL_VARIANTS[v].preact.entry : MATMUL_VARIANTS[v].forward.entry;
    for (const d of tuner.decisions.values()) {
      const timed = Object.entries(d.ms) as [MatmulVariant, number][];
      expect(timed.length, d.shape).toBeGreaterThanOrEqual(4);
      for (const [, ms] of timed) expect(ms, d.shape).toBeGreaterThan(0);
      expect(Math.min(...timed.map(([, ms]) => ms))).toBe(d.ms[d.variant]);
      expect(tuned.entries).toContain(entryOf(d.variant, d.shape.includes('preact')));
    }
    expect(tuned.entries).toHaveLength(3);
  });

  it('applies stored decisions without timing, and ignores an unreadable store', async () => {
    const first = new MemoryStore();
    setGraphTuner(ctx, new MatmulTuner({ store: first, targetMs: 2 }));
    try {
      await run(ctx);
      // Force every stored decision to the naive kernel: a reused decision must be applied as stored.
      const forced = new MemoryStore(Object.fromEntries(Object.keys(first.entries).map((k) => [k, 'naive'])));
      const reuse = new MatmulTuner({ store: forced, targetMs: 2 });
      setGraphTuner(ctx, reuse);
      const r = await run(ctx);
      expect(forced.saves).toBe(0);
      expect(reuse.tuningSeconds).toBe(0);
      expect(new Set(r.entries)).toEqual(new Set(['matmul_forward_naive', 'matmul_forward_naive_preact']));

      // The same stored choices with naive not allowed: they are timed again among the allowed variants.
      const restricted = new MatmulTuner({ store: forced, targetMs: 2, candidates: ['tiled', 'vec4'] });
      setGraphTuner(ctx, restricted);
      const r2 = await run(ctx);
      expect(restricted.tuningSeconds).toBeGreaterThan(0);
      for (const d of restricted.decisions.values()) expect(Object.keys(d.ms).sort()).toEqual(['tiled', 'vec4']);
      expect(r2.entries.every((e) => /^matmul_forward_(tiled|vec4)(_preact)?$/.test(e))).toBe(true);

      const logs: string[] = [];
      const broken: TuningStore = {
        load: () => Promise.reject(new Error('matmul-tuning.json: Unexpected token')),
        save: async () => {},
      };
      const fresh = new MatmulTuner({ store: broken, targetMs: 2, log: (l) => logs.push(l) });
      setGraphTuner(ctx, fresh);
      await run(ctx);
      expect(logs[0]).toMatch(/ignoring the stored decisions \(matmul-tuning.json: Unexpected token\)/);
      expect(fresh.decisions.size).toBe(3);
      expect(fresh.tuningSeconds).toBeGreaterThan(0);
    } finally {
      setGraphTuner(ctx, undefined);
    }
  });
});
