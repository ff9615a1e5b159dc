// Preparing a fine-tuning run without a GPU: clear errors for bad inputs (a dev label the training file
// lacks, a file of another task family, a single class), and what prepareFinetune derives: the grown
// vocabulary (the caller's tokenizer untouched), the context from the longest row, the batch, the steps,
// truncation warnings.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TaskFileError } from '../data/tasks/task-types.ts';
import { type Gpt1Config, PRESETS } from '../model/config.ts';
import { initParams } from '../model/weights.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { checkTaskSet, predictionsOf } from './finetune-io.ts';
import { datasetText, parseTaskFiles, prepareFinetune, taskSpecFor } from './finetune-prepare.ts';

const head = (path: string, lines: number) => ({
  name: path.split('/').at(-1)!,
  text: readFileSync(resolve('../shared/data', path), 'utf8').split('\n').slice(0, lines).join('\n'),
});
const sst2 = () =>
  parseTaskFiles('classification', head('classification/sst2/train.tsv', 21), head('classification/sst2/dev.tsv', 9));
const config: Gpt1Config = { ...PRESETS.tiny, nPositions: 32, nEmbd: 16, nHead: 2, nInner: 64, nLayer: 1 };

describe('bad inputs', () => {
  it('refuses a dev label that the training file does not have', () => {
    const train = { name: 'train.tsv', text: 'sentence\tlabel\ngood\tpos\nbad\tneg\n' };
    const dev = { name: 'dev.tsv', text: 'sentence\tlabel\nso so\tneutral\n' };
    expect(() => parseTaskFiles('classification', train, dev)).toThrow(TaskFileError);
    expect(() => parseTaskFiles('classification', train, dev)).toThrow(
      /dev\.tsv, line 2: label "neutral" is not one of the training labels \("neg", "pos"\)/,
    );
  });

  it('refuses a file of another family (SST-2 for entailment, COPA for classification)', () => {
    expect(() =>
      parseTaskFiles('entailment', head('classification/sst2/train.tsv', 5), head('classification/sst2/dev.tsv', 5)),
    ).toThrow(/train\.tsv: holds classification data \(single sentences: sentence, label\), not entailment/);
    expect(() =>
      parseTaskFiles(
        'classification',
        head('multiple-choice/copa/train.jsonl', 4),
        head('multiple-choice/copa/val.jsonl', 4),
      ),
    ).toThrow(/holds multiple-choice data/);
  });

  it('accepts a pair file for either pair family (RTE as similarity)', () => {
    const { train } = parseTaskFiles(
      'similarity',
      head('entailment/rte/train.tsv', 5),
      head('entailment/rte/dev.tsv', 5),
    );
    expect(train.family).toBe('similarity');
  });

  it('refuses datasets that disagree with the task, and a single class', () => {
    const { train, dev } = sst2();
    expect(() => taskSpecFor('entailment', train, dev)).toThrow(/holds classification data/);
    const relabelled = { ...dev, labels: { names: ['1', '0'] } };
    expect(() => taskSpecFor('classification', train, relabelled)).toThrow(/maps its labels differently/);
    const one = parseTaskFiles(
      'classification',
      { name: 'one.tsv', text: 'sentence\tlabel\na\tyes\nb\tyes\n' },
      { name: 'one-dev.tsv', text: 'sentence\tlabel\nc\tyes\n' },
    );
    expect(() => taskSpecFor('classification', one.train, one.dev)).toThrow(
      /only the label "yes": a classifier needs two/,
    );
  });

  it('refuses a pretrained model with more token embeddings than its tokenizer has tokens', () => {
    const { train, dev } = sst2();
    const tokenizer = CharTokenizer.fromCorpus('abc');
    const big = { ...config, vocabSize: 50 };
    expect(() =>
      prepareFinetune({
        family: 'classification',
        train,
        dev,
        init: { kind: 'pretrained', model: { config: big, params: initParams(big, 1), tokenizer } },
      }),
    ).toThrow(/50 token embeddings but the tokenizer only 7 tokens/);
  });
});

