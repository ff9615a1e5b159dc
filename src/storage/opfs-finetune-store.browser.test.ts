// The kept fine-tuning runs in Chromium's OPFS: a record round-trips through a real file, a cut-short file
// is skipped with a message naming it, and a store opened afresh (as after a reload) still lists the record.
import { afterAll, describe, expect, it } from 'vitest';
import type { FinetuneRecord } from '../engine/protocol.ts';
import { paperFinetuneSettings } from '../train/settings/finetune-settings.ts';
import { opfsFinetuneStore } from './opfs-finetune-store.ts';

const FOLDER = `gpt1-lab-finetune-test-${Date.now()}`;

const record: FinetuneRecord = {
  version: 1,
  key: 'f1',
  runId: 'f1',
  kind: 'finetune',
  family: 'classification',
  state: 'done',
  dataset: { train: 'train.tsv', dev: 'dev.tsv' },
  settings: paperFinetuneSettings('classification'),
  info: {
    B: 8,
    T: 32,
    totalSteps: 2,
    stepsPerEpoch: 2,
    init: 'from scratch',
    vocabSize: 60,
    parameters: 100,
    metric: 'accuracy',
    auxLm: 0.5,
    rows: { train: 16, dev: 8 },
    warnings: [],
  },
  steps: 2,
  seconds: 0.5,
  startedAt: '2026-03-01T10:00:00.000Z',
  endedAt: '2026-03-01T10:00:01.000Z',
  final: 0.625,
  best: { step: 2, value: 0.625 },
  evals: [{ step: 2, epoch: 1, value: 0.625, accuracy: 0.625 }],
  curves: { step: [1, 2], lmLoss: [3.5, 3.25], taskLoss: [0.75, 0.5], loss: [2.5, 2.125] },
};

describe('OPFS fine-tuning run store', () => {
  afterAll(async () => {
    await (await navigator.storage.getDirectory()).removeEntry(FOLDER, { recursive: true });
  });

  it('keeps a record in a real file, skips a cut-short one naming it, and deletes', async () => {
    const store = (await opfsFinetuneStore(FOLDER))!;
    await store.save(record);
    const folder = await (await navigator.storage.getDirectory()).getDirectoryHandle(FOLDER);
    const writable = await (await folder.getFileHandle('cut.json', { create: true })).createWritable();
    await writable.write(JSON.stringify(record).slice(0, 40));
    await writable.close();

    const reopened = (await opfsFinetuneStore(FOLDER))!; // as after a reload
    const { runs, skipped } = await reopened.list();
    expect(runs).toEqual([record]);
    expect(skipped).toEqual([
      expect.stringMatching(new RegExp(`^browser storage \\(OPFS\\) ${FOLDER}/cut\\.json is not valid JSON`)),
    ]);
    await reopened.delete('f1');
    expect((await reopened.list()).runs).toEqual([]);
  });
});
