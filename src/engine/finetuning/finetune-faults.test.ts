// Fine-tuning survives the faults pre-training survives, on Dawn (SwiftShader) with real GPU work: a device lost
// mid-run (the engine's debug-lose-device destroys it) ends the run in 'error' saying so and at which step,
// keeps the finished runs, their models and a comparison's finished variants, and the next run trains on a fresh
// device; a non-finite loss (a learning rate of 1e30, past the settings' bounds, so driven below the engine's
// validation as pretrain-session.test.ts does) ends the run at that step, and the device trains the next one.
import { afterEach, describe, expect, it } from 'vitest';
import { openTestGpu } from '../../../test-support/test-gpu.ts';
import { memoryFinetuneStore } from '../../storage/finetune-store.ts';
import { paperFinetuneSettings } from '../../train/settings/finetune-settings.ts';
import type { Engine } from '../engine.ts';
import { isState, recorder, testEngine, tinySettings } from '../engine-test-kit.ts';
import type { EngineEvent, FinetuneSettings } from '../protocol.ts';
import { FinetuneJob } from './finetune-job.ts';
import { fileBytes, scratchPreview, slice } from './finetune-test-kit.ts';
import { TaskFiles } from './task-files.ts';

const engines: Engine[] = [];

type Of<K extends EngineEvent['type']> = Extract<EngineEvent, { type: K }>;

const finetuneState =
  (runId: string, state: string) =>
  (e: EngineEvent): e is Of<'finetune-state'> =>
    e.type === 'finetune-state' && e.runId === runId && e.state === state;

const metricsOf =
  (runId: string) =>
  (e: EngineEvent): e is Of<'finetune-metrics'> =>
    e.type === 'finetune-metrics' && e.runId === runId;

/** Tiny and quick on SwiftShader: the tiny preset at context 32, 32 SST-2 rows in 2 steps of 16 per epoch. */
const quick = (overrides: Partial<FinetuneSettings> = {}): FinetuneSettings => ({
  ...paperFinetuneSettings('classification'),
  init: 'scratch',
  batch: 16,
  epochs: 1,
  lr: 1e-3,
  context: 32,
  ...overrides,
});

const SST2 = { train: slice('classification/sst2/train.tsv', 32), dev: slice('classification/sst2/dev.tsv', 8) };

async function engineWithSst2() {
  const store = memoryFinetuneStore();
  const { engine, rec } = testEngine(engines, { pacing: { metricsIntervalMs: 0 }, finetuneStore: async () => store });
  for (const role of ['train', 'dev'] as const) {
    const bytes = fileBytes(SST2[role]);
    const name = `${role}.tsv`;
    await engine.handle({
      type: 'load-task-file',
      family: 'classification',
      role,
      name,
      bytes,
      preview: scratchPreview,
    });
  }
  return { engine, rec };
}

async function keptKeys(engine: Engine, rec: ReturnType<typeof recorder>): Promise<string[]> {
  await engine.handle({ type: 'list-finetune-runs' });
  return rec
    .of('finetune-runs')
    .at(-1)!
    .runs.map((r) => r.key)
    .sort();
}

