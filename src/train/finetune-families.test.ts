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
import { datasetText, parseTaskFiles, runFinetune } from './finetune-run.ts';
import type { TaskStepResult } from './finetune-trainer.ts';
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
      const steps: TaskStepResult[] = [];
      const result = await runFinetune(ctx, {
        family: c.family,
        train,
        dev,
        init: { kind: 'scratch', config, tokenizer: CharTokenizer.fromCorpus(datasetText(train)) },
        auxLm: 0.5,
        epochs: 1,
        batch: 8,
        lr: 1e-3,
        seed: 1,
        onStep: (s) => steps.push(s),
      });
      expect(result.rows).toEqual({ train: 32, dev: 16 });
      expect(result.steps).toBe(4);
      expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
      for (const s of steps) {
        expect(Number.isFinite(s.taskLoss) && Number.isFinite(s.lmLoss!) && Number.isFinite(s.gradNorm)).toBe(true);
        expect(s.loss).toBeCloseTo(s.taskLoss + 0.5 * s.lmLoss!, 5);
      }
      // The char model starts near uniform: an LM loss near ln V, a class loss near ln(classes).
      expect(Math.abs(steps[0]!.lmLoss! - Math.log(result.vocabSize))).toBeLessThan(0.3);
      if (c.classes) expect(Math.abs(steps[0]!.taskLoss - Math.log(c.classes))).toBeLessThan(0.15);
      expect(result.metric).toBe(c.metric);
      expect(result.predictions.length).toBe(16);
      if (c.classes) {
        let correct = 0;
        result.predictions.forEach((p, i) => {
          expect(Number.isInteger(p) && p >= 0 && p < c.classes).toBe(true);
          if (p === result.devLabels[i]) correct++;
        });
        expect(result.accuracy).toBe(correct / 16);
        expect(result.value).toBeGreaterThanOrEqual(0);
        expect(result.value).toBeLessThanOrEqual(1);
      } else {
        expect(result.accuracy).toBeNull();
        expect(result.predictions.every(Number.isFinite)).toBe(true);
        expect(Math.abs(result.value)).toBeLessThanOrEqual(1);
        expect(result.metrics.spearman).toBeDefined();
      }
      // RTE premises run to hundreds of characters: truncated to the context, with a warning.
      if (c.family === 'entailment') {
        expect(result.truncated.train).toBeGreaterThan(0);
        expect(result.warnings.join('\n')).toMatch(/truncated to fit the 48-token context/);
        expect(result.T).toBe(48);
      }
      console.log(
        `${c.train}: ${result.metric} ${result.value.toFixed(3)}, T ${result.T}, ${result.seconds.toFixed(1)} s`,
      );
    });
  }
});
