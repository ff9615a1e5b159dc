// Try it against the float64 reference (Dawn/SwiftShader): a tiny model with task heads (weights scaled so
// the classes are far from even) takes one example of each shape; its probabilities must equal a softmax of
// the float64 forward's head at each sequence's extract token, for the classification and the multiple-choice
// forms, and the similarity score must be the head on the two orders' states added. The example comes back as
// the model sees it (start, delimiter, extract), and the attention maps are of the sequence asked for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gptHiddenRef } from '../../../test-support/gpt-reference.ts';
import { testGpu } from '../../../test-support/test-gpu.ts';
import { type GpuContext, openGpu } from '../../gpu/device.ts';
import { type Gpt1Config, PRESETS } from '../../model/config.ts';
import { ensureTaskSpecialTokens } from '../../model/task-inputs.ts';
import { initParams } from '../../model/weights.ts';
import { CharTokenizer } from '../../tokenizer/char.ts';
import type { TaskSpec } from '../../train/finetune-graph.ts';
import { softmax64, type TriedModel, type TryInput, tryModel } from './try-model.ts';

let ctx: GpuContext;
beforeAll(async () => {
  ctx = await openGpu(await testGpu());
});
afterAll(() => ctx.destroy());

const TEXT = 'a fine film. was it? the cat sat on the mat because it was tired';

function model(task: TaskSpec, classNames?: string[]): TriedModel {
  const tokenizer = CharTokenizer.fromCorpus(TEXT);
  ensureTaskSpecialTokens(tokenizer);
  const config: Gpt1Config = {
    ...PRESETS.tiny,
    nLayer: 1,
    nEmbd: 32,
    nHead: 2,
    nInner: 128,
    nPositions: 32,
    vocabSize: tokenizer.vocabSize,
  };
  const heads = task.family === 'multiple-choice' ? { multipleChoice: true } : { classifierLabels: task.numLabels };
  const params = initParams(config, 5, heads);
  // The init's 0.02 head gives near-even classes, which would hide a wrong head: scale it to logits of order 1.
  for (const name of ['cls.w', 'mc.w'])
    params.get(name)?.forEach((v, i, a) => {
      a[i] = v * 50;
    });
  params.get('mc.b')?.fill(0.3);
  return { config, task, tokenizer, T: 32, params, ...(classNames ? { classNames } : {}) };
}

const device = async () => ctx;

/** The float64 extract state [C] of a sequence: the final hidden state at its last token. */
function extractRef(m: TriedModel, ids: number[]): Float64Array {
  const C = m.config.nEmbd;
  const h = gptHiddenRef(m.config, m.params, ids); // [T, C]
  return h.slice((ids.length - 1) * C, ids.length * C);
}

/** Row k of a [rows, C] weight times `x` (float64). */
const dot = (w: Float32Array, k: number, x: Float64Array) => x.reduce((sum, v, c) => sum + v * w[k * x.length + c]!, 0);

const idsOf = (outcome: Awaited<ReturnType<typeof tryModel>>, k: number) =>
  outcome.sequences[k]!.tokens.filter((t) => t.kind !== 'truncated').map((t) => t.id);

// f32 forward vs float64: the parity tests measure logits within 2.2e-7 relative on hf-tiny; here logits are
// of order 1 over sums of 32–128 terms, so their f32 error stays under ~1e-5, and a softmax moves a probability
// by at most half the logit error difference (|dp| <= p(1-p)·|d(z_i - z_j)| <= 0.5·2e-5). 1e-5 holds with room.
const TOLERANCE = 1e-5;

