// The comparison's run grid: seeds, the layers sweep, the held part of the training file, the learning-rate
// choice, and runAblation walking the grid. The walk is checked on the CPU with a scoring callback that stands
// for a run (the runs themselves are the GPU test's, finetune-ablation.test.ts): it sees only what runAblation
// hands each run, so it shows which data each run was given and which rate the grid keeps.
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../model/config.ts';
import { initParams } from '../model/weights.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { chooseLearningRate, heldOutSplit, layerSweepVariants, plannedRuns, seedsOf } from './ablation-grid.ts';
import { type AblationVariantRun, runAblation } from './finetune-ablation.ts';
import { parseTaskFiles } from './finetune-prepare.ts';
import type { FinetuneOutcome } from './finetune-run.ts';

function tsv(name: string, rows: [string, number][]): { name: string; text: string } {
  return { name, text: `sentence\tlabel\n${rows.map(([s, l]) => `${s}\t${l}`).join('\n')}\n` };
}
const trainRows: [string, number][] = Array.from({ length: 20 }, (_, i) => [`abc${'d'.repeat(i % 4)}`, i % 2]);
// The dev file's labels are all 0: the scoring below tells it from the held part by that.
const devRows: [string, number][] = Array.from({ length: 6 }, (_, i) => [`bcd${'a'.repeat(i % 3)}`, 0]);
const { train, dev } = parseTaskFiles('classification', tsv('train.tsv', trainRows), tsv('dev.tsv', devRows));
const tokenizer = CharTokenizer.fromCorpus('abcdx');
const config = {
  ...PRESETS.tiny,
  vocabSize: tokenizer.vocabSize,
  nLayer: 2,
  nEmbd: 16,
  nHead: 2,
  nInner: 32,
  nPositions: 16,
};
const pretrained = { config, params: initParams(config, 1), tokenizer };

describe('the grid', () => {
  it('seeds follow the settings seed', () => {
    expect(seedsOf(7, 3)).toEqual([7, 8, 9]);
    expect(seedsOf(2 ** 32 - 3, 3)).toEqual([2 ** 32 - 3, 2 ** 32 - 2, 2 ** 32 - 1]);
    expect(() => seedsOf(2 ** 32 - 2, 3)).toThrow(
      '3 seeds from seed 4294967294 go past 4294967295, the largest seed: choose a seed of at most 4294967293.',
    );
  });

  it('the layers sweep is n = 0 … L: L + 1 variants', () => {
    expect(layerSweepVariants(2)).toEqual(['transfer-0', 'transfer-1', 'transfer-2']);
    expect(layerSweepVariants(12)).toHaveLength(13);
  });

  it('counts the runs: per row, seeds with the recipe, one trial per rate, seeds tuned', () => {
    expect(plannedRuns(4, 1, 0)).toBe(4);
    expect(plannedRuns(4, 3, 4)).toBe(4 * (3 + 4 + 3));
  });

  it('holds out every fifth training example, the same for the same file', () => {
    const split = heldOutSplit(train);
    expect(split.held.examples.map((e) => e.line)).toEqual([6, 11, 16, 21]);
    expect(split.fit.examples).toHaveLength(16);
    expect(split.fit.examples.some((e) => split.held.examples.includes(e))).toBe(false);
    expect(heldOutSplit(train).held.examples.map((e) => e.line)).toEqual([6, 11, 16, 21]);
    expect(split.description).toBe(
      'learning rate chosen on every 5th example of train.tsv (4 held out, trained on the other 16; the dev file is never read for it)',
    );
  });

  it('refuses a file too small to hold a part out, saying what to do', () => {
    expect(() => heldOutSplit({ ...train, examples: train.examples.slice(0, 9) })).toThrow(
      'train.tsv: the learning-rate sweep holds out every 5th training example, which needs at least 10 examples (it has 9); turn the sweep off or use a larger file.',
    );
  });

  it('chooses the best held-out score, the first of equals, never a NaN', () => {
    const trials = [
      { lr: 1e-4, value: 0.5 },
      { lr: 1e-3, value: 0.75 },
      { lr: 2e-3, value: 0.75 },
      { lr: 5e-3, value: Number.NaN },
    ];
    expect(chooseLearningRate(trials)).toBe(1e-3);
    expect(() => chooseLearningRate([{ lr: 1, value: Number.NaN }])).toThrow(/No rate .* finite score/);
  });
});

