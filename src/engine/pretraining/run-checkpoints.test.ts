// What a pre-training run tells the person when storage is full (no GPU needed): which checkpoint was not
// saved, that training goes on with the previous one kept, and which saved runs could be deleted (largest
// first, with sizes), or what to do when there are none. The store refuses through its space check, as the
// OPFS store does (its real quota errors: opfs-store.browser.test.ts and e2e/storage-quota.spec.ts).
import { describe, expect, it } from 'vitest';
import { StorageFullError } from '../../storage/checkpoint-store.ts';
import { FolderCheckpointStore } from '../../storage/folder-store.ts';
import { MemoryFolder } from '../../storage/memory-store.ts';
import { runFiles } from '../../storage/run-files.ts';
import { recorder, tinySettings } from '../engine-test-kit.ts';
import { pretrainingRun, RunCheckpoints } from './run-checkpoints.ts';

const settings = tinySettings();

function fullableStore() {
  const state = { full: false };
  const store = new FolderCheckpointStore(new MemoryFolder(), {
    label: 'test storage',
    checkSpace: async (bytes) => {
      if (state.full) throw new StorageFullError(bytes, 512, 'test storage');
    },
  });
  return { store, state };
}

async function savedRun(store: FolderCheckpointStore, runId: string, bytes: number): Promise<void> {
  await store.saveRun(runId, runFiles({ runId, settings, corpusName: 'c.txt', createdAt: 'then' }, 'corpus'));
  const summary = { runId, step: 3, totalSteps: 12, savedAt: new Date().toISOString(), settings };
  await store.saveCheckpoint(runId, new Map([['model.safetensors', new Uint8Array(bytes)]]), summary);
}

const checkpoint = async () => new Map([['model.safetensors', new Uint8Array(2048)]]);

describe('RunCheckpoints when storage is full', () => {
  it('keeps the previous checkpoint and names the saved runs to delete, largest first', async () => {
    const { store, state } = fullableStore();
    await savedRun(store, 'old-small', 1000);
    await savedRun(store, 'old-large', 3 * 2 ** 20);
    const rec = recorder();
    const run = { runId: 'now', settings, corpus: { name: 'c.txt', text: 'corpus' } };
    const checkpoints = new RunCheckpoints(store, pretrainingRun(run), {}, rec.emit, () => 0);
    await checkpoints.save(5, checkpoint);
    expect(rec.of('checkpoint-saved').map((e) => e.step)).toEqual([5]);

    state.full = true;
    await checkpoints.save(10, checkpoint);
    const sizes = Object.fromEntries((await store.list()).map((r) => [r.runId, (r.bytes! / 2 ** 20).toFixed(1)]));
    expect(rec.of('error')).toEqual([
      {
        type: 'error',
        runId: 'now',
        where: 'checkpoint',
        message:
          'The checkpoint of step 10 was not saved: test storage is full (it needs 0.0 MiB, 0.0 MiB is free). ' +
          'Training goes on, and the checkpoint of step 5 is kept. To make room, delete saved runs you no longer ' +
          `need on the Runs tab: old-large (${sizes['old-large']} MiB), old-small (${sizes['old-small']} MiB); ` +
          'or export this run to keep a copy on disk.',
      },
    ]);
    expect(checkpoints.lastSavedStep).toBe(5);
    expect((await store.load('now')).summary.step).toBe(5);
  });

  it('says what to do when no other run is saved, and when nothing of the run is saved yet', async () => {
    const { store, state } = fullableStore();
    state.full = true;
    const rec = recorder();
    const run = { runId: 'only', settings, corpus: { name: 'c.txt', text: 'corpus' } };
    await new RunCheckpoints(store, pretrainingRun(run), {}, rec.emit, () => 0).save(4, checkpoint);
    expect(rec.of('error').map((e) => e.message)).toEqual([
      'The run could not be saved: test storage is full (it needs 0.0 MiB, 0.0 MiB is free). Training goes on, ' +
        'but nothing of this run is saved yet. No other run is saved here to delete: export this run to keep a ' +
        "copy on disk, or free space for this site in the browser's settings.",
    ]);
    expect(await store.list()).toEqual([]);
  });
});
