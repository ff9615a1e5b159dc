// Export -> import round trips: a trained model written as a Hugging Face folder and read back gives
// identical logits; with GPT-1's tokenizer the folder carries vocab.json + merges.txt that load again.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import { splitTrainVal } from '../data/lm-batches.ts';
import type { GpuContext } from '../gpu/device.ts';
import { PRESETS } from '../model/config.ts';
import { importHfCheckpoint } from '../model/hf-format.ts';
import { initParams } from '../model/weights.ts';
import { gpt1TokenizerFromFiles } from '../tokenizer/gpt1-files.ts';
import { loadGpt1TokenizerFromDir } from '../tokenizer/gpt1-node.ts';
import { writeCheckpoint } from './checkpoint.ts';
import { Generator } from './generator.ts';
import { LmTrainer } from './lm-trainer.ts';
import { pretrainSchedule } from './schedule.ts';

describe('export and import', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it('a trained model exported as a HF folder and imported again gives identical logits', async () => {
    const config = { ...PRESETS.tiny, vocabSize: 50, nPositions: 16, nEmbd: 32, nHead: 2, nInner: 128, nLayer: 1 };
    const ids = Uint32Array.from({ length: 600 }, (_, i) => (i * 7 + (i >> 3)) % 50);
    const options = { config, B: 2, T: 16, seed: 4, schedule: pretrainSchedule(1e-2, 3, 1) };
    const trainer = await LmTrainer.create(ctx, options, splitTrainVal(ids, 16), initParams(config, 4));
    for (let i = 0; i < 3; i++) await trainer.trainStep();
    const tokenizer = loadGpt1TokenizerFromDir(resolve('../shared/data/gpt1-tokenizer'));
    const files = writeCheckpoint(await trainer.checkpoint(tokenizer.toJSON()));

    const imported = importHfCheckpoint(files);
    const live = await Generator.create(ctx, config, {
      shared: { program: trainer.program, params: trainer.model.params },
    });
    const reloaded = await Generator.create(ctx, imported.config, { values: imported.params as never });
    const prompt = [3, 14, 15, 9, 2];
    expect([...(await reloaded.nextLogits(prompt))]).toEqual([...(await live.nextLogits(prompt))]);
    live.destroy();
    reloaded.destroy();
    trainer.destroy();

    const text = (name: string) => new TextDecoder().decode(files.get(name));
    const again = gpt1TokenizerFromFiles(
      new Map([
        ['vocab.json', text('vocab.json')],
        ['merges.txt', text('merges.txt')],
      ]),
    );
    expect(again.encode("It's a charming journey.")).toEqual(tokenizer.encode("It's a charming journey."));
  });
});
