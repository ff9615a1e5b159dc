// The fine-tuning trainer on the GPU tier (Dawn/SwiftShader): similarity is order-invariant by construction,
// multiple choice is a softmax over per-choice scalars, padding slots add nothing to the loss (cross-entropy
// and MSE), transfer-layers re-initialises exactly the right weights, and N + N steps through a checkpoint
// equal 2N steps bit for bit.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { TaskDataset, TaskExample } from '../data/tasks/task-types.ts';
import type { GpuContext } from '../gpu/device.ts';
import { type Gpt1Config, PRESETS, withoutDropout } from '../model/config.ts';
import { initParams } from '../model/weights.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { layerOf } from './finetune-init.ts';
import { type FinetuneOptions, parseTaskFiles, prepareFinetune } from './finetune-prepare.ts';
import { FinetuneTrainer } from './finetune-trainer.ts';

const config: Gpt1Config = { ...PRESETS.tiny, nLayer: 1, nEmbd: 32, nHead: 2, nInner: 128, nPositions: 48 };
const tokenizer = CharTokenizer.fromCorpus('abcdefghijklmnopqrstuvwxyz .,');

function slice(path: string, rows: number, header = true) {
  const lines = readFileSync(resolve('../shared/data', path), 'utf8').split('\n');
  return { name: path.split('/').at(-1)!, text: `${lines.slice(0, rows + (header ? 1 : 0)).join('\n')}\n` };
}

function dataset(family: TaskDataset['family'], examples: TaskExample[], regression = false): TaskDataset {
  const labels = regression || family === 'multiple-choice' ? undefined : { names: ['0', '1'] };
  return {
    fileName: 'made.tsv',
    format: 'mapped-columns',
    description: 'made',
    family,
    regression,
    labels,
    examples,
    columns: {},
  };
}

/** Prepared options with dropout off everywhere (so a step's loss is the evaluation's loss) and batch B. */
function noDropout(options: FinetuneOptions, B: number) {
  const p = prepareFinetune(options);
  return { ...p, trainer: { ...p.trainer, B, config: withoutDropout(p.trainer.config), classifierDropout: 0 } };
}

