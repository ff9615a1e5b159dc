// Kept fine-tuning runs: the recorder turns a job's events into records (curves thinned to a bound, best and
// final dev metric, stopped runs kept, failed ones not), and the folder store round-trips them, skips a file
// it cannot read with a message naming it, and deletes.
import { describe, expect, it } from 'vitest';
import { FinetuneRecorder, recordKey, thinIndices } from '../engine/finetuning/finetune-recorder.ts';
import type { EngineEvent, FinetunePoint, FinetuneRunInfo } from '../engine/protocol.ts';
import { paperFinetuneSettings } from '../train/settings/finetune-settings.ts';
import { FINETUNE_CURVE_POINTS, parseFinetuneRecord } from './finetune-record.ts';
import { memoryFinetuneStore } from './finetune-store.ts';
import { MemoryFolder } from './memory-store.ts';

const info: FinetuneRunInfo = {
  B: 8,
  T: 32,
  totalSteps: 4,
  stepsPerEpoch: 2,
  init: 'from scratch',
  vocabSize: 60,
  parameters: 1234,
  metric: 'accuracy',
  auxLm: 0.5,
  rows: { train: 16, dev: 8 },
  warnings: [],
};
const point = (step: number): FinetunePoint => ({
  step,
  epoch: step / 2,
  lmLoss: 3 - step / 10,
  taskLoss: 0.7 - step / 100,
  loss: 0.7 - step / 100 + 0.5 * (3 - step / 10),
  lr: 1e-3,
  gradNorm: 1,
  elapsedMs: step * 100,
});
const evalEvent = (runId: string, step: number, value: number): EngineEvent => ({
  type: 'finetune-eval',
  runId,
  eval: { step, epoch: step / 2, metric: 'accuracy', value, metrics: { n: 8, accuracy: value } },
});

function recorderFor(runId: string, kind: 'finetune' | 'compare' = 'finetune') {
  let clock = Date.parse('2026-03-01T10:00:00Z');
  const settings = { ...paperFinetuneSettings('classification'), init: 'scratch' as const };
  return new FinetuneRecorder(
    { runId, kind, family: 'classification', settings, dataset: { train: 'train.tsv', dev: 'dev.tsv' } },
    () => (clock += 1000),
  );
}

function finishedRun(runId: string, steps = 4) {
  const rec = recorderFor(runId);
  rec.observe({ type: 'finetune-started', runId, info });
  rec.observe({ type: 'finetune-metrics', runId, points: Array.from({ length: steps }, (_, i) => point(i + 1)) });
  rec.observe(evalEvent(runId, 2, 0.75));
  rec.observe(evalEvent(runId, 4, 0.625));
  const summary = {
    metric: 'accuracy' as const,
    value: 0.625,
    accuracy: 0.625,
    steps,
    seconds: 1.5,
    taskLoss: { first: 0.69, last: 0.66 },
    init: 'from scratch',
  };
  rec.observe({ type: 'finetune-done', runId, summary });
  return rec;
}

