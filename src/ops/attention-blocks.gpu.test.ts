// Attention with 32 and 64 rows per workgroup (the BLOCK override) against the default 16: the same bits,
// forward and backward, with dropout and an accumulated gradient, on shapes around every block size; the
// default's results are proven against the float64 reference in attention.gpu.test.ts, so equal bits carry
// that proof over. Blocks beyond the device's workgroup limits are never offered and fail at compile time,
// naming the limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalGraph } from '../../test-support/gpu-graph.ts';
import { withLimits } from '../../test-support/limited-gpu.ts';
import { f32Exact, randn } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { Graph } from '../runtime/graph.ts';
import { Program } from '../runtime/program.ts';
import { ATTENTION_BLOCKS, ATTENTION_DEFAULT_BLOCK, attention, attentionBlocksFor } from './attention.ts';
import { dropoutSeed } from './dropout.ts';
import { seedFrom } from './fill.ts';

describe('attention blocks', () => {
  let ctx: GpuContext;
  let blocks: number[];
  beforeAll(async () => {
    ctx = await openTestGpu();
    blocks = attentionBlocksFor(ctx.device.limits);
  });
  afterAll(() => ctx.destroy());

  /** out, and dinp of two attentions of one qkv (the second accumulates), with dropout. */
  function run(block: number, dims: { B: number; T: number; C: number; NH: number }, seed: number) {
    const { B, T, C } = dims;
    const x = f32Exact(randn(B * T * 3 * C, seed, 1.5));
    const dy = f32Exact(randn(B * T * C, seed + 1));
    return evalGraph(ctx, (g) => {
      const qkv = g.param('qkv', [B, T, 3 * C]);
      const a = attention(g, qkv, { ...dims, block, dropout: { p: 0.2, stream: 3 } });
      const b = attention(g, qkv, { ...dims, block });
      const dyT = g.input('dy', [B, T, C]);
      g.backward(a, (w) => {
        seedFrom(g, dyT)(w);
        seedFrom(g, dyT)(g.gradWrite(b));
      });
      return {
        inputs: [
          [qkv, x],
          [dyT, dy],
          [dropoutSeed(g), [seed]],
        ],
        outputs: { a, b, dinp: g.grad(qkv) },
      };
    });
  }

  it('the device offers the blocks its limits hold (SwiftShader: 16 and 32 in 32 KiB)', () => {
    expect(blocks[0]).toBe(ATTENTION_DEFAULT_BLOCK);
    expect(blocks.length).toBeGreaterThanOrEqual(ctx.device.limits.maxComputeWorkgroupStorageSize >= 23872 ? 2 : 1);
    const small = withLimits(ctx, { maxComputeWorkgroupStorageSize: 16384 });
    expect(attentionBlocksFor(small.device.limits)).toEqual([ATTENTION_DEFAULT_BLOCK]);
  });

  // T around the block sizes (1, below and past 16, 32 and 64); hs 8, 16, 5 and 64.
  for (const [B, T, C, NH] of [
    [1, 1, 16, 2],
    [2, 17, 32, 2],
    [1, 33, 10, 2],
    [1, 70, 64, 1],
  ] as const) {
    it(`every offered block gives the default's bits (B ${B}, T ${T}, C ${C}, NH ${NH})`, async () => {
      const dims = { B, T, C, NH };
      const base = await run(ATTENTION_DEFAULT_BLOCK, dims, T + C);
      for (const block of blocks.filter((b) => b !== ATTENTION_DEFAULT_BLOCK)) {
        const r = await run(block, dims, T + C);
        for (const name of ['a', 'b', 'dinp']) {
          expect(Array.from(r[name]!), `block ${block} ${name}`).toEqual(Array.from(base[name]!));
        }
      }
    });
  }

  it('a block beyond the device fails at compile time, naming the limit', async () => {
    const beyond = ATTENTION_BLOCKS.filter((b) => !blocks.includes(b));
    for (const block of beyond) {
      const g = new Graph();
      attention(g, g.input('qkv', [1, 8, 48]), { B: 1, T: 8, C: 16, NH: 2, block });
      await expect(Program.compile(ctx, g)).rejects.toThrow(/maxComputeWorkgroupStorageSize/);
    }
    const g = new Graph();
    const qkv = g.input('qkv', [1, 8, 48]);
    expect(() => attention(g, qkv, { B: 1, T: 8, C: 16, NH: 2, block: 24 })).toThrow(
      /block 24 is not one of 16, 32, 64/,
    );
  });
});
