// The task tabs' UI logic without a browser: the paper's number for a detected dataset, the settings form,
// and the worker's events applied to the tasks slice (a refused file keeps the loaded one; a run's points,
// evaluations and comparison rows; a refused start fails the run naming the field).
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskFileSummary } from '../../../engine/protocol.ts';
import { setCommandSink } from '../../engine-port.ts';
import { useAppStore } from '../../store/index.ts';
import { DEFAULT_FORM } from '../../store/tasks-slice.ts';
import { detectPaperDataset, PAPER_RESULTS } from './paper-results.ts';
import { startTaskRun, taskStartBlockers } from './task-actions.ts';
import { lossChartData } from './task-buffers.ts';
import { applyTaskEvent } from './task-events.ts';
import { parseTaskForm } from './task-form.ts';

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
    const { settings, problems } = parseTaskForm('classification', DEFAULT_FORM);
    expect(problems).toEqual({});
    expect(settings).toMatchObject({ lr: 6.25e-5, batch: 32, epochs: 3, warmup: 0.002, auxLm: 0.5, clip: 1 });
    expect(settings).toMatchObject({ transferLayers: null, context: null, init: 'current' });
    const bad = parseTaskForm('classification', {
      ...DEFAULT_FORM,
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

describe('task events in the store', () => {
  afterEach(() => setCommandSink(undefined));

  it('keeps a loaded file when the next one is refused, and follows a run to its end', () => {
    const sent: unknown[] = [];
    setCommandSink((command) => sent.push(command));
    const s = () => useAppStore.getState();
    applyTaskEvent({ type: 'task-file-loaded', summary: summary('train', 'train.tsv') });
    s().taskFileReading('classification', 'train', 'model.zip');
    applyTaskEvent({
      type: 'error',
      requestId: 'task:classification:train',
      where: 'model.zip',
      message: 'model.zip, line 2: looks binary',
    });
    const train = s().tasks.classification.train;
    expect(train).toMatchObject({ status: 'ready', error: 'model.zip, line 2: looks binary' });
    expect(train.summary?.name).toBe('train.tsv');

    expect(taskStartBlockers('classification', 'finetune')).toEqual(['add a dev file', 'no usable pretrained model']);
    applyTaskEvent({ type: 'task-file-loaded', summary: summary('dev', 'dev.tsv') });
    s().setTaskForm('classification', { init: 'scratch' });
    expect(taskStartBlockers('classification', 'finetune')).toEqual([]);
    expect(taskStartBlockers('classification', 'compare')[0]).toMatch(/Compare needs a pretrained model/);

    startTaskRun('classification', 'finetune');
    const runId = s().tasks.classification.finetuneId!;
    expect(sent.at(-1)).toMatchObject({ type: 'start-finetune', runId, settings: { init: 'scratch', batch: 32 } });
    expect(taskStartBlockers('classification', 'finetune')).toContain('a fine-tuning run is in progress');
    applyTaskEvent({ type: 'finetune-state', runId, kind: 'finetune', state: 'running', step: 0, totalSteps: 2 });
    const point = { epoch: 0, lmLoss: 3, taskLoss: 0.7, loss: 2.2, lr: 1e-4, gradNorm: 1, elapsedMs: 1 };
    applyTaskEvent({ type: 'finetune-metrics', runId, points: [{ step: 1, ...point }] });
    applyTaskEvent({ type: 'finetune-metrics', runId, points: [{ step: 2, ...point }] });
    expect(lossChartData(runId)).toEqual({
      x: [1, 2],
      ys: [
        [3, 3],
        [0.7, 0.7],
        [2.2, 2.2],
      ],
    });
    const metrics = { n: 4, accuracy: 0.75 };
    applyTaskEvent({
      type: 'finetune-eval',
      runId,
      eval: { step: 2, epoch: 1, metric: 'accuracy', value: 0.75, metrics },
    });
    applyTaskEvent({ type: 'finetune-state', runId, kind: 'finetune', state: 'done', step: 2, totalSteps: 2 });
    expect(s().taskRuns[runId]).toMatchObject({ state: 'done', step: 2, evals: [{ value: 0.75 }] });

    // A start the worker refuses fails the run, naming the field.
    startTaskRun('classification', 'finetune');
    const refused = s().tasks.classification.finetuneId!;
    applyTaskEvent({ type: 'error', runId: refused, where: 'lr', message: 'the learning rate must be positive' });
    expect(s().taskRuns[refused]).toMatchObject({
      state: 'error',
      problems: { lr: 'the learning rate must be positive' },
    });
  });
});
