// Pre-training an imported model further, through the engine as the app drives it (Dawn/SwiftShader, tiny
// shapes): a run is exported, imported back as a checkpoint folder, and its tokenizer and weights chosen for a
// new run ('model'). A run opened paused exports the same weights; the new run's first evaluation equals the
// exported run's last, to the bit (same weights, corpus and context); a run whose shape differs from the model's, or a choice made before any import, is
// refused by name.
import { afterEach, describe, expect, it } from 'vitest';
import { memoryCheckpointStore } from '../storage/memory-store.ts';
import type { Engine } from './engine.ts';
import { isState, testEngine, tinySettings } from './engine-test-kit.ts';
import type { EngineEvent } from './protocol.ts';

const engines: Engine[] = [];

function engineWith() {
  const pacing = { metricsIntervalMs: 1e9, metricsMaxPoints: 4, checkpointEvery: 0, checkpointMinMs: 0 };
  return testEngine(engines, { store: async () => memoryCheckpointStore(), pacing });
}

const lastError = (events: EngineEvent[]) => events.filter((e) => e.type === 'error').at(-1);

describe('pre-training an imported model further', () => {
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
  });

  it('starts from its weights and tokenizer; its shape is fixed; nothing to start from before an import', async () => {
    const { engine, rec } = engineWith();
    await engine.handle({ type: 'load-demo-corpus' });
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'model' } });
    expect(lastError(rec.events)).toMatchObject({ where: 'tokenizer', message: /^Import a model first/ });

    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
    const settings = tinySettings({ steps: 2, evalEvery: 2 });
    await engine.handle({ type: 'start-pretrain', runId: 'first', settings });
    await rec.waitFor(isState('done'), 120_000);
    const finalEval = rec.of('eval').at(-1)!;
    expect(finalEval.step).toBe(2);
    await engine.handle({ type: 'export-checkpoint', runId: 'first' });
    const exported = await rec.waitFor(
      (e): e is Extract<EngineEvent, { type: 'checkpoint-export' }> => e.type === 'checkpoint-export',
    );
    await engine.handle({ type: 'import-checkpoint', name: 'first-step2', files: exported.files });
    await rec.waitFor((e): e is EngineEvent => e.type === 'checkpoint-imported');

    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'model' } });
    const ready = rec.of('tokenizer-ready').at(-1)!;
    expect(ready.stats.model).toEqual({ name: 'first-step2', nLayer: 1, nEmbd: 32, nHead: 2, nPositions: 32 });

    const wider = { ...settings, config: { ...settings.config, nEmbd: 64, nInner: 256 } };
    await engine.handle({ type: 'start-pretrain', runId: 'wider', settings: wider });
    expect(lastError(rec.events)).toMatchObject({
      where: 'model',
      message:
        "The run starts from first-step2, whose shape is fixed: nEmbd 64 (the model's: 32), nInner 256 (the model's: 128).",
    });

    // Opened without training: its weights are the model's, so its export holds the same weights, bit for bit;
    // resumed, it has step 0's evaluation first (the model's last, to the bit), then trains.
    const further = { ...settings, steps: 1, evalEvery: 1 };
    await engine.handle({ type: 'start-pretrain', runId: 'opened', settings: further, paused: true });
    await rec.waitFor(
      (e): e is EngineEvent => e.type === 'run-state' && e.runId === 'opened' && e.state === 'paused' && e.step === 0,
    );
    await engine.handle({ type: 'export-checkpoint', runId: 'opened' });
    const reopened = await rec.waitFor(
      (e): e is Extract<EngineEvent, { type: 'checkpoint-export' }> =>
        e.type === 'checkpoint-export' && e.runId === 'opened',
    );
    const weights = (files: { name: string; bytes: ArrayBuffer }[]) =>
      new Uint8Array(files.find((f) => f.name === 'model.safetensors')!.bytes);
    expect(weights(reopened.files)).toEqual(weights(exported.files));
    expect(rec.of('eval').filter((e) => e.runId === 'opened')).toEqual([]);

    await engine.handle({ type: 'resume', runId: 'opened' });
    await rec.waitFor(
      (e): e is EngineEvent => e.type === 'run-state' && e.runId === 'opened' && e.state === 'done',
      120_000,
    );
    const evals = rec.of('eval').filter((e) => e.runId === 'opened');
    expect(evals.map((e) => e.step)).toEqual([0, 1]);
    expect(evals[0]!.valLoss).toBe(finalEval.valLoss);
  });
});