describe('Try it', () => {
  it('classification: probabilities equal the float64 head softmax; the input with its markers; attention', async () => {
    const m = model({ family: 'classification', regression: false, numLabels: 3 }, ['neg', 'neutral', 'pos']);
    const outcome = await tryModel(device, m, { kind: 'text', text: 'a fine film' });
    const seq = outcome.sequences[0]!;
    expect(seq.tokens.map((t) => t.kind)).toEqual(['start', ...Array(11).fill('text'), 'extract']);
    const h = extractRef(m, idsOf(outcome, 0));
    const w = m.params.get('cls.w')!;
    const expected = softmax64([0, 1, 2].map((k) => dot(w, k, h)));
    expect(outcome.probabilities!.map((p) => p.label)).toEqual(['neg', 'neutral', 'pos']);
    expect(Math.max(...expected) - Math.min(...expected), 'classes far from even').toBeGreaterThan(0.05);
    for (const [k, p] of outcome.probabilities!.entries()) {
      expect(Math.abs(p.probability - expected[k]!)).toBeLessThan(TOLERANCE);
    }
    const { attention } = outcome;
    const T = seq.length;
    expect(attention).toMatchObject({ layers: 1, heads: 2, T, sequence: 0 });
    expect(attention.tokens.join('')).toContain('a fine film');
    const last = attention.data.subarray(T * T - T, T * T); // layer 0, head 0: the extract token's row
    expect(last.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
  });

  it('multiple choice: one probability per choice, the float64 softmax of the choices’ scores', async () => {
    const m = model({ family: 'multiple-choice', regression: false, numLabels: 2 });
    const input: TryInput = {
      kind: 'choice',
      context: 'the cat sat',
      choices: ['on the mat', 'it was tired', 'was it?'],
    };
    const outcome = await tryModel(device, m, input, 2);
    expect(outcome.sequences).toHaveLength(3);
    expect(outcome.sequences[1]!.tokens.map((t) => t.kind)).toContain('delimiter');
    const w = m.params.get('mc.w')!;
    const b = m.params.get('mc.b')![0]!;
    const scores = [0, 1, 2].map((k) => dot(w, 0, extractRef(m, idsOf(outcome, k))) + b);
    const expected = softmax64(scores);
    expect(outcome.probabilities!.map((p) => p.label)).toEqual(['choice 1', 'choice 2', 'choice 3']);
    expect(Math.max(...expected) - Math.min(...expected), 'choices far from even').toBeGreaterThan(0.05);
    for (const [k, p] of outcome.probabilities!.entries()) {
      expect(Math.abs(p.probability - expected[k]!)).toBeLessThan(TOLERANCE);
    }
    expect(outcome.attention.sequence).toBe(2);
    expect(outcome.attention.T).toBe(outcome.sequences[2]!.length);
  });

  it('similarity: the score is the head on both orders’ extract states added', async () => {
    const m = model({ family: 'similarity', regression: true, numLabels: 1 });
    const outcome = await tryModel(device, m, { kind: 'pair', a: 'the cat sat', b: 'on the mat' });
    expect(outcome.sequences.map((s) => s.title)).toEqual(['A $ B', 'B $ A']);
    const [ab, ba] = [0, 1].map((k) => extractRef(m, idsOf(outcome, k)));
    const expected = dot(
      m.params.get('cls.w')!,
      0,
      ab!.map((v, c) => v + ba![c]!),
    );
    expect(outcome.probabilities).toBeUndefined();
    expect(Math.abs(outcome.score! - expected)).toBeLessThan(TOLERANCE * Math.max(1, Math.abs(expected)));
  });

  it('refuses an empty field or a shape that is not the task’s, naming it', async () => {
    const m = model({ family: 'entailment', regression: false, numLabels: 2 });
    await expect(tryModel(device, m, { kind: 'text', text: 'x' })).rejects.toThrow('Entailment takes two texts.');
    await expect(tryModel(device, m, { kind: 'pair', a: 'x', b: ' ' })).rejects.toThrow('The hypothesis is empty');
    await expect(tryModel(device, m, { kind: 'pair', a: 'x', b: 'y' }, 1)).rejects.toThrow(/has 1 sequences/);
  });
});
