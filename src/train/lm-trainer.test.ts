// Pre-training on the GPU tier (Dawn/SwiftShader): the loss of a tiny model on tiny shakespeare falls,
// the same seed gives the same loss bits, and N + N steps through a checkpoint equal 2N steps bit for bit.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import { readCorpus } from '../data/corpus.ts';
import { splitTrainVal } from '../data/lm-batches.ts';
import type { GpuContext } from '../gpu/device.ts';
import { PRESETS } from '../model/config.ts';
import { initParams } from '../model/weights.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { LmTrainer, type LmTrainerOptions, NonFiniteError } from './lm-trainer.ts';
import { pretrainSchedule } from './schedule.ts';

const corpus = readCorpus('tinyshakespeare.txt', readFileSync(resolve('../shared/data/pretrain/tinyshakespeare.txt')));
const tokenizer = CharTokenizer.fromCorpus(corpus.text);
const ids = Uint32Array.from(tokenizer.encode(corpus.text));

describe('LM pre-training', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  const options = (steps: number, overrides: Partial<LmTrainerOptions> = {}): LmTrainerOptions => ({
    config: { ...PRESETS.tiny, vocabSize: tokenizer.vocabSize, nPositions: 32 },
    B: 4,
    T: 32,
    seed: 1234,
    schedule: pretrainSchedule(3e-3, steps),
    evalBatches: 4,
    ...overrides,
  });

  it('lowers the validation loss of the tiny preset on tiny shakespeare', { timeout: 900_000 }, async () => {
    // The tiny preset (2 layers x 64 dims, 4 heads) at a short context and batch: SwiftShader runs about
    // 100-200 tokens/s, and CI must stay short.
    const steps = 150;
    const opts = options(steps);
    const trainer = await LmTrainer.create(ctx, opts, splitTrainVal(ids, opts.T), initParams(opts.config, opts.seed));
    try {
      const initial = await trainer.evaluate();
      let last = { loss: Number.NaN, gradNorm: Number.NaN };
      for (let i = 0; i < steps; i++) last = await trainer.trainStep();
      const final = await trainer.evaluate();
      console.log(`tiny preset, ${steps} steps of 4x32: val loss ${initial.toFixed(3)} -> ${final.toFixed(3)}`);
      // Uniform over 66 symbols is ln 66 = 4.19; at init the model is close to that.
      expect(initial).toBeGreaterThan(4.0);
      expect(initial).toBeLessThan(4.4);
      // Character unigram statistics alone give ~3.3 nats: the model must have learned context beyond them.
      expect(final).toBeLessThan(3.1);
      expect(Number.isFinite(last.gradNorm)).toBe(true);
    } finally {
      trainer.destroy();
    }
  });

  it('gives identical loss bits for the same seed, and different ones for another seed', async () => {
    const run = async (seed: number) => {
      const opts = options(5, { seed });
      const trainer = await LmTrainer.create(ctx, opts, splitTrainVal(ids, opts.T), initParams(opts.config, seed));
      const losses: number[] = [];
      for (let i = 0; i < 5; i++) losses.push((await trainer.trainStep()).loss);
      trainer.destroy();
      return losses;
    };
    const a = await run(7);
    const b = await run(7);
    expect(b).toEqual(a); // toEqual on numbers is Object.is: exact bits
    expect(await run(8)).not.toEqual(a);
  });

  it('refuses to checkpoint non-finite weights, and flags a non-finite loss', async () => {
    const opts = options(2);
    const poisoned = initParams(opts.config, opts.seed);
    poisoned.get('h0.fcw')![5] = Number.POSITIVE_INFINITY;
    const trainer = await LmTrainer.create(ctx, opts, splitTrainVal(ids, opts.T), poisoned);
    try {
      await expect(trainer.checkpoint(tokenizer.toJSON())).rejects.toThrow(/step 0: weight h0\.fcw\[5\] is Infinity/);
      await expect(trainer.trainStep()).rejects.toBeInstanceOf(NonFiniteError);
    } finally {
      trainer.destroy();
    }
  });

  it('resumes from a checkpoint: 3 + 3 steps equal 6 steps, bit for bit', async () => {
    const opts = options(6);
    const split = splitTrainVal(ids, opts.T);
    const straight = await LmTrainer.create(ctx, opts, split, initParams(opts.config, opts.seed));
    for (let i = 0; i < 6; i++) await straight.trainStep();
    const expected = await straight.params();
    straight.destroy();

    const first = await LmTrainer.create(ctx, opts, split, initParams(opts.config, opts.seed));
    for (let i = 0; i < 3; i++) await first.trainStep();
    // Through the on-disk format: the folder's bytes are all a resumed run gets.
    const files = writeCheckpoint(await first.checkpoint(tokenizer.toJSON()));
    first.destroy();

    const resumed = await LmTrainer.create(ctx, opts, split, initParams(opts.config, 999));
    resumed.restoreCheckpoint(readCheckpoint(files));
    for (let i = 0; i < 3; i++) await resumed.trainStep();
    const actual = await resumed.params();
    resumed.destroy();
    expect(resumed.step).toBe(6);
    for (const [name, values] of expected) expect(actual.get(name), name).toEqual(values);
  });
});
