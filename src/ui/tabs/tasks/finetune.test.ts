// Fine-tuning's UI logic without a browser: the paper's number for a detected dataset, the settings form, the
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
import { detectPaperDataset, PAPER_RESULTS } from './paper-results.ts';

const trainControl = () => finetuneControls('classification', 'finetune').find((c) => c.id === 'train')!;

const summary = (role: 'train' | 'dev', name: string): TaskFileSummary => ({
  family: 'classification',
  role,
  name,
  bytes: 100,
  format: 'glue-sst2',
  description: 'GLUE SST-2 style: sentence, label',
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
  it('finds the dataset from the format or the file name', () => {
    expect(detectPaperDataset({ format: 'glue-sst2', name: 'x.tsv', description: '' })).toBe(PAPER_RESULTS.sst2);
    expect(detectPaperDataset({ format: 'glue-cola', name: 'in.tsv', description: '' })?.full).toBe(45.4);
    expect(detectPaperDataset({ format: 'glue-pair', name: 'RTE-train.tsv', description: '' })).toMatchObject({
      dataset: 'RTE',
      full: 56.0,
      noAux: 54.4,
      scratch: 53.8,
    });
    expect(detectPaperDataset({ format: 'glue-pair', name: 'snli_dev.tsv', description: '' })?.full).toBe(89.9);
    expect(detectPaperDataset({ format: 'glue-pair', name: 'd.tsv', description: 'QNLI style: q' })?.full).toBe(88.1);
    expect(detectPaperDataset({ format: 'glue-mrpc', name: 'train.tsv', description: '' })?.metric).toBe('f1');
    expect(detectPaperDataset({ format: 'copa-jsonl', name: 'train.jsonl', description: '' })).toBeUndefined();
    expect(detectPaperDataset({ format: 'mapped-columns', name: 'mine.csv', description: '' })).toBeUndefined();
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