describe('prepareFinetune', () => {
  it('warns when the tokenizer has tokens the pretrained model has no embeddings for', () => {
    const { train, dev } = sst2();
    const tokenizer = CharTokenizer.fromCorpus(datasetText(train));
    const small = { ...config, vocabSize: 10 };
    const p = prepareFinetune({
      family: 'classification',
      train,
      dev,
      init: { kind: 'pretrained', model: { config: small, params: initParams(small, 1), tokenizer } },
    });
    expect(p.warnings[0]).toMatch(/^The tokenizer has \d+ tokens but the pretrained model only 10 token embeddings/);
    expect(p.trainer.config.vocabSize).toBe(tokenizer.vocabSize + 3);
  });

  it('grows a copy of the tokenizer, sizes T to the longest row and clamps the batch', () => {
    const { train, dev } = sst2();
    const tokenizer = CharTokenizer.fromCorpus(datasetText(train));
    const before = tokenizer.vocabSize;
    const p = prepareFinetune({
      family: 'classification',
      train,
      dev,
      init: { kind: 'scratch', config, tokenizer },
      batch: 32,
      epochs: 2,
    });
    expect(tokenizer.vocabSize).toBe(before); // the caller's tokenizer is untouched
    expect(p.tokenizer.vocabSize).toBe(before + 3);
    expect(p.trainer.config.vocabSize).toBe(before + 3);
    expect(p.trainer.B).toBe(20); // all 20 training examples, no more
    expect(p.totalSteps).toBe(2);
    expect(p.trainer.T).toBe(32); // SST-2 sentences are longer than 30 characters: truncated to the context
    expect(p.trainSet.stats.truncatedExamples).toBeGreaterThan(0);
    expect(p.warnings[0]).toMatch(/^train\.tsv: \d+ of 20 examples were truncated to fit the 32-token context/);
    expect(p.trainer.schedule).toMatchObject({ kind: 'warmup-linear', peakLr: 6.25e-5, warmupSteps: 1, totalSteps: 2 });
    expect(p.trainer.auxLm).toBe(0.5);
    expect(p.metric).toBe('accuracy');
  });

  it('uses a short T when every row is short, and the paper defaults', () => {
    const parsed = parseTaskFiles(
      'classification',
      { name: 't.tsv', text: 'sentence\tlabel\nab\t0\nabc\t1\nb\t0\n' },
      { name: 'd.tsv', text: 'sentence\tlabel\nabcab\t1\n' },
    );
    const p = prepareFinetune({
      family: 'classification',
      ...parsed,
      init: { kind: 'scratch', config, tokenizer: CharTokenizer.fromCorpus('abc') },
      maxSteps: 1,
    });
    expect(p.trainer.T).toBe(7); // start + 5 characters + extract
    expect(p.trainer.B).toBe(3);
    expect(p.totalSteps).toBe(1);
    expect(p.trainer.classifierDropout).toBe(0.1);
    expect(p.trainer.maxGradNorm).toBe(1);
    expect(p.warnings).toEqual([]);
  });
});

describe('task sets and predictions', () => {
  it('refuses a set encoded for another head or a longer context', () => {
    const { train, dev } = sst2();
    const p = prepareFinetune({
      family: 'classification',
      train,
      dev,
      init: { kind: 'scratch', config, tokenizer: CharTokenizer.fromCorpus('ab') },
    });
    const similarity = { family: 'similarity' as const, regression: false, numLabels: 2 };
    expect(() => checkTaskSet(p.trainSet, { task: similarity, T: 32 })).toThrow(
      /examples are classification, the trainer similarity/,
    );
    expect(() => checkTaskSet(p.trainSet, { task: p.trainer.task, T: 10 })).toThrow(
      /longest sequence has 32 tokens, over T = 10/,
    );
    expect(() =>
      checkTaskSet(p.trainSet, { task: { ...p.trainer.task, regression: true, numLabels: 1 }, T: 32 }),
    ).toThrow(/examples are classes/);
  });

  it('takes the first argmax per row, or the score itself', () => {
    const outputs = Float32Array.of(0.5, 2, 2, -1, -3, -2);
    expect(Array.from(predictionsOf(outputs, 3, false))).toEqual([1, 0]); // [0.5, 2, 2] ties: the first
    expect(Array.from(predictionsOf(outputs, 1, true))).toEqual([0.5, 2, 2, -1, -3, -2]);
  });
});