describe('fine-tuning faults', () => {
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
  });

  it('a lost device ends the run in error; finished runs and models stay; the next run trains on a fresh device', async () => {
    const { engine, rec } = await engineWithSst2();
    await engine.handle({ type: 'start-finetune', runId: 'first', settings: quick() });
    await engine.finetuneFinished;
    expect(rec.of('finetune-state').at(-1)).toMatchObject({ runId: 'first', state: 'done' });

    await engine.handle({ type: 'start-finetune', runId: 'long', settings: quick({ epochs: 200 }) });
    await rec.waitFor(metricsOf('long'));
    await engine.handle({ type: 'debug-lose-device' });
    expect((await rec.waitFor((e): e is Of<'device-lost'> => e.type === 'device-lost')).reason).toBe('destroyed');
    const failed = await rec.waitFor(finetuneState('long', 'error'));
    await engine.finetuneFinished;
    const lastStep = rec.of('finetune-metrics').filter(metricsOf('long')).at(-1)!.points.at(-1)!.step;
    expect(failed.message).toMatch(/^The GPU device was lost \(destroyed[^)]*\)\. /);
    expect(failed.message).toMatch(
      new RegExp(
        `Fine-tuning run long ended at step ${lastStep}\\. Start it again: a fresh GPU device will be opened\\.$`,
      ),
    );
    expect(failed.step).toBe(lastStep);
    expect(lastStep).toBeLessThan(400);
    expect(
      rec
        .of('finetune-state')
        .filter((e) => e.runId === 'long')
        .map((e) => e.state),
    ).toEqual(['preparing', 'running', 'error']);
    expect(rec.of('finetune-done').filter((e) => e.runId === 'long')).toEqual([]);

    // Nothing else is lost: the finished run is still listed, and its model still answers (on a new device).
    expect(await keptKeys(engine, rec)).toEqual(['first']);
    const model = { kind: 'finetune' as const, runId: 'first' };
    await engine.handle({ type: 'attention', requestId: 'after-loss', runId: 'first', text: 'a fine film', model });
    expect(rec.of('attention-maps').at(-1)).toMatchObject({ requestId: 'after-loss' });

    await engine.handle({ type: 'start-finetune', runId: 'again', settings: quick() });
    await engine.finetuneFinished;
    expect(rec.of('finetune-state').at(-1)).toMatchObject({ runId: 'again', state: 'done', step: 2 });
    expect(await keptKeys(engine, rec)).toEqual(['again', 'first']);
  });

  it('a lost device in a comparison keeps the variants it finished and says so', async () => {
    const { engine, rec } = await engineWithSst2();
    await engine.handle({ type: 'load-demo-corpus' });
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
    const pretrain = { ...tinySettings({ steps: 2 }), config: { ...tinySettings().config, vocabSize: 256 } };
    await engine.handle({ type: 'start-pretrain', runId: 'p', settings: pretrain });
    await rec.waitFor(isState('done'));

    await engine.handle({ type: 'compare', runId: 'c', settings: quick({ init: 'current', epochs: 4 }) });
    await rec.waitFor((e): e is Of<'compare-row'> => e.type === 'compare-row');
    await rec.next((e): e is Of<'finetune-metrics'> => metricsOf('c')(e) && e.variant === 'pretrained');
    await engine.handle({ type: 'debug-lose-device' }); // the second variant is training
    const failed = await rec.waitFor(finetuneState('c', 'error'));
    await engine.finetuneFinished;
    expect(failed.message).toMatch(
      /^The GPU device was lost \(destroyed[^)]*\)\. Comparison c ended at step \d+\. The 1 variant finished before it is kept in the Runs tab\. Start it again/,
    );
    expect(rec.of('compare-row')).toHaveLength(1);
    expect(await keptKeys(engine, rec)).toEqual(['c.pretrained-aux']);
  });

  it('a non-finite loss ends the run at that step and frees the GPU; the device trains the next run', async () => {
    const ctx = await openTestGpu();
    try {
      const files = new TaskFiles();
      for (const role of ['train', 'dev'] as const) {
        files.load('classification', role, `${role}.tsv`, new Uint8Array(fileBytes(SST2[role])));
      }
      const data = files.ready('classification');
      const rec = recorder();
      const deps = { emit: rec.emit, device: async () => ctx, pacing: { metricsIntervalMs: 0 } };
      const sources = { current: undefined, imported: undefined };

      const bad = FinetuneJob.finetune(deps, 'nan', quick({ lr: 1e30, epochs: 20 }), data, sources);
      expect(await bad.finished).toBe('error');
      const failed = rec.of('finetune-state').at(-1)!;
      const match =
        /^Fine-tuning run nan stopped at step (\d+): the loss is (NaN|-?Infinity) and the gradient norm (NaN|-?Infinity|[\d.e+-]+), so no further step was taken\. Lower the learning rate and start again\.$/.exec(
          failed.message ?? '',
        );
      expect(match, failed.message).not.toBeNull();
      const badStep = Number(match![1]);
      const points = rec.of('finetune-metrics').flatMap((e) => e.points);
      expect(points.every((p) => p.step < badStep && Number.isFinite(p.loss))).toBe(true);
      expect(failed.step).toBe(badStep - 1); // the last good step
      expect(rec.of('finetune-done')).toEqual([]);

      const good = FinetuneJob.finetune(deps, 'good', quick(), data, sources);
      expect(await good.finished).toBe('done');
      expect(rec.of('finetune-done').map((e) => e.runId)).toEqual(['good']);
    } finally {
      ctx.destroy();
    }
  });
});
