// The ablation runner (paper Table 5, Figure 2 left): its variants' settings, the table, and a run of all four
// variants from a briefly pretrained tiny model on the GPU tier (Dawn/SwiftShader).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../test-support/test-gpu.ts';
import { readCorpus } from '../data/corpus.ts';
import { splitTrainVal } from '../data/lm-batches.ts';
import type { GpuContext } from '../gpu/device.ts';
import { type Gpt1Config, PRESETS } from '../model/config.ts';
import { initParams } from '../model/weights.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { layerSweepVariants } from './ablation-grid.ts';
import { chanceLevel } from './ablation-stats.ts';
import {
  type AblationRow,
  type AblationVariant,
  ablationVerdicts,
  defaultVariants,
  formatAblationTable,
  runAblation,
  variantSettings,
} from './finetune-ablation.ts';
import { type PretrainedModel, parseTaskFiles } from './finetune-prepare.ts';
import { type FinetuneOutcome, type FinetunePoint, FinetuneRun } from './finetune-run.ts';
import { LmTrainer } from './lm-trainer.ts';
import { pretrainSchedule } from './schedule.ts';

const corpus = readCorpus('tinyshakespeare.txt', readFileSync(resolve('../shared/data/pretrain/tinyshakespeare.txt')));
const tokenizer = CharTokenizer.fromCorpus(corpus.text);
const config: Gpt1Config = {
  ...PRESETS.tiny,
  vocabSize: tokenizer.vocabSize,
  nLayer: 2,
  nEmbd: 32,
  nHead: 2,
  nInner: 128,
  nPositions: 16,
};

/** "Does the line contain an x": n lines of 3..8 letters, every other one with an x. */
function containsX(n: number, offset: number): { name: string; text: string } {
  const lines = ['sentence\tlabel'];
  for (let i = 0; i < n; i++) {
    const word = 'abcdefgh'.slice(0, 3 + ((i + offset) % 6));
    lines.push(`${i % 2 ? word.replace('c', 'x') : word}\t${i % 2}`);
  }
  return { name: `x-${offset}.tsv`, text: `${lines.join('\n')}\n` };
}

describe('ablation variants', () => {
  const pretrained: PretrainedModel = { config, params: initParams(config, 1), tokenizer };

  it('defaults to the four of the paper, transferring half the layers', () => {
    expect(defaultVariants(12)).toEqual(['pretrained+aux', 'pretrained', 'scratch', 'transfer-6']);
    expect(defaultVariants(2, 0)).toEqual(['pretrained+aux', 'pretrained', 'scratch', 'transfer-0']);
  });

  it('changes only the start and λ', () => {
    expect(variantSettings('pretrained+aux', pretrained, 0.5)).toMatchObject({
      init: { kind: 'pretrained' },
      auxLm: 0.5,
    });
    expect(variantSettings('pretrained', pretrained, 0.5)).toMatchObject({ init: { kind: 'pretrained' }, auxLm: 0 });
    expect(variantSettings('scratch', pretrained, 0.5)).toMatchObject({
      init: { kind: 'scratch', config, tokenizer },
      auxLm: 0.5,
    });
    expect(variantSettings('transfer-1', pretrained, 0.5)).toMatchObject({
      init: { kind: 'pretrained', transferLayers: 1 },
      auxLm: 0.5,
    });
    expect(() => variantSettings('transfer-x' as AblationVariant, pretrained, 0.5)).toThrow(/Unknown ablation variant/);
  });
});

describe('formatAblationTable', () => {
  const chance = chanceLevel('f1', [0, 1, 1, 0]);
  it('shows accuracy beside another metric, and the final task loss', () => {
    const row = (variant: AblationVariant, value: number, accuracy: number | null, loss: number): AblationRow => {
      const outcome = { summary: { value, accuracy, steps: 3, taskLoss: { first: 1, last: loss } } } as FinetuneOutcome;
      return { variant, description: `${variant} run`, auxLm: 0.5, outcome, seeds: [{ seed: 0, outcome }] };
    };
    const f1 = formatAblationTable({
      task: 'similarity',
      metric: 'f1',
      rows: [row('pretrained+aux', 0.8, 0.75, 0.5), row('scratch', 0.25, 0.5, 0.69)],
      stopped: false,
      lr: 1e-3,
      chance,
    });
    expect(f1.split('\n')).toEqual([
      'variant         f1      accuracy  final task loss  steps  description',
      '--------------  ------  --------  ---------------  -----  ------------------',
      'pretrained+aux  0.8000  0.7500    0.5000           3      pretrained+aux run',
      'scratch         0.2500  0.5000    0.6900           3      scratch run',
    ]);
    const pearson = formatAblationTable({
      task: 'similarity',
      metric: 'pearson',
      rows: [row('pretrained', -0.1, null, 2)],
      stopped: false,
      lr: 1e-3,
      chance,
    });
    expect(pearson.split('\n')[2]).toBe('pretrained  -0.1000  2.0000           3      pretrained run');
  });
});

