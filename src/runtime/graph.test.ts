// Graph builder: binding validation, the autograd tape's order and the accumulate convention.
import { describe, expect, it } from 'vitest';
import { seedConstant } from '../ops/fill.ts';
import { gelu } from '../ops/gelu.ts';
import { Graph } from './graph.ts';

describe('graph', () => {
  it('validates bindings against the kernel spec', () => {
    const g = new Graph();
    const x = g.input('x', [4]);
    const y = g.activation('y', [4], false);
    const spec = { shader: 'gelu.wgsl', entry: 'gelu_forward', bindings: ['inp', 'out'] } as const;
    expect(() => g.dispatch(spec, { inp: x }, { n: 4 }, [1])).toThrow(/binding "out" not given/);
    expect(() => g.dispatch(spec, { inp: x, out: y, extra: y }, { n: 4 }, [1])).toThrow(/unexpected binding "extra"/);
  });

  it('records backward in reverse order, overwriting the first gradient write and adding later ones', () => {
    const g = new Graph();
    const w = g.param('w', [8]);
    const a = gelu(g, w);
    const b = gelu(g, a);
    const c = gelu(g, w); // w is used twice
    expect(g.nodes.map((n) => n.label)).toEqual(['gelu_forward', 'gelu_forward', 'gelu_forward']);
    g.backward(c, seedConstant(g));
    // grad(b) was never written (b is not on the path from c), so b's and a's backward do not run.
    const backward = g.nodes
      .slice(3)
      .map((n) => [n.label, n.params.accumulate, Object.values(n.bindings).at(-1)?.name]);
    expect(backward).toEqual([
      ['fill_constant', 0, 'grad(gelu(w))'],
      ['gelu_backward', 0, 'grad(w)'],
    ]);
    expect(g.paramGrads().map((p) => p.grad.name)).toEqual(['grad(w)']);
    expect(g.grad(w).storage).toBe('grad');
    expect(g.grad(b).storage).toBe('activation');
  });

  it('adds the second contribution into a shared input', () => {
    const g = new Graph();
    const w = g.param('w', [8]);
    const a = gelu(g, w);
    const b = gelu(g, w);
    g.backward(a, (seed) => {
      seedConstant(g)(seed);
      seedConstant(g)(g.gradWrite(b));
    });
    const gradWrites = g.nodes.filter((n) => n.label === 'gelu_backward').map((n) => n.params.accumulate);
    expect(gradWrites).toEqual([0, 1]);
    expect(() => g.backward(a, seedConstant(g))).toThrow(/twice/);
  });

  it('recomputes marked activations for backward, so the original dies after the forward pass', () => {
    const g = new Graph();
    const w = g.param('w', [8]);
    const a = gelu(g, w); // pretend `a` is cheap to recompute from w
    const b = gelu(g, a);
    g.recomputeInBackward(a, (into) =>
      g.dispatch(
        { shader: 'gelu.wgsl', entry: 'gelu_forward', bindings: ['inp', 'out'] },
        { inp: w, out: into },
        { n: 8 },
        [1],
      ),
    );
    g.backward(b, seedConstant(g));
    const labels = g.nodes.map(
      (n) =>
        `${n.label}:${Object.values(n.bindings)
          .map((t) => t.name)
          .join(',')}`,
    );
    expect(labels).toEqual([
      'gelu_forward:w,gelu(w)',
      'gelu_forward:gelu(w),gelu(gelu(w))',
      'fill_constant:grad(gelu(gelu(w)))',
      'gelu_forward:w,recomputed(gelu(w))', // recorded just before its first backward use
      'gelu_backward:recomputed(gelu(w)),grad(gelu(gelu(w))),grad(gelu(w))',
      'gelu_backward:w,grad(gelu(w)),grad(w)',
    ]);
    expect(() => g.recomputeInBackward(a, () => {})).toThrow(/after backward/);
  });

  it('adds a later micro-batch into the parameter gradients and keeps its activations apart', () => {
    const g = new Graph();
    const w = g.param('w', [8]);
    const first = gelu(g, w);
    g.backward(first, seedConstant(g, 0.5));
    expect(() => g.onBackward([first], () => {})).toThrow(/after backward/);
    g.nextMicroBatch();
    const second = gelu(g, w);
    g.backward(second, seedConstant(g, 0.5));
    const writes = g.nodes
      .filter((n) => n.label !== 'gelu_forward')
      .map((n) => [n.label, n.params.accumulate, Object.values(n.bindings).at(-1)?.name]);
    expect(writes).toEqual([
      ['fill_constant', 0, 'grad(gelu(w))'],
      ['gelu_backward', 0, 'grad(w)'], // the first micro-batch overwrites the parameter's gradient
      ['fill_constant', 0, 'grad(gelu(w))'],
      ['gelu_backward', 1, 'grad(w)'], // the second adds into it
    ]);
    const seeds = g.nodes.filter((n) => n.label === 'fill_constant');
    expect(seeds[0]!.bindings.out).not.toBe(seeds[1]!.bindings.out); // each micro-batch has its own activations
    expect(g.paramGrads().map((p) => p.grad.name)).toEqual(['grad(w)']);
    expect(() => new Graph().nextMicroBatch()).toThrow(/before backward/);
  });
});
