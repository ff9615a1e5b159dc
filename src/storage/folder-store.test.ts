// The checkpoint store's folder protocol over memory folders: save, list, load, prune, and the atomicity
// promises: an interrupted or refused save leaves the previous checkpoint loadable and invisible itself.
import { describe, expect, it } from 'vitest';
import type { PretrainSettings } from '../engine/protocol.ts';
import { PRESETS } from '../model/config.ts';
import { type SavedRunSummary, StorageFullError } from './checkpoint-store.ts';
import { checkRunId, FolderCheckpointStore } from './folder-store.ts';
import { MemoryFolder, memoryCheckpointStore } from './memory-store.ts';
import { parseRunFiles, runFiles } from './run-files.ts';

const settings: PretrainSettings = {
  preset: 'tiny',
  config: PRESETS.tiny,
  B: 4,
  T: 32,
  steps: 100,
  lr: 1e-3,
  seed: 1,
  evalEvery: 10,
  sampleEvery: 20,
  samplePrompt: 'Ada',
};
const bytes = (...values: number[]) => Uint8Array.from(values);
const summary = (runId: string, step: number, savedAt = `2026-01-01T00:00:${String(step).padStart(2, '0')}Z`) =>
  ({ runId, step, totalSteps: 100, savedAt, settings }) satisfies SavedRunSummary;
const ckpt = (step: number) =>
  new Map([
    ['model.safetensors', bytes(step, step, step)],
    ['training_state.json', bytes(step)],
  ]);
const run = (runId: string) =>
  runFiles({ runId, settings, corpusName: 'demo.txt', createdAt: '2026-01-01T00:00:00Z' }, 'Ada and Bruno.\n');

describe('FolderCheckpointStore', () => {
  it('saves a run and its checkpoints, lists the newest, and keeps one committed folder', async () => {
    const root = new MemoryFolder();
    const store = memoryCheckpointStore(root);
    await store.saveRun('run-1', run('run-1'));
    expect(await store.list()).toEqual([]); // no checkpoint yet: nothing to resume
    expect(await store.saveCheckpoint('run-1', ckpt(5), summary('run-1', 5))).toBe(4);
    expect(await store.saveCheckpoint('run-1', ckpt(10), summary('run-1', 10))).toBe(4);
    // With its size: the run's fixed files and the latest checkpoint's 4 bytes, what deleting it frees.
    const runBytes = [...run('run-1').values()].reduce((sum, data) => sum + data.byteLength, 0);
    expect(await store.list()).toEqual([{ ...summary('run-1', 10), bytes: runBytes + 4 }]);
    const loaded = await store.load('run-1');
    expect(loaded.summary.step).toBe(10);
    expect(loaded.checkpoint).toEqual(ckpt(10));
    const { manifest, corpusText } = parseRunFiles(loaded.run);
    expect(manifest.settings).toEqual(settings);
    expect(corpusText).toBe('Ada and Bruno.\n');
    const folders = (await (await root.folder('run-1', false))!.entries()).filter((e) => e.kind === 'folder');
    expect(folders.map((f) => f.name)).toEqual(['ckpt-00000002']);

    await store.saveRun('run-2', run('run-2'));
    await store.saveCheckpoint('run-2', ckpt(3), summary('run-2', 3, '2026-02-01T00:00:00Z'));
    expect((await store.list()).map((r) => r.runId)).toEqual(['run-2', 'run-1']);
    await store.delete('run-2');
    expect((await store.list()).map((r) => r.runId)).toEqual(['run-1']);
    await expect(store.load('run-2')).rejects.toThrow(/No saved run run-2/);
  });

  it('keeps the previous checkpoint when a save fails half-way, and ignores the partial folder', async () => {
    const root = new MemoryFolder();
    const store = memoryCheckpointStore(root);
    await store.saveRun('r', run('r'));
    await store.saveCheckpoint('r', ckpt(5), summary('r', 5));
    root.beforeWrite = (path) => {
      if (path.endsWith('training_state.json')) throw Object.assign(new Error('disk gone'), { name: 'IOError' });
    };
    await expect(store.saveCheckpoint('r', ckpt(10), summary('r', 10))).rejects.toThrow('disk gone');
    root.beforeWrite = undefined;
    expect((await store.load('r')).summary.step).toBe(5);
    expect((await store.load('r')).checkpoint).toEqual(ckpt(5));
    // A crash (no cleanup) between the files and COMMIT.json: the folder stays but does not count.
    const runFolder = (await root.folder('r', false))!;
    const partial = (await runFolder.folder('ckpt-00000009', true))!;
    await partial.write('model.safetensors', bytes(1, 2, 3));
    expect((await store.load('r')).summary.step).toBe(5);
    // A commit whose file is truncated does not count either.
    const torn = (await runFolder.folder('ckpt-00000010', true))!;
    await torn.write('model.safetensors', bytes(1));
    await torn.write(
      'COMMIT.json',
      new TextEncoder().encode(JSON.stringify({ summary: summary('r', 99), files: { 'model.safetensors': 3 } })),
    );
    expect((await store.load('r')).summary.step).toBe(5);
    // The next good save takes a fresh sequence number and prunes the rest.
    await store.saveCheckpoint('r', ckpt(15), summary('r', 15));
    expect((await store.load('r')).summary.step).toBe(15);
    expect((await runFolder.entries()).filter((e) => e.kind === 'folder').map((e) => e.name)).toEqual([
      'ckpt-00000011',
    ]);
  });

  it('refuses a save that does not fit before writing anything', async () => {
    const root = new MemoryFolder();
    let free = 1_000;
    const store = new FolderCheckpointStore(root, {
      label: 'test storage',
      checkSpace: async (n) => {
        if (n > free) throw new StorageFullError(n, free, 'test storage');
      },
    });
    await store.saveRun('r', run('r'));
    await store.saveCheckpoint('r', ckpt(1), summary('r', 1));
    free = 2;
    const refused = store.saveCheckpoint('r', ckpt(2), summary('r', 2));
    await expect(refused).rejects.toBeInstanceOf(StorageFullError);
    await expect(refused).rejects.toThrow(/Not enough space in test storage.*previous checkpoint is kept/);
    expect((await store.load('r')).summary.step).toBe(1);
  });

  it('keeps the newest K committed checkpoints when asked', async () => {
    const root = new MemoryFolder();
    const store = memoryCheckpointStore(root, 2);
    await store.saveRun('r', run('r'));
    for (const step of [1, 2, 3]) await store.saveCheckpoint('r', ckpt(step), summary('r', step));
    const names = (await (await root.folder('r', false))!.entries()).filter((e) => e.kind === 'folder');
    expect(names.map((e) => e.name).sort()).toEqual(['ckpt-00000002', 'ckpt-00000003']);
  });

  it('refuses run ids that are not plain folder names, and checkpoints of unsaved runs', async () => {
    for (const bad of ['', '..', 'a/b', 'x'.repeat(101), '.hidden'])
      expect(() => checkRunId(bad), bad).toThrow(/folder name/);
    checkRunId('run-2026-01-01T10.30_ab');
    const store = memoryCheckpointStore();
    await expect(store.saveCheckpoint('nope', ckpt(1), summary('nope', 1))).rejects.toThrow(/no saved run files/);
    await expect(store.saveRun('r', new Map())).rejects.toThrow(/run.json/);
  });
});
