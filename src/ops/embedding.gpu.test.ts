// Embedding on the GPU (embedding_forward, embedding_forward_typed, embedding_backward_wpe,
// embedding_backward_wte) against the float64 reference: odd sizes, C above the workgroup size, repeated ids,
// unused vocabulary rows, token type ids overlapping ids, accumulation into existing gradients, stale rows
// zeroed between steps, and an index large enough to fold the dispatch into 2-D.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, f32Exact, randInts, randn, type Tolerance, toF32 } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { Graph } from '../runtime/graph.ts';
import { Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { embedding, embeddingBackwardRef, embeddingForwardRef, prepareEmbeddingIndex } from './embedding.ts';
import { scaleCopy, seedFrom } from './fill.ts';

const U = 2 ** -24; // f32 unit roundoff

/**
 * Every output here is an f32 sum of f32 terms in a fixed order (k terms at most): |error| <= (k - 1) U
 * sum|terms| + O(U^2), and k U bounds both. `absSums` holds sum|terms| per element (the reference applied
 * to |data|), so the tolerance is the bound at the worst element.
 */
function sumTolerance(k: number, absSums: ArrayLike<number>): Tolerance {
  let worst = 0;
  for (let i = 0; i < absSums.length; i++) worst = Math.max(worst, absSums[i]!);
  return { atol: k * U * worst, rtol: 0 };
}

const abs = (a: Float64Array) => a.map(Math.abs);

interface Shape {
  B: number;
  T: number;
  C: number;
  V: number;
  maxT: number;
}

interface Step {
  ids: Uint32Array<ArrayBuffer>;
  types?: Uint32Array<ArrayBuffer>;
  dout: Float64Array;
}

interface Result {
  out: Float32Array;
  dwte: Float32Array;
  dwpe: Float32Array;
}

/**
 * Compiles one embedding graph and runs it once per step (uploading through prepareEmbeddingIndex).
 * With `pre`, an op recorded after the embedding writes pre.dwte / pre.dwpe into the gradients first (as the
 * tied LM head does for wte), so the embedding's backward runs with accumulate = 1. With `dirty`, the gradient
 * buffers hold junk before the first run.
 */
async function runEmbedding(
  ctx: GpuContext,
  s: Shape,
  wte: Float64Array,
  wpe: Float64Array,
  steps: Step[],
  options: { typed?: boolean; pre?: { dwte: Float64Array; dwpe: Float64Array }; dirty?: boolean } = {},
): Promise<Result[]> {
  const g = new Graph();
  const tWte = g.param('wte', [s.V, s.C]);
  const tWpe = g.param('wpe', [s.maxT, s.C]);
  const ids = g.input('ids', [s.B, s.T], 'u32');
  const tokenTypeIds = options.typed ? g.input('token_type_ids', [s.B, s.T], 'u32') : undefined;
  const emb = embedding(g, ids, tWte, tWpe, { tokenTypeIds });
  let preWte: Tensor | undefined;
  let preWpe: Tensor | undefined;
  if (options.pre) {
    const pw = g.input('pre_dwte', [s.V, s.C]);
    const pp = g.input('pre_dwpe', [s.maxT, s.C]);
    [preWte, preWpe] = [pw, pp];
    g.onBackward([emb.out], () => {
      for (const [param, from] of [
        [tWte, pw],
        [tWpe, pp],
      ] as const) {
        const { grad, accumulate } = g.gradWrite(param);
        scaleCopy(g, from, grad, 1, accumulate);
      }
    });
  }
  const dout = g.input('dout', [s.B, s.T, s.C]);
  g.backward(emb.out, seedFrom(g, dout));
  const program = await Program.compile(ctx, g, { keep: [emb.out, g.grad(tWte), g.grad(tWpe)], label: 'emb' });
  try {
    program.write(tWte, toF32(wte));
    program.write(tWpe, toF32(wpe));
    if (options.pre && preWte && preWpe) {
      program.write(preWte, toF32(options.pre.dwte));
      program.write(preWpe, toF32(options.pre.dwpe));
    }
    if (options.dirty) {
      // Stale gradients from "an earlier step": a backward with accumulate = 0 must not leave any of it.
      program.write(g.grad(tWte), new Float32Array(s.V * s.C).fill(777));
      program.write(g.grad(tWpe), new Float32Array(s.maxT * s.C).fill(777));
    }
    const results: Result[] = [];
    for (const step of steps) {
      prepareEmbeddingIndex(program, emb, step.ids, step.types);
      program.write(dout, toF32(step.dout));
      program.run();
      results.push({
        out: await program.readF32(emb.out),
        dwte: await program.readF32(g.grad(tWte)),
        dwpe: await program.readF32(g.grad(tWpe)),
      });
    }
    return results;
  } finally {
    program.destroy();
  }
}

/** Checks one step's results against the reference, with `pre` added to the gradients when given. */
function check(r: Result, s: Shape, wte: Float64Array, wpe: Float64Array, step: Step, pre?: Result | null): void {
  const types = step.types ?? null;
  const { B, T, C, V, maxT } = s;
  const out = embeddingForwardRef(step.ids, types, wte, wpe, B, T, C);
  const outAbs = embeddingForwardRef(step.ids, types, abs(wte), abs(wpe), B, T, C);
  expectClose(r.out, out, sumTolerance(types ? 3 : 2, outAbs), 'forward');

  const ref = embeddingBackwardRef(step.dout, step.ids, types, B, T, C, V, maxT);
  const refAbs = embeddingBackwardRef(abs(step.dout), step.ids, types, B, T, C, V, maxT);
  const extra = pre ? 1 : 0;
  const add = (a: Float64Array, p: ArrayLike<number> | undefined) => (p ? a.map((v, i) => v + p[i]!) : a);
  const absAdd = (a: Float64Array, p: ArrayLike<number> | undefined) => (p ? a.map((v, i) => v + Math.abs(p[i]!)) : a);
  // dwte row v sums every occurrence of v among ids and token types (at most 2 B T terms).
  const counts = new Uint32Array(V);
  for (const id of step.ids) counts[id]!++;
  for (const id of step.types ?? []) counts[id]!++;
  const kWte = Math.max(...counts) + extra;
  expectClose(r.dwte, add(ref.dwte, pre?.dwte), sumTolerance(kWte, absAdd(refAbs.dwte, pre?.dwte)), 'dwte');
  expectClose(r.dwpe, add(ref.dwpe, pre?.dwpe), sumTolerance(B + extra, absAdd(refAbs.dwpe, pre?.dwpe)), 'dwpe');
}

function data(
  s: Shape,
  seed: number,
  typed: boolean,
  maxId = s.V,
): { wte: Float64Array; wpe: Float64Array; step: Step } {
  const N = s.B * s.T;
  return {
    wte: f32Exact(randn(s.V * s.C, seed)),
    wpe: f32Exact(randn(s.maxT * s.C, seed + 1)),
    step: {
      ids: randInts(N, seed + 2, maxId),
      // Token types drawn from the top of the id range too, so some rows get both kinds of contribution.
      types: typed ? randInts(N, seed + 3, 2).map((v) => maxId - 1 - v) : undefined,
      dout: f32Exact(randn(N * s.C, seed + 4)),
    },
  };
}

describe('embedding kernels', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  const shapes: [Shape, boolean, number][] = [
    [{ B: 1, T: 1, C: 1, V: 1, maxT: 1 }, false, 1],
    [{ B: 2, T: 5, C: 7, V: 11, maxT: 6 }, true, 4], // ids < 4: repeats; rows 4..10 unused
    [{ B: 3, T: 7, C: 33, V: 50, maxT: 9 }, false, 50],
    [{ B: 2, T: 3, C: 300, V: 5, maxT: 3 }, true, 3], // C > workgroup size: threads loop over columns
  ];
  for (const [s, typed, maxId] of shapes) {
    const name = `B ${s.B}, T ${s.T}, C ${s.C}, V ${s.V}, maxT ${s.maxT}${typed ? ', token types' : ''}`;

    it(`forward and backward match the reference (${name})`, async () => {
      const { wte, wpe, step } = data(s, 10, typed, maxId);
      const [r] = await runEmbedding(ctx, s, wte, wpe, [step], { typed });
      check(r!, s, wte, wpe, step);
    });

    it(`accumulates into existing gradients, leaving other rows untouched (${name})`, async () => {
      const { wte, wpe, step } = data(s, 20, typed, maxId);
      const pre = { dwte: f32Exact(randn(s.V * s.C, 30)), dwpe: f32Exact(randn(s.maxT * s.C, 31)) };
      const [r] = await runEmbedding(ctx, s, wte, wpe, [step], { typed, pre });
      check(r!, s, wte, wpe, step, { out: r!.out, dwte: toF32(pre.dwte), dwpe: toF32(pre.dwpe) });
      // Rows no position uses, and positions t >= T, keep exactly what was there.
      const used = new Set([...step.ids, ...(step.types ?? [])]);
      for (let v = 0; v < s.V; v++) {
        if (used.has(v)) continue;
        for (let c = 0; c < s.C; c++) expect(r!.dwte[v * s.C + c]).toBe(pre.dwte[v * s.C + c]);
      }
      for (let i = s.T * s.C; i < s.maxT * s.C; i++) expect(r!.dwpe[i]).toBe(pre.dwpe[i]);
    });
  }

  it('zeroes unused rows and positions: stale junk, and rows the previous step used', async () => {
    const s = { B: 2, T: 4, C: 5, V: 12, maxT: 6 };
    const { wte, wpe } = data(s, 40, false);
    const first: Step = { ids: Uint32Array.of(0, 1, 2, 3, 0, 1, 2, 3), dout: f32Exact(randn(40, 41)) };
    const second: Step = { ids: Uint32Array.of(8, 9, 9, 8, 11, 11, 11, 3), dout: f32Exact(randn(40, 42)) };
    const [r1, r2] = await runEmbedding(ctx, s, wte, wpe, [first, second], { dirty: true });
    check(r1!, s, wte, wpe, first);
    check(r2!, s, wte, wpe, second);
    for (const v of [0, 1, 2]) expect([...r2!.dwte.subarray(v * s.C, (v + 1) * s.C)]).toEqual([0, 0, 0, 0, 0]);
    expect([...r2!.dwpe.subarray(s.T * s.C)]).toEqual(new Array((s.maxT - s.T) * s.C).fill(0));
  });

  it('folds an index of more than 65,535 groups into a 2-D grid', async () => {
    // B T = 65,541 positions: 65,541 one-workgroup groups, folded to 2 x 32,771 (one spare workgroup).
    const s = { B: 21847, T: 3, C: 1, V: 7, maxT: 3 };
    const { wte, wpe, step } = data(s, 50, false);
    const [r] = await runEmbedding(ctx, s, wte, wpe, [step]);
    check(r!, s, wte, wpe, step);
  });

  it('runs forward-only and validates ids before uploading', async () => {
    const s = { B: 1, T: 3, C: 4, V: 6, maxT: 3 };
    const { wte, wpe } = data(s, 60, false);
    const g = new Graph();
    const tWte = g.param('wte', [s.V, s.C]);
    const tWpe = g.param('wpe', [s.maxT, s.C]);
    const ids = g.input('ids', [s.B, s.T], 'u32');
    const emb = embedding(g, ids, tWte, tWpe);
    expect(emb.index).toBeUndefined(); // no backward recorded: nothing to index
    const program = await Program.compile(ctx, g, { keep: [emb.out], label: 'emb-forward' });
    try {
      program.write(tWte, toF32(wte));
      program.write(tWpe, toF32(wpe));
      const idData = Uint32Array.of(5, 0, 5);
      prepareEmbeddingIndex(program, emb, idData);
      program.run();
      const out = embeddingForwardRef(idData, null, wte, wpe, s.B, s.T, s.C);
      expectClose(
        await program.readF32(emb.out),
        out,
        sumTolerance(2, embeddingForwardRef(idData, null, abs(wte), abs(wpe), s.B, s.T, s.C)),
        'forward',
      );
      expect(() => prepareEmbeddingIndex(program, emb, Uint32Array.of(0, 6, 1))).toThrow(/ids\[1\] = 6/);
      expect(() => prepareEmbeddingIndex(program, emb, idData, Uint32Array.of(0, 0, 0))).toThrow(/without token type/);
    } finally {
      program.destroy();
    }
  });
});
