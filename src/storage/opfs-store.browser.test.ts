// The OPFS checkpoint store in Chromium: real files, the commit protocol, and the space check.
import { afterAll, describe, expect, it } from 'vitest';
import type { PretrainSettings } from '../engine/protocol.ts';
import { PRESETS } from '../model/config.ts';
import { StorageFullError } from './checkpoint-store.ts';
import { checkOpfsSpace, hasOpfs, opfsCheckpointStore } from './opfs-store.ts';
import { runFiles } from './run-files.ts';

const FOLDER = `gpt1-lab-test-${Date.now()}`;
const settings: PretrainSettings = {
  preset: 'tiny',
  config: PRESETS.tiny,
  B: 2,
  T: 16,
  steps: 10,
  lr: 1e-3,
  seed: 3,
  evalEvery: 0,
  sampleEvery: 0,
  samplePrompt: '',
};
const summary = (step: number) => ({
  runId: 'r',
  step,
  totalSteps: 10,
  savedAt: new Date(step * 1000).toISOString(),
  settings,
});

describe('OPFS checkpoint store', () => {
  afterAll(async () => {
    await (await navigator.storage.getDirectory()).removeEntry(FOLDER, { recursive: true });
  });

  it('saves, lists, loads and prunes through real files; a partial folder does not count', async () => {
    expect(hasOpfs()).toBe(true);
    const store = (await opfsCheckpointStore(FOLDER))!;
    await store.saveRun('r', runFiles({ runId: 'r', settings, corpusName: 'c.txt', createdAt: 'now' }, 'hello world'));
    const big = new Uint8Array(3 * 2 ** 20).map((_, i) => i & 0xff);
    await store.saveCheckpoint('r', new Map([['model.safetensors', big]]), summary(1));
    await store.saveCheckpoint('r', new Map([['model.safetensors', big.subarray(0, 100)]]), summary(2));
    expect((await store.list()).map((r) => r.step)).toEqual([2]);
    // A crash mid-save: files without COMMIT.json.
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(FOLDER);
    const partial = await (await root.getDirectoryHandle('r')).getDirectoryHandle('ckpt-00000005', { create: true });
    const writable = await (await partial.getFileHandle('model.safetensors', { create: true })).createWritable();
    await writable.write(new Uint8Array(10));
    await writable.close();
    const loaded = await store.load('r');
    expect(loaded.summary.step).toBe(2);
    expect(loaded.checkpoint.get('model.safetensors')).toEqual(big.subarray(0, 100));
    expect(new TextDecoder().decode(loaded.run.get('corpus.txt'))).toBe('hello world');
    const folders: string[] = [];
    for await (const [name, handle] of await root.getDirectoryHandle('r').then((h) => h.entries())) {
      if (handle.kind === 'directory') folders.push(name);
    }
    expect(folders.sort()).toEqual(['ckpt-00000002', 'ckpt-00000005']);
    await store.delete('r');
    expect(await store.list()).toEqual([]);
  });

  it('refuses a checkpoint that estimate() says will not fit', async () => {
    await expect(checkOpfsSpace(100 * 2 ** 20, async () => 10 * 2 ** 20)).rejects.toBeInstanceOf(StorageFullError);
    await expect(checkOpfsSpace(100 * 2 ** 20, async () => 10 * 2 ** 20)).rejects.toThrow(
      /Not enough space in browser storage \(OPFS\) to save the checkpoint: it needs 109\.0 MiB, 10\.0 MiB is free/,
    );
    await checkOpfsSpace(1024, async () => Number.POSITIVE_INFINITY);
  });
});
