// The real worker path in Chromium: EngineClient starts worker.ts, which loads the demo corpus,
// prepares a character tokenizer, pre-trains a tiny model on navigator.gpu (SwiftShader here), sends
// batched metrics, stops at a step boundary, checkpoints to OPFS, and lists and deletes the saved run.
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../model/config.ts';
import { EngineClient } from './client.ts';
import type { EngineEvent, PretrainSettings } from './protocol.ts';

function waitFor<T extends EngineEvent>(client: EngineClient, test: (e: EngineEvent) => e is T, ms = 90_000) {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for the engine')), ms);
    const off = client.subscribe((event) => {
      if (event.type === 'error') console.warn('engine error', event.where, event.message);
      if (!test(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

const is =
  <K extends EngineEvent['type']>(type: K, extra: (e: Extract<EngineEvent, { type: K }>) => boolean = () => true) =>
  (e: EngineEvent): e is Extract<EngineEvent, { type: K }> =>
    e.type === type && extra(e as Extract<EngineEvent, { type: K }>);

const settings: PretrainSettings = {
  preset: 'custom',
  config: { ...PRESETS.tiny, nLayer: 1, nEmbd: 32, nHead: 2, nInner: 128, nPositions: 32 },
  B: 4,
  T: 32,
  steps: 1000,
  lr: 1e-2,
  seed: 7,
  evalEvery: 0,
  sampleEvery: 0,
  samplePrompt: 'Ada ',
};

describe('engine worker', () => {
  it('pre-trains through the worker: metrics arrive in batches, stop ends at a step boundary', async () => {
    const client = new EngineClient();
    const events: EngineEvent[] = [];
    client.subscribe((e) => events.push(e));
    const runId = `browser-test-${Date.now()}`;
    try {
      const ready = waitFor(client, is('device-ready'));
      client.send({ type: 'probe-device' });
      expect((await ready).selfTest.ok).toBe(true);

      const loaded = waitFor(client, is('corpus-loaded'));
      client.send({ type: 'load-demo-corpus' });
      expect((await loaded).stats.bytes).toBeGreaterThan(150_000);
      const tokenizer = waitFor(client, is('tokenizer-ready'));
      client.send({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
      expect((await tokenizer).stats.kind).toBe('char');

      const metrics = waitFor(
        client,
        is('metrics', (e) => e.points.at(-1)!.step >= 3),
      );
      client.send({ type: 'start-pretrain', runId, settings });
      const first = await metrics;
      expect(first.runId).toBe(runId);
      expect(Number.isFinite(first.points[0]!.loss)).toBe(true);

      const stopped = waitFor(
        client,
        is('run-state', (e) => e.state === 'stopped'),
      );
      const saved = waitFor(client, is('checkpoint-saved'));
      client.send({ type: 'stop', runId });
      const end = await stopped;
      expect((await saved).step).toBe(end.step);
      const points = events.flatMap((e) => (e.type === 'metrics' ? e.points : []));
      expect(points.map((p) => p.step)).toEqual(Array.from({ length: end.step }, (_, i) => i + 1));
      // Batches go out at most every 100 ms; a SwiftShader step takes longer, so here that is about one per
      // step (the Node session tests check that fast steps share batches).
      expect(events.filter((e) => e.type === 'metrics').length).toBeLessThanOrEqual(end.step);
      expect(events.filter((e) => e.type === 'run-state').map((e) => (e as { state: string }).state)).toEqual([
        'preparing',
        'running',
        'stopped',
      ]);

      // The checkpoint is in OPFS (the worker's store), visible from this page of the same origin.
      const runs = await (await navigator.storage.getDirectory()).getDirectoryHandle('gpt1-lab-runs');
      const names: string[] = [];
      for await (const name of (await runs.getDirectoryHandle(runId)).keys()) names.push(name);
      expect(names).toEqual(expect.arrayContaining(['run.json', 'corpus.txt']));
      expect(names.some((n) => n.startsWith('ckpt-'))).toBe(true);

      const listed = waitFor(client, is('saved-runs'));
      client.send({ type: 'list-saved-runs' });
      expect((await listed).runs.find((r) => r.runId === runId)?.step).toBe(end.step);
      const deleted = waitFor(client, is('saved-runs'));
      client.send({ type: 'delete-saved', runId });
      expect((await deleted).runs.find((r) => r.runId === runId)).toBeUndefined();
    } finally {
      client.terminate();
    }
  });
});
