// Generation on the GPU tier: next-token logits equal the full forward's logits at the last position,
// whether parameters are uploaded or shared with a training program, and sampling streams tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { PRESETS } from '../model/config.ts';
import { finalHidden, gptForward } from '../model/gpt.ts';
import { initParams } from '../model/weights.ts';
import { prepareEmbeddingIndex } from '../ops/embedding.ts';
import { matmul } from '../ops/matmul.ts';
import { Graph } from '../runtime/graph.ts';
import { Program } from '../runtime/program.ts';
import { Generator } from './generator.ts';

const config = { ...PRESETS.tiny, vocabSize: 40, nPositions: 16, nEmbd: 32, nHead: 2, nInner: 128, nLayer: 1 };
const values = initParams(config, 3);

describe('Generator', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it('gives the logits of the last prompt position, uploaded or shared', async () => {
    const prompt = [5, 9, 2, 31, 7];
    // Reference: the full forward over the padded window, all positions' logits.
    const g = new Graph();
    const model = gptForward(g, config, { B: 1, T: 16, train: false });
    const logits = matmul(g, finalHidden(model), model.params.get('wte')!, { transB: true });
    const owner = await Program.compile(ctx, g, { keep: [logits] });
    for (const [name, t] of model.params) owner.write(t, values.get(name)!);
    const ids = new Uint32Array(16);
    ids.set(prompt);
    prepareEmbeddingIndex(owner, model.embedding, ids);
    owner.run();
    const all = await owner.readF32(logits);
    const expected = all.subarray(4 * 40, 5 * 40);

    const uploaded = await Generator.create(ctx, config, { values });
    const shared = await Generator.create(ctx, config, { shared: { program: owner, params: model.params } });
    // Same kernels, same inputs: the gathered row's logits are the same computation, bit for bit.
    expect([...(await uploaded.nextLogits(prompt))]).toEqual([...expected]);
    expect([...(await shared.nextLogits(prompt))]).toEqual([...expected]);
    uploaded.destroy();
    shared.destroy();
    owner.destroy();
  });

  it('streams sampled tokens reproducibly and slides the window past the context', async () => {
    const gen = await Generator.create(ctx, config, { values });
    const run = async () => {
      const out: number[] = [];
      for await (const id of gen.generate([1, 2, 3], { maxTokens: 20, temperature: 1, topK: 5, seed: 11 }))
        out.push(id);
      return out;
    };
    const a = await run();
    expect(a).toHaveLength(20); // 3 + 20 > 16: the window slid
    expect(a.every((id) => Number.isInteger(id) && id >= 0 && id < 40)).toBe(true);
    expect(await run()).toEqual(a);
    await expect(gen.nextLogits([])).rejects.toThrow(/at least one prompt token/);
    gen.destroy();
  });
});