describe('FinetuneRecorder', () => {
  it('records a finished run: settings, files, final and best dev metric, every point of a short run', () => {
    const [record, ...rest] = finishedRun('f1').records('done');
    expect(rest).toEqual([]);
    expect(record).toMatchObject({
      version: 1,
      key: 'f1',
      runId: 'f1',
      kind: 'finetune',
      family: 'classification',
      state: 'done',
      dataset: { train: 'train.tsv', dev: 'dev.tsv' },
      steps: 4,
      seconds: 1.5,
      final: 0.625,
      best: { step: 2, value: 0.75 },
      startedAt: '2026-03-01T10:00:01.000Z',
      endedAt: '2026-03-01T10:00:02.000Z',
    });
    expect(record!.info.auxLm).toBe(0.5);
    expect(record!.settings.init).toBe('scratch');
    expect(record!.evals.map((e) => [e.step, e.value, e.accuracy])).toEqual([
      [2, 0.75, 0.75],
      [4, 0.625, 0.625],
    ]);
    expect(record!.curves.step).toEqual([1, 2, 3, 4]);
    expect(record!.curves.lmLoss[0]).toBeCloseTo(2.9, 12);
  });

  it('thins a long run to the bound, keeping the first and the last step', () => {
    const [record] = finishedRun('long', 5001).records('done');
    const { step, loss, lmLoss, taskLoss } = record!.curves;
    expect(step.length).toBe(FINETUNE_CURVE_POINTS);
    expect([loss.length, lmLoss.length, taskLoss.length]).toEqual([2000, 2000, 2000]);
    expect(step[0]).toBe(1);
    expect(step.at(-1)).toBe(5001);
    // 5000 gaps over 1999 intervals: consecutive kept steps are 2 or 3 apart.
    for (let i = 1; i < step.length; i++) expect([2, 3]).toContain(step[i]! - step[i - 1]!);
    expect(thinIndices(3, 2000)).toEqual([0, 1, 2]);
    expect(thinIndices(5, 3)).toEqual([0, 2, 4]);
  });

  it('keeps a stopped run (no dev metric yet) and nothing of a failed one', () => {
    const rec = recorderFor('s1');
    rec.observe({ type: 'finetune-started', runId: 's1', info });
    rec.observe({ type: 'finetune-metrics', runId: 's1', points: [point(1)] });
    rec.observe({ type: 'finetune-metrics', runId: 'other', points: [point(1), point(2)] });
    const [stopped] = rec.records('stopped');
    expect(stopped).toMatchObject({ state: 'stopped', steps: 1, final: null, best: null, evals: [] });
    expect(stopped!.seconds).toBeCloseTo(0.1, 12);
    expect(rec.records('error')).toEqual([]);
  });

  it("records a comparison's variants under their own keys", () => {
    const rec = recorderFor('c1', 'compare');
    for (const variant of ['pretrained+aux', 'scratch'] as const) {
      rec.observe({ type: 'finetune-started', runId: 'c1', variant, info });
      rec.observe({ type: 'finetune-metrics', runId: 'c1', variant, points: [point(1), point(2)] });
      rec.observe({ ...evalEvent('c1', 2, variant === 'scratch' ? 0.5 : 0.875), variant } as EngineEvent);
    }
    const records = rec.records('stopped');
    expect(records.map((r) => [r.key, r.variant, r.kind, r.final])).toEqual([
      ['c1.pretrained-aux', 'pretrained+aux', 'compare', 0.875],
      ['c1.scratch', 'scratch', 'compare', 0.5],
    ]);
    expect(recordKey('c1', 'transfer-2')).toBe('c1.transfer-2');
  });
});

describe('FolderFinetuneStore', () => {
  it('round-trips records, newest first, and deletes one', async () => {
    const store = memoryFinetuneStore();
    const [a] = finishedRun('a').records('done');
    const [b] = finishedRun('b').records('done');
    await store.save(a!);
    await store.save({ ...b!, endedAt: '2026-03-02T00:00:00.000Z' });
    const listed = await store.list();
    expect(listed.skipped).toEqual([]);
    expect(listed.runs.map((r) => r.key)).toEqual(['b', 'a']);
    expect(listed.runs[1]).toEqual(a);
    await store.delete('b');
    expect((await store.list()).runs.map((r) => r.key)).toEqual(['a']);
    await store.delete('b'); // already gone: fine
  });

  it('skips a cut-short file, another version and a stranger, naming each file; lists the rest', async () => {
    const folder = new MemoryFolder();
    const store = memoryFinetuneStore(folder);
    const [good] = finishedRun('good').records('done');
    await store.save(good!);
    const text = JSON.stringify(good);
    const encode = (s: string) => new TextEncoder().encode(s);
    await folder.write('cut.json', encode(text.slice(0, text.length / 2)));
    await folder.write('future.json', encode(JSON.stringify({ ...good, key: 'future', version: 7 })));
    await folder.write('odd.json', encode('[1, 2]'));
    await folder.write('moved.json', encode(text));
    await folder.write('notes.txt', encode('not a record'));
    const { runs, skipped } = await store.list();
    expect(runs.map((r) => r.key)).toEqual(['good']);
    expect(skipped.sort()).toEqual([
      expect.stringMatching(/^fine-tuning runs\/cut\.json is not valid JSON \(.+\); skipped\.$/),
      'fine-tuning runs/future.json has record version 7, this page reads version 1; skipped.',
      'fine-tuning runs/moved.json holds the record of "good"; skipped.',
      'fine-tuning runs/odd.json does not hold a fine-tuning run record; skipped.',
    ]);
  });

  it('refuses a record missing its curves, naming what is missing', () => {
    const [good] = finishedRun('x').records('done');
    const broken = { ...good, curves: { ...good!.curves, loss: [1] } };
    expect(() => parseFinetuneRecord(JSON.stringify(broken), 'x.json')).toThrow(
      'x.json is not a complete fine-tuning run record (curves.loss); skipped.',
    );
  });

  it('refuses keys that are not file names', async () => {
    const [good] = finishedRun('x').records('done');
    await expect(memoryFinetuneStore().save({ ...good!, key: '../x' })).rejects.toThrow(/not usable as a folder name/);
  });
});
