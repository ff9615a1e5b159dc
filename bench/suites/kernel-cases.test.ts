// The kernel cases build without a GPU: every case records a non-empty dispatch range with positive work,
// and the GPT-1 shapes fit the 1 GiB buffers the kernels suite asks for.
import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/runtime/graph.ts';
import { planMemory } from '../../src/runtime/memory-plan.ts';
import { kernelCases } from './kernel-cases.ts';

describe.each(['small', 'gpt1'] as const)('kernel cases (%s)', (shapes) => {
  it.each(kernelCases(shapes).map((c) => [`${c.op} ${c.pass} ${c.variant} ${c.shape}`, c] as const))(
    '%s',
    (_name, c) => {
      const g = new Graph();
      const work = c.build(g);
      expect(work.from).toBeGreaterThanOrEqual(0);
      expect(work.to).toBeGreaterThan(work.from);
      expect(work.to).toBeLessThanOrEqual(g.nodes.length);
      expect(work.flops).toBeGreaterThan(0);
      expect(work.bytes).toBeGreaterThan(0);
      const plan = planMemory(g, { maxBufferSize: 2 ** 30 });
      expect(plan.largestTensorBytes).toBeLessThanOrEqual(2 ** 30);
    },
  );
});
