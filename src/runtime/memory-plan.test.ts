// The memory planner: class layouts, alignment, and liveness-based sharing of activation memory.
import { describe, expect, it } from 'vitest';
import { GELU_FORWARD } from '../ops/gelu.ts';
import { Graph } from './graph.ts';
import { planMemory } from './memory-plan.ts';
import type { Tensor } from './tensor.ts';

/** A chain x -> a1 -> a2 -> ... of elementwise ops, each output read only by the next op. */
function chain(length: number, n: number): { g: Graph; acts: Tensor[]; x: Tensor } {
  const g = new Graph();
  const x = g.input('x', [n]);
  const acts: Tensor[] = [];
  let prev = x;
  for (let i = 0; i < length; i++) {
    const out = g.activation(`a${i}`, [n], false);
    g.dispatch(GELU_FORWARD, { inp: prev, out }, { n }, [1]);
    acts.push(out);
    prev = out;
  }
  return { g, acts, x };
}

interface Span {
  buffer: number;
  offset: number;
  bytes: number;
}
function overlaps(a: Span, b: Span): boolean {
  return a.buffer === b.buffer && a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
}

describe('memory plan', () => {
  it('reuses activation buffers once a tensor is dead: a chain needs two buffers, not ten', () => {
    const { g, acts } = chain(10, 1000); // 4000 bytes -> 4096 aligned
    const plan = planMemory(g, { alignment: 256 });
    expect(plan.bytesByClass.activation).toBe(2 * 4096);
    expect(plan.bytesByClass.input).toBe(4096);
    // Neighbours in the chain are alive together, so they never share bytes.
    for (let i = 1; i < acts.length; i++) {
      const a = plan.placements.get(acts[i - 1]!)!;
      const b = plan.placements.get(acts[i]!)!;
      expect(overlaps({ ...a, bytes: 4000 }, { ...b, bytes: 4000 })).toBe(false);
      // Reader and writer of one dispatch must be in different buffers (WebGPU usage rules).
      expect(a.buffer).not.toBe(b.buffer);
    }
  });

  it('keeps tensors the host reads alive to the end', () => {
    const { g, acts } = chain(4, 100);
    const first = acts[0]!;
    const plan = planMemory(g, { alignment: 256, keep: [first] });
    const kept = plan.placements.get(first)!;
    for (const other of acts.slice(1)) {
      const p = plan.placements.get(other)!;
      expect(overlaps({ ...kept, bytes: 400 }, { ...p, bytes: 400 })).toBe(false);
    }
  });

  it('aligns every offset and splits a class across buffers at maxBufferSize', () => {
    const g = new Graph();
    const params = [g.param('w0', [100]), g.param('w1', [300]), g.param('w2', [50])];
    const out = g.activation('out', [100], false);
    for (const p of params) g.dispatch(GELU_FORWARD, { inp: p, out }, { n: 1 }, [1]);
    const plan = planMemory(g, { alignment: 256, maxBufferSize: 1536 });
    const places = params.map((p) => plan.placements.get(p)!);
    for (const p of places) expect(p.offset % 256).toBe(0);
    // 400 B -> 512, 1200 B -> 1280: together 1792 > 1536, so w1 starts a new buffer; w2 (256) fits after it.
    expect(places.map((p) => [p.buffer, p.offset])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1280],
    ]);
    expect(plan.buffers.filter((b) => b.storage === 'param').map((b) => b.bytes)).toEqual([512, 1536]);
  });

  it('refuses a tensor larger than maxBufferSize, naming it', () => {
    const g = new Graph();
    const w = g.param('huge', [1000]);
    const out = g.activation('out', [1000], false);
    g.dispatch(GELU_FORWARD, { inp: w, out }, { n: 1 }, [1]);
    expect(() => planMemory(g, { maxBufferSize: 1024 })).toThrow(/huge\[1000\] f32 needs 4000 bytes/);
  });

  it('does not allocate tensors no dispatch binds', () => {
    const { g } = chain(1, 10);
    const unused = g.activation('unused', [1 << 20], false);
    const plan = planMemory(g);
    expect(plan.placements.has(unused)).toBe(false);
    expect(plan.totalBytes).toBeLessThan(4096);
  });
});
