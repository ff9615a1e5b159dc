// The next-token view's probabilities (GPU tier): the generator's logits for a prompt through the sampler's
// transform (temperature, top-k) against GPT-1's float64 CPU forward and a float64 softmax written here, on
// the hf-tiny fixture model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gptLogitsRef } from '../../test-support/gpt-reference.ts';
import { rng } from '../../test-support/numerics.ts';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { GpuContext } from '../gpu/device.ts';
import { readHfFolder } from '../model/hf-folder-node.ts';
import { importHfCheckpoint } from '../model/hf-format.ts';
import type { ParamValues } from '../model/weights.ts';
import { Generator } from './generator.ts';
import { nextTokenDistribution } from './sampling.ts';

/** softmax(logits / temperature) over the k largest logits, in float64, most likely first. */
function distributionRef(logits: Float64Array, temperature: number, topK: number) {
  const ranked = [...logits.keys()].sort((a, b) => logits[b]! - logits[a]! || a - b);
  const kept = topK > 0 ? ranked.slice(0, topK) : ranked;
  const max = logits[kept[0]!]!;
  const weights = kept.map((id) => Math.exp((logits[id]! - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  return kept.map((id, i) => ({ id, probability: weights[i]! / total }));
}

/**
 * The fixture's f32 logits match the float64 forward within a few 1e-6 (see sequence-scorer.test.ts), so
 * δ ≤ 2e-5 bounds them; a softmax at temperature τ moves each probability p by at most p·2δ/τ, under 6e-5
 * at τ = 0.7. 1e-4 still catches a wrong row, a wrong temperature or a missing renormalisation (≥ 1e-2).
 */
const ATOL = 1e-4;

describe('next-token view', () => {
  let ctx: GpuContext;
  let model: ReturnType<typeof importHfCheckpoint>;
  beforeAll(async () => {
    ctx = await openTestGpu();
    model = importHfCheckpoint(await readHfFolder('../shared/fixtures/hf-tiny/base'));
  });
  afterAll(() => ctx.destroy());

  it('gives the float64 reference distribution after temperature and top-k', async () => {
    const { config, params } = model;
    const next = rng(5);
    const prompt = Array.from({ length: 9 }, () => Math.floor(next() * config.vocabSize));
    const generator = await Generator.create(ctx, config, { values: params as ParamValues });
    try {
      const logits = await generator.nextLogits(prompt);
      const V = config.vocabSize;
      const reference = gptLogitsRef(config, params, prompt).subarray((prompt.length - 1) * V); // [V]
      for (const [temperature, topK] of [
        [1, 0],
        [0.7, 5],
        [2, 3],
      ] as const) {
        const shown = nextTokenDistribution(logits, { temperature, topK }, 10);
        const expected = distributionRef(reference, temperature, topK).slice(0, 10);
        expect(shown.map((t) => t.id)).toEqual(expected.map((t) => t.id));
        shown.forEach((t, i) => {
          expect(Math.abs(t.probability - expected[i]!.probability), `T ${temperature}, k ${topK}, #${i}`).toBeLessThan(
            ATOL,
          );
        });
        if (topK > 0) expect(shown.reduce((sum, t) => sum + t.probability, 0)).toBeCloseTo(1, 12); // all k shown
      }
      const greedy = nextTokenDistribution(logits, { temperature: 0, topK: 0 }, 10);
      expect(greedy).toEqual([{ id: distributionRef(reference, 1, 1)[0]!.id, probability: 1 }]);
    } finally {
      generator.destroy();
    }
  });
});
