// random.wgsl against random.ts on the GPU, through the test entry points of shaders/dropout.wgsl:
// random_u32 must be bit-identical, and dropout_scale must drop exactly the same elements.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph } from '../../test-support/gpu-graph.ts';
import { randInts } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { DROPOUT_SCALE_FILL, RANDOM_U32_FILL } from '../ops/dropout.ts';
import { threadGrid } from './grid.ts';
import { dropoutScale, randomU32 } from './random.ts';

/** n (seed, stream, index) triples: edge values first, then random u32s (two draws make 32 random bits). */
function triples(n: number): Uint32Array<ArrayBuffer> {
  const edges = [0, 1, 2, 255, 65535, 65536, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
  const hi = randInts(3 * n, 1, 65536);
  const lo = randInts(3 * n, 2, 65536);
  const out = Uint32Array.from({ length: 3 * n }, (_, i) => ((hi[i]! << 16) | lo[i]!) >>> 0);
  // The first 10^3 triples walk every combination of edge values.
  let k = 0;
  for (const a of edges) for (const b of edges) for (const c of edges) out.set([a, b, c], 3 * k++);
  return out;
}

async function gpuFill(ctx: GpuContext, spec: typeof RANDOM_U32_FILL, data: Uint32Array<ArrayBuffer>, p = 0) {
  const n = data.length / 3;
  const r = await evalGraph(ctx, (g) => {
    const t = g.input('triples', [n, 3], 'u32');
    const u32 = spec === RANDOM_U32_FILL;
    const out = g.activation('out', [n], false, u32 ? 'u32' : 'f32');
    g.dispatch(spec, u32 ? { triples: t, out_u32: out } : { triples: t, out }, { n, p }, threadGrid(spec, n));
    return { inputs: [[t, data]], outputs: { out } };
  });
  return r.out!;
}

describe('random.wgsl vs random.ts', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it('random_u32 is bit-identical for 5000 triples, edge values included', async () => {
    const data = triples(5000);
    const gpu = await gpuFill(ctx, RANDOM_U32_FILL, data);
    expect(gpu).toBeInstanceOf(Uint32Array);
    const cpu = Uint32Array.from({ length: 5000 }, (_, i) =>
      randomU32(data[3 * i]!, data[3 * i + 1]!, data[3 * i + 2]!),
    );
    const first = gpu.findIndex((v, i) => v !== cpu[i]);
    expect(first, `first mismatch at triple ${first}`).toBe(-1);
  });

  for (const p of [0.1, 0.5, 0.09, 0.9]) {
    it(`dropout_scale drops the same elements as dropoutScale, p = ${p}`, async () => {
      const data = triples(3001);
      const gpu = await gpuFill(ctx, DROPOUT_SCALE_FILL, data, p);
      const cpu = Float64Array.from({ length: 3001 }, (_, i) =>
        dropoutScale(data[3 * i]!, data[3 * i + 1]!, data[3 * i + 2]!, p),
      );
      const first = gpu.findIndex((v, i) => (v === 0) !== (cpu[i] === 0));
      expect(first, `first differing keep/drop decision at triple ${first}`).toBe(-1);
      // The kept multiplier 1/(1-p): WGSL's f32 division is only specified to 2.5 ulp, and random.ts
      // rounds 1-p from the float64 p while the GPU subtracts the f32 p, one more ulp: allow 4 ulp.
      const keep = Math.fround(1 / (1 - p));
      const ulp = 2 ** (Math.floor(Math.log2(keep)) - 23);
      for (let i = 0; i < gpu.length; i++) {
        if (cpu[i] !== 0) expect(Math.abs(gpu[i]! - cpu[i]!), `multiplier at ${i}`).toBeLessThanOrEqual(4 * ulp);
      }
    });
  }

  it('dropout_scale is exactly 1 everywhere at p = 0', async () => {
    const gpu = await gpuFill(ctx, DROPOUT_SCALE_FILL, triples(1000), 0);
    expect(gpu.every((v) => v === 1)).toBe(true);
  });
});
