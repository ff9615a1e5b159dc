// Fine-tuning's UI logic without a browser: the paper's dataset, named only when a file is recognisably it
// (its name or a public split's size, never its columns alone), the settings form, the
// Train control's guard, and the worker's events applied to the store (a refused file keeps the loaded one
// and its error is not taken for a pre-training input's; a run's points and evaluations; a refused start fails
// the run naming the field).
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskFileSummary } from '../../../engine/protocol.ts';
import { finetuneLossData } from '../../charts/finetune-series.ts';
import { finetuneControls } from '../../controls/finetune-controls.ts';
import { invokeControl } from '../../controls/run-control.ts';
import { setCommandSink } from '../../engine-port.ts';
import { applyEngineEvent } from '../../store/apply-event.ts';
import { DEFAULT_FINETUNE_FORM } from '../../store/finetune-slice.ts';
import { useAppStore } from '../../store/index.ts';
import { finetuneStartBlockers } from './finetune-actions.ts';
import { parseFinetuneForm } from './finetune-form.ts';
import { PAPER_RESULTS, recognisePaperDataset } from './paper-results.ts';

const trainControl = () => finetuneControls('classification', 'finetune').find((c) => c.id === 'train')!;

const summary = (role: 'train' | 'dev', name: string): TaskFileSummary => ({
  family: 'classification',
  role,
  name,
  bytes: 100,
  format: 'glue-sst2',
  description: 'single sentences: sentence, label',
  columns: { text: 'sentence', label: 'label' },
  regression: false,
  rows: 4,
  labels: [
    { name: '0', id: 0, count: 2 },
    { name: '1', id: 1, count: 2 },
  ],
  example: { line: 2, fields: { text: 'fine' }, label: '1' },
});

describe('paper numbers', () => {
  const file = (format: TaskFileSummary['format'], name: string, rows: number, family = 'classification') =>
    recognisePaperDataset({ family: family as TaskFileSummary['family'], format, name, rows });

  it("names no dataset from the columns alone: any sentence, label file has SST-2's columns", () => {
    expect(file('glue-sst2', 'train.tsv', 480)).toBeUndefined();
    expect(file('glue-sst2', 'keywords.tsv', 5000)).toBeUndefined();
    expect(file('glue-cola', 'in.tsv', 120)).toBeUndefined();
    expect(file('glue-pair', 'd.tsv', 300, 'entailment')).toBeUndefined();
    expect(file('glue-mrpc', 'train.tsv', 40, 'similarity')).toBeUndefined();
    expect(file('copa-jsonl', 'train.jsonl', 400, 'multiple-choice')).toBeUndefined(); // the paper has no COPA
    expect(file('mapped-columns', 'mine.csv', 100)).toBeUndefined();
    // Words inside other words do not count: "posts" is not STS, "trace" not RACE, "chocolate" not CoLA.
    expect(file('glue-sst2', 'chocolate-posts.tsv', 10)).toBeUndefined();
    expect(file('glue-pair', 'trace.tsv', 10, 'entailment')).toBeUndefined();
  });

  it('recognises a dataset its file name names, in its task family, and says so', () => {
    expect(file('glue-sst2', 'SST-2.dev.tsv', 48)).toEqual({
      paper: PAPER_RESULTS.sst2,
      how: 'its file name, SST-2.dev.tsv, names it',
    });
    expect(file('glue-sst2', 'sst2_train.tsv', 48)?.paper).toBe(PAPER_RESULTS.sst2);
    expect(file('glue-pair', 'RTE-train.tsv', 9, 'entailment')?.paper).toMatchObject({
      dataset: 'RTE',
      full: 56.0,
      noAux: 54.4,
      scratch: 53.8,
    });
    expect(file('glue-pair', 'snli_1.0_dev.tsv', 10, 'entailment')?.paper.full).toBe(89.9);
    expect(file('glue-pair', 'multinli_dev_matched.tsv', 10, 'entailment')?.paper.dataset).toBe('MNLI');
    expect(file('glue-stsb', 'STS-B-train.tsv', 10, 'similarity')?.paper.metric).toBe('pearson');
    expect(file('story-cloze-csv', 'cloze_test_val__spring2016.csv', 10, 'multiple-choice')?.paper.dataset).toBe(
      'Story Cloze',
    );
    // A name of another task family's dataset is not taken at its word.
    expect(file('glue-sst2', 'rte-sentences.tsv', 10)).toBeUndefined();
  });

  it("recognises a public split by its exact size in the dataset's own layout", () => {
    expect(file('glue-sst2', 'dev.tsv', 872)).toEqual({
      paper: PAPER_RESULTS.sst2,
      how: "its 872 examples in this layout are the size of SST-2's dev set",
    });
    expect(file('glue-cola', 'train.tsv', 8551)?.paper).toBe(PAPER_RESULTS.cola);
    expect(file('glue-mrpc', 'train.tsv', 3668, 'similarity')?.paper.metric).toBe('f1');
    expect(file('glue-pair', 'dev.tsv', 277, 'entailment')?.paper.dataset).toBe('RTE');
    expect(file('glue-pair', 'dev.tsv', 9842, 'entailment')?.paper.dataset).toBe('SNLI');
    // The same size in another layout is a coincidence, not the dataset.
    expect(file('mapped-columns', 'dev.tsv', 872)).toBeUndefined();
    expect(file('glue-sst2', 'dev.tsv', 873)).toBeUndefined();
  });
});