describe('runAblation over the grid', () => {
  /** A run's score: on the dev file (all labels 0) 1e-3 is best, on the held part 2e-3 is. */
  function score(run: AblationVariantRun): number {
    const onDev = run.prepared.devSet.labels.every((l) => l === 0);
    const best = onDev ? 1e-3 : 2e-3;
    return (run.lr === best ? 0.9 : 0.5) + run.seed / 100;
  }
  const outcome = (value: number) =>
    ({
      stopped: false,
      summary: { value, accuracy: value, steps: 1, taskLoss: { first: 1, last: 1 } },
    }) as FinetuneOutcome;

  it('chooses the rate on the held part of the training file, never on dev', async () => {
    const runs: AblationVariantRun[] = [];
    const result = await runAblation(
      {
        family: 'classification',
        train,
        dev,
        pretrained,
        variants: ['pretrained'],
        seeds: 2,
        seed: 3,
        lr: 6.25e-5,
        lrSweep: [1e-3, 2e-3],
      },
      async (run) => {
        runs.push(run);
        return outcome(score(run));
      },
    );
    expect(runs.map((r) => [r.stage, r.seed, r.lr, r.index, r.count])).toEqual([
      ['recipe', 3, 6.25e-5, 0, 6],
      ['recipe', 4, 6.25e-5, 1, 6],
      ['trial', 3, 1e-3, 2, 6],
      ['trial', 3, 2e-3, 3, 6],
      ['tuned', 3, 2e-3, 4, 6],
      ['tuned', 4, 2e-3, 5, 6],
    ]);
    // Trials train on the fit part and are scored on the held part; the others train on all and score on dev.
    const lines = (set: { lines: Uint32Array }) => Array.from(set.lines);
    for (const run of runs) {
      if (run.stage === 'trial') {
        expect(lines(run.prepared.devSet)).toEqual([6, 11, 16, 21]);
        expect(run.prepared.trainSet.lines).toHaveLength(16);
      } else {
        expect(lines(run.prepared.devSet)).toEqual([2, 3, 4, 5, 6, 7]);
        expect(run.prepared.trainSet.lines).toHaveLength(20);
      }
    }
    const row = result.rows[0]!;
    expect(row.tuned!.lr).toBe(2e-3);
    expect(row.tuned!.trials).toEqual([
      { lr: 1e-3, value: 0.53 },
      { lr: 2e-3, value: 0.93 },
    ]);
    expect(row.seeds.map((s) => s.outcome.summary.value)).toEqual([0.53, 0.54]);
    expect(row.tuned!.seeds.map((s) => s.outcome.summary.value)).toEqual([0.53, 0.54]);
    expect(result.heldOut).toMatch(/^learning rate chosen on every 5th example of train\.tsv/);
    expect(result.chance).toMatchObject({ metric: 'accuracy', value: 1, examples: 6 });
  });

  it('reuses the recipe runs when the chosen rate is the recipe rate', async () => {
    const stages: string[] = [];
    const result = await runAblation(
      {
        family: 'classification',
        train,
        dev,
        pretrained,
        variants: ['scratch'],
        seeds: 2,
        lr: 2e-3,
        lrSweep: [1e-3, 2e-3],
      },
      async (run) => {
        stages.push(run.stage);
        return outcome(score(run));
      },
    );
    expect(stages).toEqual(['recipe', 'recipe', 'trial', 'trial']);
    expect(result.rows[0]!.tuned!.seeds.map((s) => s.reused)).toEqual([true, true]);
  });

  it('one seed without a sweep runs each variant once, as before', async () => {
    const runs: string[] = [];
    const result = await runAblation({ family: 'classification', train, dev, pretrained, seed: 4 }, async (run) => {
      runs.push(`${run.variant} ${run.stage} ${run.seed} ${run.index + 1}/${run.count}`);
      return outcome(0.5);
    });
    expect(runs).toEqual([
      'pretrained+aux recipe 4 1/4',
      'pretrained recipe 4 2/4',
      'scratch recipe 4 3/4',
      'transfer-1 recipe 4 4/4',
    ]);
    expect(result.rows.every((r) => r.tuned === undefined && r.seeds.length === 1)).toBe(true);
    expect(result.heldOut).toBeUndefined();
  });

  it('a stop ends the grid with the rows finished before', async () => {
    let n = 0;
    const result = await runAblation(
      { family: 'classification', train, dev, pretrained, variants: ['pretrained', 'scratch'], seeds: 2 },
      async () => (++n === 3 ? { ...outcome(0.5), stopped: true } : outcome(0.5)),
    );
    expect(result.stopped).toBe(true);
    expect(result.rows.map((r) => r.variant)).toEqual(['pretrained']);
  });
});
