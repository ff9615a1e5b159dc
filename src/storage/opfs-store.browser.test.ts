// The OPFS checkpoint store in Chromium: real files, the commit protocol, the space check, and a real quota
// error: the DevTools protocol lowers this origin's quota (Storage.overrideQuotaForOrigin) so that the browser
// itself refuses a write mid-save, after an estimate that said the files would fit.
import { afterAll, describe, expect, it } from 'vitest';
import { cdp } from 'vitest/browser';
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

  it('a write the quota refuses keeps the previous checkpoint, removes the partial folder and says so', async () => {
    // Chromium's estimate() can report far more room than the quota it enforces: trust one that says "plenty".
    const store = (await opfsCheckpointStore(FOLDER, async () => Number.POSITIVE_INFINITY))!;
    await store.saveRun('q', runFiles({ runId: 'q', settings, corpusName: 'c.txt', createdAt: 'now' }, 'corpus'));
    const first = new Uint8Array(1000).fill(7);
    await store.saveCheckpoint('q', new Map([['model.safetensors', first]]), summary(1));
    const session = cdp();
    const origin = location.origin;
    const { usage } = (await session.send('Storage.getUsageAndQuota', { origin })) as { usage: number };
    await session.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 256 * 1024 });
    let refused: unknown;
    try {
      const files = new Map([
        ['model.safetensors', new Uint8Array(100)],
        ['optimizer.safetensors', new Uint8Array(2 * 2 ** 20)],
      ]);
      await store.saveCheckpoint('q', files, summary(2)).catch((error: unknown) => {
        refused = error;
      });
    } finally {
      await session.send('Storage.overrideQuotaForOrigin', { origin });
    }
    expect(refused).toBeInstanceOf(StorageFullError);
    expect((refused as Error).message).toMatch(
      /^Not enough space in browser storage \(OPFS\) to save the checkpoint: it needs 2\.0 MiB, and the browser refused the write: this site's storage quota is used up\. The previous checkpoint is kept\./,
    );
    const loaded = await store.load('q');
    expect(loaded.summary.step).toBe(1);
    expect(loaded.checkpoint.get('model.safetensors')).toEqual(first);
    const run = await (await (await navigator.storage.getDirectory()).getDirectoryHandle(FOLDER)).getDirectoryHandle(
      'q',
    );
    const folders: string[] = [];
    for await (const [name, handle] of run.entries()) if (handle.kind === 'directory') folders.push(name);
    expect(folders).toEqual(['ckpt-00000001']);
    await store.delete('q');
  });
});
