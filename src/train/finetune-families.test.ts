// One small real slice per task family from ../shared/data, end to end on the GPU tier (Dawn/SwiftShader):
// SST-2 (classification), RTE (entailment, truncated), MRPC (similarity, F1), STS-B (similarity regression,
// Pearson), COPA (multiple choice). A tiny char model cannot learn these in a few steps, so the checks are
// finite losses, metrics in range and equal to hand counts, and the reported rows and truncation.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import type { TaskFamily } from '../data/tasks/task-types.ts';
import type { GpuContext } from '../gpu/device.ts';
import { type Gpt1Config, PRESETS } from '../model/config.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { datasetText, parseTaskFiles, prepareFinetune } from './finetune-prepare.ts';
import { type FinetunePoint, FinetuneRun } from './finetune-run.ts';
import type { TaskMetricName } from './task-metrics.ts';

/** The first `rows` examples of a shared data file (after its header line when it has one). */
function slice(path: string, rows: number, header = true) {
  const lines = readFileSync(resolve('../shared/data', path), 'utf8').split('\n');
  return { name: path.split('/').at(-1)!, text: `${lines.slice(0, rows + (header ? 1 : 0)).join('\n')}\n` };
}

// One block of 32 dims (2 heads), context 48: a step of 8 examples takes about a second on SwiftShader.
const config: Gpt1Config = { ...PRESETS.tiny, nLayer: 1, nEmbd: 32, nHead: 2, nInner: 128, nPositions: 48 };

interface Case {
  family: TaskFamily;
  train: string;
  dev: string;
  header?: boolean;
  metric: TaskMetricName;
  classes: number;
}

const CASES: Case[] = [
  {
    family: 'classification',
    train: 'classification/sst2/train.tsv',
    dev: 'classification/sst2/dev.tsv',
    metric: 'accuracy',
    classes: 2,
  },
  {
    family: 'entailment',
    train: 'entailment/rte/train.tsv',
    dev: 'entailment/rte/dev.tsv',
    metric: 'accuracy',
    classes: 2,
  },
  {
    family: 'similarity',
    train: 'similarity/mrpc/train.tsv',
    dev: 'similarity/mrpc/dev.tsv',
    metric: 'f1',
    classes: 2,
  },
  {
    family: 'similarity',
    train: 'similarity/stsb/train.tsv',
    dev: 'similarity/stsb/dev.tsv',
    metric: 'pearson',
    classes: 0,
  },
  {
    family: 'multiple-choice',
    train: 'multiple-choice/copa/train.jsonl',
    dev: 'multiple-choice/copa/val.jsonl',
    header: false,
    metric: 'accuracy',
    classes: 2,
  },
];

describe('fine-tuning a slice of each task family', () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    ctx = await openTestGpu();
  });
  afterAll(() => ctx.destroy());

  for (const c of CASES) {
    it(`${c.family}: ${c.train.split('/')[1]} runs end to end`, async () => {
      const { train, dev } = parseTaskFiles(c.family, slice(c.train, 32, c.header), slice(c.dev, 16, c.header));
      const steps: FinetunePoint[] = [];
      const prepared = prepareFinetune({
        family: c.family,
        train,
        dev,
        init: { kind: 'scratch', config, tokenizer: CharTokenizer.fromCorpus(datasetText(train)) },
        auxLm: 0.5,
        epochs: 1,
        batch: 8,
        lr: 1e-3,
        seed: 1,
      });
      const onPoints = (points: FinetunePoint[]) => steps.push(...points);
      const { summary, lastEval } = await new FinetuneRun(ctx, prepared, { evaluate: 'end', onPoints }).run();
      const { trainSet, devSet } = prepared;
      expect([trainSet.stats.examples, devSet.stats.examples]).toEqual([32, 16]);
      expect(summary.steps).toBe(4);
      expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
      for (const s of steps) {
        expect(Number.isFinite(s.taskLoss) && Number.isFinite(s.lmLoss!) && Number.isFinite(s.gradNorm)).toBe(true);
        expect(s.loss).toBeCloseTo(s.taskLoss + 0.5 * s.lmLoss!, 5);
      }
      // The char model starts near uniform: an LM loss near ln V, a class loss near ln(classes).
      expect(Math.abs(steps[0]!.lmLoss! - Math.log(prepared.trainer.config.vocabSize))).toBeLessThan(0.3);
      if (c.classes) expect(Math.abs(steps[0]!.taskLoss - Math.log(c.classes))).toBeLessThan(0.15);
      expect(summary.metric).toBe(c.metric);
      const predictions = lastEval!.predictions;
      expect(predictions.length).toBe(16);
      if (c.classes) {
        let correct = 0;
        predictions.forEach((p, i) => {
          expect(Number.isInteger(p) && p >= 0 && p < c.classes).toBe(true);
          if (p === devSet.labels[i]) correct++;
        });
        expect(summary.accuracy).toBe(correct / 16);
        expect(summary.value).toBeGreaterThanOrEqual(0);
        expect(summary.value).toBeLessThanOrEqual(1);
      } else {
        expect(summary.accuracy).toBeNull();
        expect(predictions.every(Number.isFinite)).toBe(true);
        expect(Math.abs(summary.value)).toBeLessThanOrEqual(1);
        expect(lastEval!.metrics.spearman).toBeDefined();
      }
      // RTE premises run to hundreds of characters: truncated to the context, with a warning.
      if (c.family === 'entailment') {
        expect(trainSet.stats.truncatedExamples).toBeGreaterThan(0);
        expect(prepared.warnings.join('\n')).toMatch(/truncated to fit the 48-token context/);
        expect(prepared.trainer.T).toBe(48);
      }
      console.log(
        `${c.train}: ${summary.metric} ${summary.value.toFixed(3)}, T ${prepared.trainer.T}, ${summary.seconds.toFixed(1)} s`,
      );
    });
  }
});