describe('the settings form', () => {
  it("reads the paper's defaults and names each bad field", () => {
    const { settings, problems } = parseFinetuneForm('classification', DEFAULT_FINETUNE_FORM);
    expect(problems).toEqual({});
    expect(settings).toMatchObject({ lr: 6.25e-5, batch: 32, epochs: 3, warmup: 0.002, auxLm: 0.5, clip: 1 });
    expect(settings).toMatchObject({ transferLayers: null, context: null, init: 'current' });
    const bad = parseFinetuneForm('classification', {
      ...DEFAULT_FINETUNE_FORM,
      lr: 'fast',
      batch: '2.5',
      auxLm: '-1',
      warmup: '100',
      context: '2',
      transferLayers: 'x',
    });
    expect(Object.keys(bad.problems).sort()).toEqual(['auxLm', 'batch', 'context', 'lr', 'transferLayers', 'warmup']);
  });
});

describe('fine-tuning events in the store', () => {
  afterEach(() => setCommandSink(undefined));

  it('keeps a loaded file when the next one is refused, and follows a run to its end', () => {
    const sent: unknown[] = [];
    setCommandSink((command) => sent.push(command));
    const s = () => useAppStore.getState();
    applyEngineEvent({ type: 'task-file-loaded', summary: summary('train', 'train.tsv') });
    s().taskFileReading('classification', 'train', 'model.zip');
    applyEngineEvent({
      type: 'error',
      requestId: 'task:classification:train',
      where: 'model.zip',
      message: 'model.zip, line 2: looks binary',
    });
    const train = s().tasks.classification.train;
    expect(train).toMatchObject({ status: 'ready', error: 'model.zip, line 2: looks binary' });
    expect(train.summary?.name).toBe('train.tsv');
    // In the page's alert region, not beside the Pretrain tab's inputs ('model.zip' reads like a model error).
    expect(s().errors.at(-1)).toMatchObject({ where: 'model.zip', target: 'other' });

    expect(finetuneStartBlockers('classification', 'finetune')).toEqual([
      'add a dev file',
      'no usable pretrained model',
    ]);
    applyEngineEvent({ type: 'task-file-loaded', summary: summary('dev', 'dev.tsv') });
    s().setFinetuneForm('classification', { init: 'scratch' });
    expect(finetuneStartBlockers('classification', 'finetune')).toEqual([]);
    expect(finetuneStartBlockers('classification', 'compare')[0]).toMatch(/Compare needs a pretrained model/);

    expect(invokeControl(trainControl())).toBe(true);
    const runId = s().latestFinetune.classification.finetune!;
    expect(sent.at(-1)).toMatchObject({ type: 'start-finetune', runId, settings: { init: 'scratch', batch: 32 } });
    expect(finetuneStartBlockers('classification', 'finetune')).toContain('a fine-tuning run is in progress');
    expect(trainControl().guard(s())).toEqual({ enabled: false }); // no hint: the running run says it
    applyEngineEvent({ type: 'finetune-state', runId, kind: 'finetune', state: 'running', step: 0, totalSteps: 2 });
    const point = { epoch: 0, lmLoss: 3, taskLoss: 0.7, loss: 2.2, lr: 1e-4, gradNorm: 1, elapsedMs: 1 };
    applyEngineEvent({ type: 'finetune-metrics', runId, points: [{ step: 1, ...point }] });
    applyEngineEvent({ type: 'finetune-metrics', runId, points: [{ step: 2, ...point }] });
    expect(finetuneLossData(runId)).toEqual({
      x: [1, 2],
      ys: [
        [3, 3],
        [0.7, 0.7],
        [2.2, 2.2],
      ],
    });
    const metrics = { n: 4, accuracy: 0.75 };
    applyEngineEvent({
      type: 'finetune-eval',
      runId,
      eval: { step: 2, epoch: 1, metric: 'accuracy', value: 0.75, metrics },
    });
    applyEngineEvent({ type: 'finetune-state', runId, kind: 'finetune', state: 'done', step: 2, totalSteps: 2 });
    expect(s().finetuneRuns[runId]).toMatchObject({ state: 'done', step: 2, evals: [{ value: 0.75 }] });

    // A start the worker refuses fails the run, naming the field.
    expect(invokeControl(trainControl())).toBe(true);
    const refused = s().latestFinetune.classification.finetune!;
    applyEngineEvent({ type: 'error', runId: refused, where: 'lr', message: 'the learning rate must be positive' });
    expect(s().finetuneRuns[refused]).toMatchObject({
      state: 'error',
      problems: { lr: 'the learning rate must be positive' },
    });
    expect(s().errors.at(-1)).toMatchObject({ where: 'lr', target: 'other' }); // not the Pretrain tab's lr
  });
});
