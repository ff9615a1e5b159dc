// The one-tab rule with Chromium's real Web Locks (no stub): a run's lock is exclusive across every agent of
// the origin, so a lock this test holds stands for another tab training the run. While it is held the engine
// refuses to resume the run or delete its saved folder, saying why, and keeps the folder; once it is released
// both work. No GPU is touched: the refusals come before any device is opened.
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../model/config.ts';
import { memoryCheckpointStore } from '../storage/memory-store.ts';
import { runFiles } from '../storage/run-files.ts';
import { Engine } from './engine.ts';
import { recorder } from './engine-test-kit.ts';
import type { PretrainSettings } from './protocol.ts';
import { acquireRunLock } from './run-lock.ts';

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

/** Holds `gpt1-lab:run:<runId>` as another tab's training loop would, until the returned function is called. */
async function holdElsewhere(runId: string): Promise<() => Promise<void>> {
  let letGo = () => {};
  const held = new Promise<void>((done) => {
    letGo = done;
  });
  let request: Promise<unknown> = Promise.resolve();
  await new Promise<void>((granted) => {
    request = navigator.locks.request(`gpt1-lab:run:${runId}`, async () => {
      granted();
      await held;
    });
  });
  return async () => {
    letGo();
    await request;
  };
}

describe('run locks across tabs (real Web Locks)', () => {
  it('acquireRunLock is exclusive and free again once released', async () => {
    const first = await acquireRunLock('exclusive');
    expect(first).toBeDefined();
    expect(await acquireRunLock('exclusive')).toBeUndefined();
    expect(await acquireRunLock('another-run')).toBeDefined();
    await first!.release();
    const again = await acquireRunLock('exclusive');
    expect(again).toBeDefined();
    await again!.release();
  });

  it('refuses to resume or delete a saved run another tab holds, says why, and keeps it', async () => {
    const store = memoryCheckpointStore();
    await store.saveRun('busy', runFiles({ runId: 'busy', settings, corpusName: 'c.txt', createdAt: 'now' }, 'abc'));
    const summary = { runId: 'busy', step: 4, totalSteps: 10, savedAt: new Date().toISOString(), settings };
    await store.saveCheckpoint('busy', new Map([['weights.bin', new Uint8Array(8)]]), summary);
    const rec = recorder();
    const engine = new Engine({
      emit: rec.emit,
      gpu: () => {
        throw new Error('this test opens no GPU device');
      },
      store: async () => store,
      kernelTuning: false,
    });
    const release = await holdElsewhere('busy');
    try {
      await engine.handle({ type: 'resume-saved', runId: 'busy', paused: true });
      expect(rec.of('error').at(-1)).toMatchObject({
        where: 'run',
        runId: 'busy',
        message:
          'Run busy is training (or paused) in another tab of gpt1-lab. Only one tab can train a run: stop it there first.',
      });
      expect(rec.of('run-state')).toEqual([]);

      await engine.handle({ type: 'delete-saved', runId: 'busy' });
      expect(rec.of('error').at(-1)).toMatchObject({
        where: 'saved run',
        runId: 'busy',
        message: 'Run busy is training (or paused) in another tab of gpt1-lab. Stop it there before deleting it.',
      });
      expect(
        rec
          .of('saved-runs')
          .at(-1)!
          .runs.map((r) => r.runId),
      ).toEqual(['busy']);
    } finally {
      await release();
    }

    // The other tab stopped: the lock is free, and the delete goes through.
    await engine.handle({ type: 'delete-saved', runId: 'busy' });
    expect(rec.of('saved-runs').at(-1)!.runs).toEqual([]);
    expect(await store.list()).toEqual([]);
    const free = await acquireRunLock('busy'); // the engine released the lock it took to delete
    expect(free).toBeDefined();
    await free!.release();
    await engine.dispose();
  });
});
