// What a resumed pre-training run takes from its checkpoint: everything the steps after it depend on, the
// clipping included (a run coming back from PyTorch may have clipped at another norm than the default).
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../model/config.ts';
import { initParams } from '../model/weights.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { resumedPretrainOptions } from './pretrain-resume.ts';
import { pretrainSchedule } from './schedule.ts';

describe('resumed pre-training options', () => {
  it("are the checkpoint's model, batch, context, seed, schedule, weight decay and clipping", () => {
    const tokenizer = CharTokenizer.fromCorpus('a tiny corpus');
    const config = {
      ...PRESETS.tiny,
      vocabSize: tokenizer.vocabSize,
      nPositions: 16,
      nEmbd: 16,
      nHead: 2,
      nInner: 64,
      nLayer: 1,
    };
    const schedule = pretrainSchedule(3e-4, 70);
    const files = writeCheckpoint({
      config,
      heads: {},
      params: initParams(config, 1),
      moments: { m: initParams(config, 2), v: initParams(config, 3) },
      state: {
        format: 'gpt1-lab-checkpoint',
        version: 1,
        kind: 'pretrain',
        step: 9,
        tokens: 9 * 48,
        seed: 11,
        dataCursor: 27,
        B: 3,
        T: 16,
        schedule,
        weightDecay: 0.05,
        maxGradNorm: 0.5,
        tokenizer: tokenizer.toJSON(),
        notes: {},
      },
    });
    const options = resumedPretrainOptions(readCheckpoint(files));
    expect(options).toEqual({ config, B: 3, T: 16, seed: 11, schedule, weightDecay: 0.05, maxGradNorm: 0.5 });
  });
});
