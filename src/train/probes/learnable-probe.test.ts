// A zero-shot probe whose answer pre-training can learn by construction rises from chance: a corpus that
// always writes "very positive" after lines about good things and "very negative" after lines
// about bad things teaches a tiny model to prefer the right continuation on lines it never saw (GPU tier:
// Dawn/SwiftShader; the probe reads the training program's weights in place).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../../test-support/numerics.ts';
import { openTestGpu } from '../../../test-support/test-gpu.ts';
import { splitTrainVal } from '../../data/lm-batches.ts';
import type { GpuContext } from '../../gpu/device.ts';
import { PRESETS } from '../../model/config.ts';
import { initParams } from '../../model/weights.ts';
import { CharTokenizer } from '../../tokenizer/char.ts';
import { LmTrainer } from '../lm-trainer.ts';
import { pretrainSchedule } from '../schedule.ts';
import { StepDriver } from '../step-driver.ts';
import type { ProbeSet } from './probe-sets.ts';
import { SequenceScorer } from './sequence-scorer.ts';
import { runProbes } from './zero-shot.ts';

const NAMES = ['ada', 'bo', 'cy', 'di', 'ed', 'fay', 'gus', 'hal', 'ivy', 'jo', 'kim', 'lu'];
const GOOD = ['joy', 'fun', 'luck'];
const BAD = ['pain', 'loss', 'grief'];
/** Names the corpus never uses: the probe's lines are new to the model. */
const HELD_OUT = ['max', 'ned', 'oz', 'pam'];
const STEPS = 500;

function line(name: string, good: boolean, i: number): string {
  const word = (good ? GOOD : BAD)[i % 3]!;
  return `${name} ${word}. very ${good ? 'positive' : 'negative'}.`;
}

describe('a learnable zero-shot probe', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it('rises from chance to at least 0.9 accuracy with pre-training', { timeout: 600_000 }, async () => {
    const next = rng(5);
    const corpus = Array.from({ length: 3000 }, (_, i) =>
      line(NAMES[Math.floor(next() * NAMES.length)]!, next() < 0.5, i),
    ).join('\n');
    const tokenizer = CharTokenizer.fromCorpus(`${corpus}${HELD_OUT.join('')}`);
    const probe: ProbeSet = {
      kind: 'sentiment',
      name: 'learnable sentiment',
      items: HELD_OUT.flatMap((name, n) =>
        [true, false].flatMap((good) =>
          [0, 1, 2].map((i) => ({ text: `${name} ${(good ? GOOD : BAD)[(i + n) % 3]}.`, positive: good })),
        ),
      ),
    };
    const config = {
      ...PRESETS.tiny,
      vocabSize: tokenizer.vocabSize,
      nLayer: 2,
      nEmbd: 32,
      nHead: 2,
      nInner: 128,
      nPositions: 48,
    };
    const options = { config, B: 8, T: 32, seed: 3, schedule: pretrainSchedule(1e-2, STEPS) };
    const ids = Uint32Array.from(tokenizer.encode(corpus));
    const trainer = await LmTrainer.create(ctx, options, splitTrainVal(ids, options.T), initParams(config, 3));
    const scorer = await SequenceScorer.create(
      ctx,
      config,
      { shared: { program: trainer.program, params: trainer.model.params } },
      8,
      options.T,
    );
    try {
      const score = (sequences: Parameters<SequenceScorer['score']>[0]) => scorer.score(sequences);
      const [before] = await runProbes([probe], tokenizer, score);
      // Steps pipelined as in a real run (the probe reads the weights only at the boundaries).
      await new StepDriver(trainer, { totalSteps: STEPS, point: () => 0, report: () => {} }).run();
      const [after] = await runProbes([probe], tokenizer, score);
      console.log(`learnable sentiment probe: accuracy ${before!.value} before, ${after!.value} after ${STEPS} steps`);
      expect(before!.value).toBeLessThanOrEqual(0.75); // an untrained model is near chance (0.5) on 24 items
      expect(after!.value).toBeGreaterThanOrEqual(0.9);
      expect(after!.normalized).toBeGreaterThanOrEqual(0.8);
    } finally {
      scorer.destroy();
      trainer.destroy();
    }
  });
});
