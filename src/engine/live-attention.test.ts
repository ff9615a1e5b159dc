// Live attention through the engine (Dawn/SwiftShader, tiny shapes): a watched run sends the maps of its text
// every N steps and at the end; the last snapshot is the maps asked for once the run is done, bit for bit; the
// run's losses are those of a run nobody watched; a bad interval or an empty text is refused by name.
import { afterEach, describe, expect, it } from 'vitest';
import { testGpu } from '../../test-support/test-gpu.ts';
import { memoryCheckpointStore } from '../storage/memory-store.ts';
import { Engine } from './engine.ts';
import { isState, recorder, tinySettings } from './engine-test-kit.ts';
import type { EngineEvent } from './protocol.ts';

const engines: Engine[] = [];
const TEXT = 'Ada wrote the notes';

async function readyEngine() {
  const rec = recorder();
  const engine = new Engine({
    emit: rec.emit,
    gpu: testGpu,
    store: async () => memoryCheckpointStore(),
    pacing: { metricsIntervalMs: 1e9, metricsMaxPoints: 4, checkpointEvery: 0, checkpointMinMs: 0 },
    kernelTuning: false,
  });
  engines.push(engine);
  await engine.handle({ type: 'load-demo-corpus' });
  await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
  return { engine, rec };
}

/** A finished 4-step run, watched every `every` steps (0: not watched): its events. */
async function run(every: number) {
  const { engine, rec } = await readyEngine();
  if (every) await engine.handle({ type: 'watch-attention', text: TEXT, every });
  const settings = tinySettings({ steps: 4 });
  await engine.handle({ type: 'start-pretrain', runId: 'live', settings });
  await rec.waitFor(isState('done'), 120_000);
  return { engine, rec };
}

const losses = (events: EngineEvent[]) =>
  events.flatMap((e) => (e.type === 'metrics' ? e.points.map((p) => [p.step, p.loss]) : []));

describe('live attention', () => {
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
  });

  it('sends snapshots every N steps and at the end, equal to the maps asked for after, without moving a loss', async () => {
    const watched = await run(3);
    const snapshots = watched.rec.of('attention-snapshot');
    expect(snapshots.map((s) => s.step)).toEqual([3, 4]);
    expect(snapshots[0]!.tokens.join('')).toBe(TEXT);
    expect(snapshots[0]!.data).toHaveLength(1 * 2 * TEXT.length * TEXT.length); // [layers, heads, T, T]
    // Training moved the weights between the two snapshots.
    expect(snapshots[0]!.data).not.toEqual(snapshots[1]!.data);

    await watched.engine.handle({ type: 'attention', requestId: 'after', runId: 'live', text: TEXT });
    const after = await watched.rec.waitFor(
      (e): e is Extract<EngineEvent, { type: 'attention-maps' }> =>
        e.type === 'attention-maps' && e.requestId === 'after',
    );
    expect(after.data).toEqual(snapshots[1]!.data);

    const plain = await run(0);
    expect(plain.rec.of('attention-snapshot')).toHaveLength(0);
    expect(losses(watched.rec.events)).toEqual(losses(plain.rec.events));
    expect(losses(plain.rec.events)).toHaveLength(4);
  });

  it('refuses an interval that is not a whole number of steps, and an empty text', async () => {
    const { engine, rec } = await readyEngine();
    await engine.handle({ type: 'watch-attention', text: TEXT, every: 2.5 });
    await engine.handle({ type: 'watch-attention', text: '  ', every: 3 });
    expect(rec.of('error').map((e) => [e.where, e.message])).toEqual([
      ['attention', 'Live attention every 2.5 steps: give a whole number of steps, 0 for none.'],
      ['attention', 'Live attention needs a text to look at.'],
    ]);
  });
});
