// The pre-training session on the GPU tier (Dawn/SwiftShader): batched metrics, validation and samples,
// pause / step-once / resume / stop at step boundaries with the same loss bits as an uninterrupted run,
// non-finite losses ending the run, checkpoints that resume bit for bit, generation and attention maps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../../test-support/test-gpu.ts';
import type { GpuContext } from '../../gpu/device.ts';
import { initParams } from '../../model/weights.ts';
import type { CheckpointStore } from '../../storage/checkpoint-store.ts';
import { memoryCheckpointStore } from '../../storage/memory-store.ts';
import { demoCorpus, demoIds, demoTokenizer, isState, recorder, tinySettings } from '../engine-test-kit.ts';
import type { PretrainSettings } from '../protocol.ts';
import type { RunPacing } from '../run-pacing.ts';
import { PretrainSession, runConfig } from './pretrain-session.ts';

const corpus = { name: demoCorpus.name, text: demoCorpus.text };
/** Metrics leave in batches of 4 steps (the time trigger is off so the counts are deterministic). */
const QUIET: RunPacing = { metricsIntervalMs: 1e9, metricsMaxPoints: 4, checkpointMinMs: 0, checkpointEvery: 0 };

describe('PretrainSession', () => {
  let ctx: GpuContext;
  let baseline: Map<number, number>;

  const create = (
    settings: PretrainSettings,
    rec: ReturnType<typeof recorder>,
    tuning: RunPacing = QUIET,
    store?: CheckpointStore,
    runId = 'test-run',
  ) =>
    PretrainSession.create(
      { ctx, emit: rec.emit, store },
      { runId, settings, corpus, tokenizer: demoTokenizer, ids: demoIds },
      tuning,
    );

  beforeAll(async () => {
    ctx = await openTestGpu();
    const rec = recorder();
    const session = await create(tinySettings(), rec);
    expect(await session.start()).toBe('done');
    baseline = rec.losses();
    await session.destroy();
  });
  afterAll(() => ctx.destroy());

  it('runs to the end with batched metrics, validation and samples, without changing the losses', async () => {
    const rec = recorder();
    const store = memoryCheckpointStore();
    const settings = tinySettings({ evalEvery: 4, sampleEvery: 6, samplePrompt: 'Pixel the cat ' });
    const session = await create(settings, rec, { ...QUIET, checkpointEvery: 5, sample: { maxTokens: 12 } }, store);
    expect(await session.start()).toBe('done');
    expect(rec.states()).toEqual(['running', 'done']);
    expect([...baseline.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rec.losses()).toEqual(baseline); // validation, samples and saves do not touch training state
    const metrics = rec.of('metrics');
    expect(metrics.length).toBeLessThanOrEqual(6); // 12 steps, batches of up to 4 plus flushes at boundaries
    expect(metrics.length).toBeLessThan(12);
    const points = metrics.flatMap((m) => m.points);
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const last = points.at(-1)!;
    expect(last.tokens).toBe(12 * 4 * 32);
    expect(last.msPerStep).toBeGreaterThan(0);
    expect(last.tokensPerSecond).toBeCloseTo((4 * 32 * 1000) / last.msPerStep, 6);
    expect(last.elapsedMs).toBeGreaterThan(0);
    expect(rec.of('eval').map((e) => e.step)).toEqual([0, 4, 8, 12]);
    for (const e of rec.of('eval')) expect(e.valLoss).toBeGreaterThan(1);
    const samples = rec.of('sample');
    expect(samples.map((s) => s.step)).toEqual([6, 12]);
    for (const s of samples) {
      expect(s.prompt).toBe('Pixel the cat ');
      expect(s.text.length).toBeGreaterThan(0);
    }
    expect(rec.of('checkpoint-saved').map((c) => c.step)).toEqual([5, 10, 12]);
    expect((await store.list()).map((r) => r.step)).toEqual([12]);
    await session.destroy();
  });

  it('scores zero-shot probes at step 0, every N steps and at the end, without changing the losses; saved with the run', async () => {
    const rec = recorder();
    const store = memoryCheckpointStore();
    const session = await create(tinySettings({ probeEvery: 6 }), rec, { ...QUIET, checkpointEvery: 0 }, store);
    expect(await session.start()).toBe('done');
    expect(rec.losses()).toEqual(baseline); // a probe round reads the weights, never the run's state
    const rounds = rec.of('probes');
    expect(rounds.map((r) => r.step)).toEqual([0, 6, 12]);
    for (const round of rounds) {
      expect(round.results.map((r) => r.kind)).toEqual(['sentiment', 'acceptability', 'choice', 'winograd']);
      for (const r of round.results) {
        expect(r.items).toBe(24);
        expect(r.normalized).toBeCloseTo((r.value - r.chance) / (1 - r.chance), 12);
      }
    }
    // Saved with the run: a restored session replays them.
    await session.destroy();
    const replay = recorder();
    const again = await PretrainSession.restore({ ctx, emit: replay.emit, store }, await store.load('test-run'), QUIET);
    again.replayHistory();
    expect(replay.of('probes').map((r) => r.step)).toEqual([0, 6, 12]);
    await again.destroy();
  });

  it('pauses at a step boundary, steps once, resumes, and matches the uninterrupted run bit for bit', async () => {
    const rec = recorder();
    const store = memoryCheckpointStore();
    const session = await create(tinySettings(), rec, QUIET, store);
    let asked = false;
    rec.on((e) => {
      if (e.type === 'metrics' && !asked) {
        asked = true;
        session.pause(); // from inside the emit, as a UI message would arrive mid-run
      }
    });
    const finished = session.start();
    const paused = await rec.waitFor(isState('paused'));
    expect(session.state).toBe('paused');
    const at = paused.step;
    expect(at).toBeGreaterThanOrEqual(4);
    expect(at).toBeLessThan(12);
    expect(Math.max(...rec.losses().keys())).toBe(at); // every submitted step finished: a boundary
    expect(rec.of('checkpoint-saved').map((c) => c.step)).toEqual([at]); // saved on pause
    session.stepOnce();
    const once = await rec.next(isState('paused'));
    expect(once.step).toBe(at + 1);
    expect(rec.of('checkpoint-saved')).toHaveLength(1); // step-once does not save
    session.resume();
    expect(await finished).toBe('done');
    expect(rec.states()).toEqual(['running', 'pausing', 'paused', 'paused', 'running', 'done']);
    expect(rec.losses()).toEqual(baseline);
    await session.destroy();
  });

  it('stops at a step boundary and saves', async () => {
    const rec = recorder();
    const store = memoryCheckpointStore();
    const session = await create(tinySettings({ steps: 1000 }), rec, QUIET, store);
    rec.on((e) => {
      if (e.type === 'metrics') session.stop();
    });
    expect(await session.start()).toBe('stopped');
    const stopped = rec.of('run-state').at(-1)!;
    expect(stopped.step).toBeLessThan(12);
    expect(Math.max(...rec.losses().keys())).toBe(stopped.step);
    expect((await store.list())[0]?.step).toBe(stopped.step);
    session.resume(); // nothing happens after the end
    expect(session.state).toBe('stopped');
    await session.destroy();
  });

  it('ends in error on a non-finite loss, takes no further step, and keeps the last good checkpoint', async () => {
    const rec = recorder();
    const store = memoryCheckpointStore();
    const settings = tinySettings({ steps: 40, lr: 1e30 });
    const session = await create(settings, rec, { ...QUIET, checkpointEvery: 1 }, store);
    expect(await session.start()).toBe('error');
    const error = rec.of('run-state').at(-1)!;
    expect(error.message).toMatch(/Training stopped at step \d+: the loss is (NaN|-?Infinity)/);
    const bad = Number(/step (\d+)/.exec(error.message!)![1]);
    const saved = rec.of('checkpoint-saved').map((c) => c.step);
    expect(saved.every((s) => s < bad)).toBe(true);
    expect(error.message).toContain(saved.length ? `checkpoint (step ${saved.at(-1)}) is kept` : 'No checkpoint');
    expect(Math.max(0, ...rec.losses().keys())).toBeLessThan(bad); // no metrics at or after the bad step
    expect(error.step).toBe(bad - 1); // the UI is told the last good step
    expect(session.submittedSteps).toBeLessThanOrEqual(bad + 2); // nothing submitted past the in-flight window
    await session.destroy();

    // A poisoned weight: the very first loss is NaN, nothing is saved.
    const poisoned = recorder();
    const params = initParams(runConfig(settings, demoTokenizer.vocabSize), 42);
    params.get('wte')![0] = Number.NaN;
    const store2 = memoryCheckpointStore();
    const s2 = await PretrainSession.create(
      { ctx, emit: poisoned.emit, store: store2 },
      {
        runId: 'poisoned',
        settings: tinySettings(),
        corpus,
        tokenizer: demoTokenizer,
        ids: demoIds,
        initialParams: params,
      },
      { ...QUIET, checkpointEvery: 1 },
    );
    expect(await s2.start()).toBe('error');
    expect(poisoned.of('run-state').at(-1)!.message).toMatch(/step 1: the loss is NaN.*No checkpoint was saved yet/);
    expect(poisoned.of('metrics')).toHaveLength(0);
    expect(await store2.list()).toEqual([]);
    await s2.destroy();
  });

  it('auto-saves, and a run restored from the store continues bit for bit', async () => {
    const rec = recorder();
    const store = memoryCheckpointStore();
    const session = await create(tinySettings(), rec, { ...QUIET, checkpointEvery: 5 }, store, 'saved-run');
    rec.on((e) => {
      if (e.type === 'checkpoint-saved' && e.step === 5) session.stop(); // as if the tab closed after the save
    });
    expect(await session.start()).toBe('stopped');
    await session.destroy();
    const saved = await store.load('saved-run');
    expect(saved.summary.step).toBeGreaterThanOrEqual(5);

    const after = recorder();
    const restored = await PretrainSession.restore({ ctx, emit: after.emit, store }, saved, QUIET);
    expect(restored.step).toBe(saved.summary.step);
    expect(restored.corpus.text).toBe(demoCorpus.text);
    restored.replayHistory();
    expect(after.of('metrics')[0]!.points.map((p) => p.step)).toEqual(
      Array.from({ length: saved.summary.step }, (_, i) => i + 1),
    );
    expect(await restored.start()).toBe('done');
    expect(after.losses()).toEqual(baseline);
  });

  it('streams generated tokens and gives attention maps of the live weights', async () => {
    const rec = recorder();
    const session = await create(tinySettings({ steps: 2 }), rec);
    await session.start();
    await session.generate('g1', 'Ada', { maxTokens: 10, temperature: 1, topK: 0, seed: 5 });
    const generated = rec.of('generated');
    expect(generated).toHaveLength(10); // one event per character token
    expect(generated.map((g) => g.done)).toEqual([...Array(9).fill(false), true]);
    const text = generated.map((g) => g.text).join('');
    expect(text).toHaveLength(10);
    expect(generated.at(-1)!.fullText).toBe(text);

    const maps = await session.attention('Ada measured the wire.');
    const T = 'Ada measured the wire.'.length;
    expect(maps.tokens.join('')).toBe('Ada measured the wire.');
    expect([maps.layers, maps.heads, maps.T]).toEqual([1, 2, T]);
    expect(maps.data.length).toBe(1 * 2 * T * T);
    for (let h = 0; h < 2; h++) {
      for (let i = 0; i < T; i++) {
        const row = maps.data.subarray((h * T + i) * T, (h * T + i + 1) * T);
        let sum = 0;
        for (let j = 0; j < T; j++) {
          if (j > i) expect(row[j]).toBe(0);
          sum += row[j]!;
        }
        expect(sum).toBeCloseTo(1, 5);
      }
    }
    // Longer than the context: the first T tokens.
    const long = await session.attention('x'.repeat(100));
    expect(long.T).toBe(32);
    await expect(session.attention('')).rejects.toThrow(/no tokens/);
    await session.destroy();
  });
});
