// Gradient accumulation (GPU tier, Dawn/SwiftShader): a step of A micro-batches of B/A sequences computes
// the loss and gradients of one step of B sequences, within the f32 rounding of the other summation order,
// in pre-training and in fine-tuning (where padding makes the micro-batches unequal); it plans the
// activations of one micro-batch, and accumulation 1 is the unaccumulated step's graph.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import { readCorpus } from '../data/corpus.ts';
import { splitTrainVal } from '../data/lm-batches.ts';
import type { GpuContext } from '../gpu/device.ts';
import { type Gpt1Config, PRESETS, withoutDropout } from '../model/config.ts';
import { initParams, type ParamValues } from '../model/weights.ts';
import type { Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { parseTaskFiles, prepareFinetune } from './finetune-prepare.ts';
import { FinetuneTrainer } from './finetune-trainer.ts';
import { buildTrainGraph, LmTrainer, type LmTrainerOptions, planTraining } from './lm-trainer.ts';
import { pretrainSchedule } from './schedule.ts';

const corpus = readCorpus('tinyshakespeare.txt', readFileSync(resolve('../shared/data/pretrain/tinyshakespeare.txt')));
const tokenizer = CharTokenizer.fromCorpus(corpus.text.slice(0, 200_000));
const ids = Uint32Array.from(tokenizer.encode(corpus.text.slice(0, 200_000)));

function head(path: string, rows: number) {
  const lines = readFileSync(resolve('../shared/data', path), 'utf8').split('\n');
  return { name: path.split('/').at(-1)!, text: `${lines.slice(0, rows + 1).join('\n')}\n` };
}

/** The f32 unit roundoff, 2^-24. */
const U = 2 ** -24;

/** Every gradient within `tolerance` of its tensor's largest entry; returns the worst such ratio. */
function expectSameGradients(actual: ParamValues, expected: ParamValues, tolerance: number, what: string): number {
  let worst = 0;
  for (const [name, want] of expected) {
    const got = actual.get(name)!;
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < want.length; i++) {
      scale = Math.max(scale, Math.abs(want[i]!));
      diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    }
    expect(scale, `${name} has a gradient`).toBeGreaterThan(0);
    expect(diff, `grad(${name}) with ${what}`).toBeLessThanOrEqual(tolerance * scale);
    worst = Math.max(worst, diff / scale);
  }
  return worst;
}

/** Every parameter's gradient as the program holds it after a step. */
async function readGradients(program: Program, params: Map<string, Tensor>): Promise<ParamValues> {
  const grads: ParamValues = new Map();
  for (const [name, param] of params) {
    if (!param.requiresGrad) continue;
    grads.set(name, (await program.readF32(program.graph.grad(param))) as Float32Array<ArrayBuffer>);
  }
  return grads;
}