describe('task trainer', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  it('similarity gives the same logits for (A, B) and (B, A)', async () => {
    const { train } = parseTaskFiles(
      'similarity',
      slice('similarity/mrpc/train.tsv', 8),
      slice('similarity/mrpc/dev.tsv', 2),
    );
    const pair = (a: string, b: string, label: number): TaskExample => ({ kind: 'pair', a, b, label, line: 1 });
    const dev = dataset('similarity', [
      pair('the cat sat.', 'a dog ran', 1),
      pair('a dog ran', 'the cat sat.', 1),
      pair('the cat sat.', 'birds fly', 0),
    ]);
    const p = prepareFinetune({
      family: 'similarity',
      train,
      dev,
      init: { kind: 'scratch', config, tokenizer },
      lr: 1e-3,
    });
    const trainer = await FinetuneTrainer.create(ctx, p.trainer, p.trainSet, p.initial);
    try {
      for (let i = 0; i < 2; i++) await trainer.trainStep(); // any weights: invariance holds by construction
      const { outputs, width } = await trainer.evaluate(p.devSet);
      const row = (i: number) => Array.from(outputs.subarray(i * width, (i + 1) * width));
      expect(width).toBe(2);
      expect(row(1)).toEqual(row(0)); // exact bits: the same two sequences, added in the other order
      expect(row(2)).not.toEqual(row(0));
    } finally {
      trainer.destroy();
    }
  });

  it('multiple choice: one scalar per choice, softmax over the K choices, padding slots ignored', async () => {
    const choice = (context: string, choices: string[], label: number): TaskExample => ({
      kind: 'choice',
      context,
      choices,
      label,
      line: 1,
    });
    const examples = [
      choice('it rained', ['we got wet', 'we were dry', 'the sun shone'], 0),
      choice('it rained', ['the sun shone', 'we got wet', 'we were dry'], 1),
      choice('he ran', ['he was late', 'he slept', 'he sat'], 0),
      choice('she sang', ['a song', 'a rock', 'a chair'], 0),
      choice('the ice', ['melted', 'sang', 'flew'], 0),
    ];
    const set = dataset('multiple-choice', examples);
    // Five examples in batches of 8: three padding slots. λ = 0 so the step's loss is L2 alone.
    const p = noDropout(
      { family: 'multiple-choice', train: set, dev: set, init: { kind: 'scratch', config, tokenizer }, auxLm: 0 },
      8,
    );
    const trainer = await FinetuneTrainer.create(ctx, p.trainer, p.trainSet, p.initial);
    try {
      const { outputs, width, predictions } = await trainer.evaluate(p.devSet);
      expect(width).toBe(3);
      const s = (i: number, k: number) => outputs[i * 3 + k]!;
      // Example 1 holds example 0's choices rotated: each choice's score moves with it, bit for bit.
      expect([s(1, 0), s(1, 1), s(1, 2)]).toEqual([s(0, 2), s(0, 0), s(0, 1)]);
      // The first step's loss (before its update) is the mean over the 5 real examples of -log softmax.
      let ce = 0;
      for (let i = 0; i < 5; i++) {
        const row = [s(i, 0), s(i, 1), s(i, 2)];
        const lse = Math.log(row.reduce((sum, x) => sum + Math.exp(x), 0));
        ce += lse - row[examples[i]!.label]!;
      }
      const step = await trainer.trainStep();
      expect(step.lmLoss).toBeNull();
      expect(step.examples).toBe(5);
      expect(step.taskLoss).toBeCloseTo(ce / 5, 5);
      expect(Math.abs(step.taskLoss - Math.log(3))).toBeLessThan(0.05); // near-uniform at initialisation
      for (let i = 0; i < 5; i++) {
        const row = [s(i, 0), s(i, 1), s(i, 2)];
        expect(predictions[i]).toBe(row.indexOf(Math.max(...row)));
      }
    } finally {
      trainer.destroy();
    }
  });

  it('regression: MSE over the real examples only', async () => {
    const { train } = parseTaskFiles(
      'similarity',
      slice('similarity/stsb/train.tsv', 5),
      slice('similarity/stsb/dev.tsv', 2),
    );
    const p = noDropout(
      { family: 'similarity', train, dev: train, init: { kind: 'scratch', config, tokenizer }, auxLm: 0 },
      8,
    );
    const trainer = await FinetuneTrainer.create(ctx, p.trainer, p.trainSet, p.initial);
    try {
      const { outputs, width, predictions } = await trainer.evaluate(p.devSet);
      expect(width).toBe(1);
      expect(Array.from(predictions)).toEqual(Array.from(outputs));
      let sse = 0;
      p.devSet.labels.forEach((y, i) => {
        sse += (outputs[i]! - y) ** 2;
      });
      const step = await trainer.trainStep();
      expect(step.taskLoss).toBeCloseTo(sse / 5, 4);
    } finally {
      trainer.destroy();
    }
  });

  it('transfers embeddings and the first n blocks, re-initialises the rest (read back from the GPU)', async () => {
    const two = { ...config, nLayer: 2, vocabSize: tokenizer.vocabSize };
    const pretrained = { config: two, params: initParams(two, 42), tokenizer };
    const { train, dev } = parseTaskFiles(
      'classification',
      slice('classification/sst2/train.tsv', 8),
      slice('classification/sst2/dev.tsv', 2),
    );
    const p = prepareFinetune({
      family: 'classification',
      train,
      dev,
      init: { kind: 'pretrained', model: pretrained, transferLayers: 1 },
      seed: 3,
    });
    const trainer = await FinetuneTrainer.create(ctx, p.trainer, p.trainSet, p.initial);
    try {
      const actual = await trainer.params();
      const V = tokenizer.vocabSize;
      expect(actual.get('wte')!.length).toBe((V + 3) * 32);
      expect(actual.get('wte')!.subarray(0, V * 32)).toEqual(pretrained.params.get('wte'));
      expect(actual.get('wte')!.subarray(V * 32)).not.toEqual(new Float32Array(3 * 32));
      let kept = 0;
      let fresh = 0;
      for (const [name, values] of actual) {
        const layer = layerOf(name);
        if (name === 'wpe' || layer === 0) {
          expect(values, name).toEqual(pretrained.params.get(name));
          kept++;
        } else if (layer === 1) {
          expect(values, name).toEqual(p.initial.get(name)); // GPT-1 init from the run seed
          if (name.endsWith('w') && !name.includes('.ln'))
            expect(values, name).not.toEqual(pretrained.params.get(name));
          fresh++;
        }
      }
      expect([kept, fresh]).toEqual([13, 12]);
    } finally {
      trainer.destroy();
    }
  });

  it('resumes from a checkpoint: 3 + 3 steps equal 6 steps, bit for bit (across an epoch)', async () => {
    const { train, dev } = parseTaskFiles(
      'multiple-choice',
      slice('multiple-choice/copa/train.jsonl', 12, false),
      slice('multiple-choice/copa/val.jsonl', 4, false),
    );
    const p = prepareFinetune({
      family: 'multiple-choice',
      train,
      dev,
      init: { kind: 'scratch', config, tokenizer },
      batch: 4,
      epochs: 2,
      lr: 1e-3,
      seed: 9,
    });
    expect(p.totalSteps).toBe(6); // 3 steps per epoch
    const straight = await FinetuneTrainer.create(ctx, p.trainer, p.trainSet, p.initial);
    for (let i = 0; i < 6; i++) await straight.trainStep();
    const expected = await straight.params();
    const expectedState = [straight.step, straight.cursor];
    straight.destroy();

    const first = await FinetuneTrainer.create(ctx, p.trainer, p.trainSet, p.initial);
    for (let i = 0; i < 3; i++) await first.trainStep();
    const files = writeCheckpoint(await first.checkpoint(p.tokenizer.toJSON()));
    first.destroy();

    const resumed = await FinetuneTrainer.create(
      ctx,
      p.trainer,
      p.trainSet,
      initParams(p.trainer.config, 1, { multipleChoice: true }),
    );
    const ckpt = readCheckpoint(files);
    expect(ckpt.state.kind).toBe('finetune');
    expect(ckpt.state.dataCursor).toEqual({ epoch: 1, position: 0 });
    resumed.restoreCheckpoint(ckpt);
    for (let i = 0; i < 3; i++) await resumed.trainStep();
    const actual = await resumed.params();
    expect([resumed.step, resumed.cursor]).toEqual(expectedState);
    resumed.destroy();
    for (const [name, values] of expected) expect(actual.get(name), name).toEqual(values);
  });
});