describe('ablation run', () => {
  let ctx: GpuContext;
  let model: PretrainedModel;
  beforeAll(async () => {
    ctx = await openTestGpu();
    // Pre-training: 10 steps of 8 x 16 characters of Shakespeare.
    const ids = Uint32Array.from(tokenizer.encode(corpus.text.slice(0, 20_000)));
    const lmOptions = { config, B: 8, T: 16, seed: 5, schedule: pretrainSchedule(1e-2, 10, 2) };
    const lm = await LmTrainer.create(ctx, lmOptions, splitTrainVal(ids, 16), initParams(config, 5));
    for (let i = 0; i < 10; i++) await lm.trainStep();
    model = { config, params: await lm.params(), tokenizer, name: 'shakespeare-10' };
    lm.destroy();
  });
  afterAll(() => ctx.destroy());

  it('fine-tunes all four variants from a briefly pretrained model and reports a table', async () => {
    const { train, dev } = parseTaskFiles('classification', containsX(16, 0), containsX(8, 3));
    const steps = new Map<AblationVariant, FinetunePoint[]>();
    const order: string[] = [];
    const result = await runAblation(
      {
        family: 'classification',
        train,
        dev,
        pretrained: model,
        transferLayers: 1,
        epochs: 1,
        batch: 8,
        lr: 1e-3,
        seed: 2,
      },
      ({ variant, index, count, prepared }) => {
        order.push(`${index + 1}/${count} ${variant}`);
        const onPoints = (points: FinetunePoint[]) => steps.set(variant, [...(steps.get(variant) ?? []), ...points]);
        return new FinetuneRun(ctx, prepared, { evaluate: 'end', onPoints }).run();
      },
    );
    expect(order).toEqual(['1/4 pretrained+aux', '2/4 pretrained', '3/4 scratch', '4/4 transfer-1']);
    expect(result.task).toBe('classification');
    expect(result.metric).toBe('accuracy');
    expect(result.stopped).toBe(false);
    expect(result.rows.map((r) => [r.variant, r.auxLm, r.outcome.summary.init, r.outcome.summary.steps])).toEqual([
      ['pretrained+aux', 0.5, 'pretrained (shakespeare-10)', 2],
      ['pretrained', 0, 'pretrained (shakespeare-10)', 2],
      ['scratch', 0.5, 'from scratch', 2],
      ['transfer-1', 0.5, 'pretrained, first 1 of 2 layers transferred', 2],
    ]);
    // λ = 0 trains without any LM loss; the others report L1.
    expect(steps.get('pretrained')!.map((s) => s.lmLoss)).toEqual([null, null]);
    for (const variant of ['pretrained+aux', 'scratch', 'transfer-1'] as const) {
      expect(steps.get(variant)!.every((s) => s.lmLoss !== null && Number.isFinite(s.lmLoss))).toBe(true);
    }
    // Same seed, same first batch: the pretrained variants start from identical weights and data, so their
    // first-step task losses agree; the pre-training shows in a lower LM loss than from scratch.
    expect(steps.get('pretrained')![0]!.taskLoss).toBe(steps.get('pretrained+aux')![0]!.taskLoss);
    expect(steps.get('pretrained+aux')![0]!.lmLoss!).toBeLessThan(steps.get('scratch')![0]!.lmLoss!);
    for (const row of result.rows) {
      expect(row.outcome.summary.accuracy).toBeGreaterThanOrEqual(0);
      expect(row.outcome.summary.accuracy).toBeLessThanOrEqual(1);
    }
    const table = formatAblationTable(result).split('\n');
    console.log(table.join('\n'));
    expect(table).toHaveLength(6);
    expect(table[0]).toMatch(/^variant\s+accuracy\s+final task loss\s+steps\s+description$/);
    expect(table[5]).toMatch(/^transfer-1\s+\d\.\d{4}\s+\d+\.\d{4}\s+2\s+embeddings \+ first 1 of 2 layers/);
  });

  it('sweeps the layers transferred, n = 0 … L (L + 1 rows), and its seeds give different runs', async () => {
    const { train, dev } = parseTaskFiles('classification', containsX(16, 0), containsX(8, 3));
    const firstLoss = new Map<string, number>();
    const result = await runAblation(
      {
        family: 'classification',
        train,
        dev,
        pretrained: model,
        variants: layerSweepVariants(2),
        seeds: 2,
        epochs: 1,
        batch: 8,
        lr: 1e-3,
        seed: 2,
      },
      ({ variant, seed, prepared }) =>
        new FinetuneRun(ctx, prepared, {
          evaluate: 'end',
          onPoints: (points) => {
            if (points[0]?.step === 1) firstLoss.set(`${variant} ${seed}`, points[0].taskLoss);
          },
        }).run(),
    );
    expect(result.rows.map((r) => r.variant)).toEqual(['transfer-0', 'transfer-1', 'transfer-2']);
    expect(result.rows.map((r) => r.seeds.map((s) => s.seed))).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
    for (const row of result.rows) {
      // Another seed draws other fresh weights and another batch order: the first step's loss differs.
      expect(firstLoss.get(`${row.variant} 2`)).not.toBe(firstLoss.get(`${row.variant} 3`));
      const [a, b] = row.seeds.map((s) => s.outcome.summary.taskLoss.last);
      expect(a).not.toBe(b);
    }
    const table = formatAblationTable(result).split('\n');
    console.log(table.join('\n'));
    expect(table[0]).toMatch(/^variant\s+accuracy\s+min–max\s+final task loss\s+steps\s+description$/);
    expect(table).toHaveLength(5);
    const verdicts = ablationVerdicts(result, 0.5);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]!.column).toBe('paper recipe (lr 0.001)');
  });
});