describe('gradient accumulation', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  // Dropout off: the micro-batches' masks are drawn from other streams than the whole batch's, so only
  // without dropout do both compute the same function. Clipping off, so the gradients read are the raw sums.
  const options = (accumulation: number): LmTrainerOptions => ({
    config: withoutDropout({ ...PRESETS.tiny, vocabSize: tokenizer.vocabSize, nPositions: 16 }),
    B: 4,
    T: 16,
    seed: 5,
    schedule: pretrainSchedule(1e-3, 10),
    maxGradNorm: 0,
    accumulation,
  });

  /** One step from the same weights on the same batch: its result and every parameter's gradient. */
  async function oneStep(accumulation: number) {
    const opts = options(accumulation);
    const trainer = await LmTrainer.create(ctx, opts, splitTrainVal(ids, opts.T), initParams(opts.config, 11));
    try {
      const result = await trainer.trainStep();
      const grads: ParamValues = new Map();
      for (const [name, param] of trainer.model.params) {
        grads.set(
          name,
          (await trainer.program.readF32(trainer.program.graph.grad(param))) as Float32Array<ArrayBuffer>,
        );
      }
      return { result, grads };
    } finally {
      trainer.destroy();
    }
  }

  it('sums micro-batches to the whole batch: loss, gradient norm and every gradient', {
    timeout: 300_000,
  }, async () => {
    const whole = await oneStep(1);
    for (const A of [2, 4]) {
      const acc = await oneStep(A);
      // Every row's forward and backward are the same bits in both (each output of a kernel is a function of
      // its own row), and the seeds 1/A and the means' 1/(B*T/A) are powers of two, so only the reductions
      // over rows differ: weight gradients and LayerNorm/embedding sums (K = B*T = 64 terms, as one chain or
      // as A chains then added) and the loss's mean. Two orders of a K-term f32 sum differ by at most
      // 2 * γ_K * Σ|terms|, γ_K = K*u. We scale by the tensor's largest gradient entry instead of Σ|terms|
      // (not read back) and allow Σ|terms| up to 4x that entry for cancellation among the rows.
      const K = 4 * 16;
      const tolerance = 2 * 4 * K * U;
      expect(Math.abs(acc.result.loss - whole.result.loss)).toBeLessThan(tolerance * whole.result.loss);
      expect(Math.abs(acc.result.gradNorm - whole.result.gradNorm)).toBeLessThan(tolerance * whole.result.gradNorm);
      const worst = expectSameGradients(acc.grads, whole.grads, tolerance, `${A} micro-batches`);
      console.log(`accumulation ${A}: worst gradient difference ${worst.toExponential(2)} of the tensor's largest`);
    }
  });

  it('plans the activations of one micro-batch, and accumulation 1 is the unaccumulated graph', () => {
    const activations = (B: number, accumulation: number) =>
      planTraining({ ...options(accumulation), B }).plan.bytesByClass.activation;
    // 4 micro-batches of 1 sequence need what one step of 1 sequence needs, up to the 4-byte losses kept to
    // the end (one per micro-batch), each in its own aligned buffer slot.
    expect(activations(4, 4)).toBeLessThan(activations(4, 1));
    expect(activations(4, 4)).toBeLessThanOrEqual(activations(1, 1) + 3 * 256);
    const labels = (accumulation?: number) =>
      buildTrainGraph({ ...options(1), accumulation }).g.nodes.map(
        (n) => `${n.label.replace(/#\d+/g, '')}${JSON.stringify(n.params)}`,
      );
    expect(labels(1)).toEqual(labels(undefined));
    expect(() => buildTrainGraph(options(3))).toThrow(/accumulation 3 must be a whole number that divides the batch 4/);
  });

  it('fine-tuning: micro-batches with padding sum to the whole batch, L2 and λ·L1', { timeout: 300_000 }, async () => {
    const train = parseTaskFiles(
      'classification',
      head('classification/sst2/train.tsv', 3),
      head('classification/sst2/dev.tsv', 2),
    ).train;
    const config: Gpt1Config = { ...PRESETS.tiny, nLayer: 1, nEmbd: 32, nHead: 2, nInner: 128, nPositions: 48 };
    const p = prepareFinetune({
      family: 'classification',
      train,
      dev: train,
      init: {
        kind: 'scratch',
        config,
        tokenizer: CharTokenizer.fromCorpus(train.examples.map((e) => JSON.stringify(e)).join('')),
      },
    });
    // 3 examples in a batch of 4: with 2 micro-batches they hold 2 and 1, with 4 the last holds none.
    const step = async (accumulation: number) => {
      const options = {
        ...p.trainer,
        B: 4,
        config: withoutDropout(p.trainer.config),
        classifierDropout: 0,
        maxGradNorm: 0,
        accumulation,
      };
      const trainer = await FinetuneTrainer.create(ctx, options, p.trainSet, p.initial);
      try {
        const result = await trainer.trainStep();
        return { result, grads: await readGradients(trainer.program, trainer.taskGraph.model.params) };
      } finally {
        trainer.destroy();
      }
    };
    const whole = await step(1);
    expect(whole.result.lmLoss).not.toBeNull();
    for (const A of [2, 4]) {
      const acc = await step(A);
      // As above, but the shares of unequal micro-batches (2/3, 1/3) are not powers of two: their seeds
      // round once more (u), well inside the bound; K = the batch's real tokens, at most B * T.
      const tolerance = 2 * 4 * (4 * p.trainer.T) * U;
      for (const key of ['taskLoss', 'lmLoss', 'loss', 'gradNorm'] as const) {
        const want = whole.result[key]!;
        expect(Math.abs(acc.result[key]! - want), `${key} with ${A} micro-batches`).toBeLessThan(tolerance * want);
      }
      expect(acc.result.examples).toBe(3);
      const worst = expectSameGradients(acc.grads, whole.grads, tolerance, `${A} fine-tuning micro-batches`);
      console.log(`fine-tuning, accumulation ${A}: worst gradient difference ${worst.toExponential(2)}`);
    }
  });
});
