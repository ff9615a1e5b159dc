// Sequence log-probabilities on the GPU against GPT-1's float64 CPU forward (the ops' references composed),
// on the hf-tiny fixture model: every scored token of sequences of several lengths, more sequences than a
// batch, a sequence longer than the context (its last T tokens), and refusals of what cannot be scored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextTokenLogProbsRef } from '../../../test-support/gpt-reference.ts';
import { rng } from '../../../test-support/numerics.ts';
import { openTestGpu } from '../../../test-support/test-gpu.ts';
import type { GpuContext } from '../../gpu/device.ts';
import { readHfFolder } from '../../model/hf-folder-node.ts';
import { importHfCheckpoint } from '../../model/hf-format.ts';
import type { ParamValues } from '../../model/weights.ts';
import { SequenceScorer } from './sequence-scorer.ts';

/**
 * Tolerance on a log-probability: the fixture's logits match Hugging Face within ~2e-7 of their scale
 * (parity), i.e. absolute errors of a few 1e-6 at logit scales below 10; a log-softmax adds the f32
 * log-sum-exp of V terms (relative error ~V·2^-24 of a sum of order V: a few 1e-6). 1e-4 keeps a 10x margin
 * while still catching a wrong position or target (errors of order 0.1 and more).
 */
const ATOL = 1e-4;

describe('SequenceScorer', () => {
  let ctx: GpuContext;
  let model: ReturnType<typeof importHfCheckpoint>;
  beforeAll(async () => {
    ctx = await openTestGpu();
    model = importHfCheckpoint(await readHfFolder('../shared/fixtures/hf-tiny/base'));
  });
  afterAll(() => ctx.destroy());

  it('scores every token from `from` on as the float64 reference does', async () => {
    const { config, params } = model;
    const next = rng(11);
    const sequence = (n: number) => Array.from({ length: n }, () => Math.floor(next() * config.vocabSize));
    const cases = [
      { ids: sequence(6), from: 1 },
      { ids: sequence(12), from: 7 },
      { ids: sequence(config.nPositions), from: 20 },
      { ids: sequence(3), from: 2 },
      { ids: sequence(9), from: 4 }, // a fifth: more than one batch of 4
    ];
    const scorer = await SequenceScorer.create(ctx, config, { values: params as ParamValues }, 4);
    const scores = await scorer.score(cases);
    cases.forEach(({ ids, from }, i) => {
      const reference = nextTokenLogProbsRef(config, params, ids).subarray(from - 1);
      expect(scores[i]!.length).toBe(ids.length - from);
      for (const [t, r] of reference.entries()) {
        expect(Math.abs(scores[i]![t]! - r), `sequence ${i}, token ${t}`).toBeLessThan(ATOL);
      }
    });
    // Longer than the context: the last T tokens are scored, as if they were the whole sequence.
    const long = sequence(config.nPositions + 5);
    const [cut] = await scorer.score([{ ids: long, from: long.length - 3 }]);
    const reference = nextTokenLogProbsRef(config, params, long.slice(5)).subarray(-3);
    for (const [t, r] of reference.entries()) expect(Math.abs(cut![t]! - r)).toBeLessThan(ATOL);
    // A scored part longer than the context: its last T - 1 tokens.
    const [clamped] = await scorer.score([{ ids: long, from: 2 }]);
    const tail = nextTokenLogProbsRef(config, params, long.slice(5));
    expect(clamped!.length).toBe(config.nPositions - 1);
    for (const [t, r] of tail.entries()) expect(Math.abs(clamped![t]! - r)).toBeLessThan(ATOL);
    await expect(scorer.score([{ ids: [1, 2], from: 0 }])).rejects.toThrow(/cannot score tokens 0\.\./);
    await expect(scorer.score([{ ids: [1, 2], from: 3 }])).rejects.toThrow(/cannot score tokens 3\.\./);
    scorer.destroy();
  });
});
