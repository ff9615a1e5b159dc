// Fine-tuning runs kept as models (Dawn/SwiftShader, tiny shapes), on the memory stores: a run paused at step
// 3 keeps a checkpoint there; a fresh engine on the same store (a reload) resumes it from the store alone (its
// task files come back from it) and ends bit for bit where an uninterrupted run ends: weights, Adam moments and
// losses. The kept model exports as a checkpoint folder with a model card naming its head, input
// transformation and labels, which the CLI's `finetune --resume` continues to the same bits; and it deletes.
// Full storage (a save refused) and a lost device keep the last good checkpoint, and the model resumes from it
// on a fresh device.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { finetuneCommand } from '../../cli/commands/finetune.ts';
import { verifyManifest } from '../../model/manifest.ts';
import { StorageFullError } from '../../storage/checkpoint-store.ts';
import type { KeptModelSummary } from '../../storage/finetuned-model-files.ts';
import { type FinetunedModelStore, memoryFinetunedModelStore } from '../../storage/finetuned-model-store.ts';
import { FolderCheckpointStore } from '../../storage/folder-store.ts';
import { MemoryFolder } from '../../storage/memory-store.ts';
import { paperFinetuneSettings } from '../../train/settings/finetune-settings.ts';
import type { Engine } from '../engine.ts';
import type { recorder } from '../engine-test-kit.ts';
import type { FinetuneSettings } from '../protocol.ts';
import { finetuneState, is, keptModelEngine, loadClassificationFiles, slice } from './finetune-test-kit.ts';

const root = mkdtempSync(join(tmpdir(), 'gpt1-lab-kept-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.dispose();
});

const TRAIN = slice('classification/sst2/train.tsv', 12);
const DEV = slice('classification/sst2/dev.tsv', 4);
/** 12 rows in batches of 4 for 2 epochs: 6 steps, from scratch (tiny preset, context 16: quick on SwiftShader). */
const settings: FinetuneSettings = {
  ...paperFinetuneSettings('classification'),
  init: 'scratch',
  batch: 4,
  epochs: 2,
  lr: 1e-3,
  context: 16,
};

const newEngine = (store: FinetunedModelStore, checkpointEvery = 0) => keptModelEngine(engines, store, checkpointEvery);
const loadFiles = (engine: Engine) => loadClassificationFiles(engine, TRAIN, DEV);

const losses = (rec: ReturnType<typeof recorder>) =>
  new Map(rec.of('finetune-metrics').flatMap((e) => e.points.map((p) => [p.step, p.loss] as const)));

async function latest(store: FinetunedModelStore, runId: string) {
  const { checkpoint, summary } = await store.load(runId);
  return { summary, model: checkpoint.get('model.safetensors')!, optimizer: checkpoint.get('optimizer.safetensors')! };
}

describe('kept fine-tuned models', () => {
  it('pause at 3, reload, resume: equals 6 uninterrupted steps; exports; the CLI resumes the export', async () => {
    const started = performance.now();
    // Uninterrupted: 6 steps, kept at the end.
    const straightStore = memoryFinetunedModelStore();
    const straight = newEngine(straightStore);
    await loadFiles(straight.engine);
    await straight.engine.handle({ type: 'start-finetune', runId: 'f1', settings });
    await straight.engine.finetuneFinished;
    expect(straight.rec.of('finetune-state').at(-1)).toMatchObject({ state: 'done', step: 6, totalSteps: 6 });
    const whole = await latest(straightStore, 'f1');
    expect(whole.summary).toMatchObject({ runId: 'f1', family: 'classification', step: 6, totalSteps: 6 });

    // Paused at step 3 (a checkpoint is saved there), then the tab goes away.
    const store = memoryFinetunedModelStore();
    const first = newEngine(store);
    await loadFiles(first.engine);
    first.rec.on((e) => {
      if (e.type === 'finetune-metrics' && e.points.some((p) => p.step === 3)) {
        void first.engine.handle({ type: 'pause-finetune', runId: 'f1' });
      }
    });
    await first.engine.handle({ type: 'start-finetune', runId: 'f1', settings });
    const paused = await first.rec.waitFor(finetuneState('paused'));
    expect(paused.step).toBe(3);
    await first.rec.waitFor(is('checkpoint-saved'));
    expect((await latest(store, 'f1')).summary.step).toBe(3);
    await first.engine.handle({ type: 'list-finetuned-models' });
    expect(
      first.rec
        .of('finetuned-models')
        .at(-1)!
        .models.map((m) => [m.runId, m.step]),
    ).toEqual([['f1', 3]]);

    // The export of the paused model: a checkpoint folder whose manifest holds, with its label map and card.
    await first.engine.handle({ type: 'export-finetuned-model', runId: 'f1' });
    const exported = first.rec.of('checkpoint-export').at(-1)!;
    expect(exported).toMatchObject({ runId: 'f1', step: 3 });
    const files = new Map(exported.files.map((f) => [f.name, new Uint8Array(f.bytes)]));
    expect([...files.keys()].sort()).toEqual([
      'README.md',
      'config.json',
      'manifest.json',
      'model.safetensors',
      'optimizer.safetensors',
      'training_state.json',
    ]);
    expect(await verifyManifest(files)).toBe(true);
    const card = new TextDecoder().decode(files.get('README.md'));
    expect(card).toContain('| Head | a linear layer on the final state at _classify_: 2 classes, softmax |');
    expect(card).toContain('| Input transformation | _start_ text _classify_ |');
    expect(card).toContain('| Labels | 0, 1 |');
    const config = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    expect(config.id2label).toEqual({ 0: '0', 1: '1' });
    // Try it on the paused model (read from its kept checkpoint): its labels, probabilities summing to 1.
    const input = { kind: 'text' as const, text: 'a fine film' };
    await first.engine.handle({ type: 'try-finetuned', requestId: 't1', runId: 'f1', input });
    const tried = first.rec.of('try-result').at(-1)!;
    expect(tried.outcome.probabilities!.map((p) => p.label)).toEqual(['0', '1']);
    expect(tried.outcome.probabilities!.reduce((sum, p) => sum + p.probability, 0)).toBeCloseTo(1, 12);
    expect(tried.outcome.sequences[0]!.tokens.at(-1)!.kind).toBe('extract');
    await first.engine.handle({ type: 'try-finetuned', requestId: 't2', runId: 'nope', input });
    expect(first.rec.of('error').at(-1)).toMatchObject({ requestId: 't2', where: 'try' });
    await first.engine.handle({ type: 'stop-finetune', runId: 'f1' });
    await first.engine.finetuneFinished;
    expect((await latest(store, 'f1')).summary.step).toBe(3);

    // A reload: a fresh engine with nothing loaded resumes from the store alone.
    const second = newEngine(store);
    await second.engine.handle({ type: 'resume-finetuned-model', runId: 'f1' });
    expect(second.rec.of('task-file-loaded').map((e) => [e.summary.role, e.summary.rows])).toEqual([
      ['train', 12],
      ['dev', 4],
    ]);
    await second.engine.finetuneFinished;
    expect(second.rec.of('finetune-state').at(-1)).toMatchObject({ state: 'done', step: 6, totalSteps: 6 });
    expect(second.rec.of('finetune-started')[0]!.info).toMatchObject({ init: 'from scratch', totalSteps: 6 });
    const resumed = await latest(store, 'f1');
    expect(resumed.summary.step).toBe(6);
    expect(resumed.model).toEqual(whole.model);
    expect(resumed.optimizer).toEqual(whole.optimizer);
    const straightLosses = losses(straight.rec);
    expect([...straightLosses.keys()]).toEqual([1, 2, 3, 4, 5, 6]);
    const firstLosses = losses(first.rec);
    const secondLosses = losses(second.rec);
    for (const step of [1, 2, 3]) expect(firstLosses.get(step)).toBe(straightLosses.get(step));
    // The resumed run replays the kept history (1–3), then trains 4–6.
    for (const step of [1, 2, 3, 4, 5, 6]) expect(secondLosses.get(step)).toBe(straightLosses.get(step));

    // The CLI continues the app's export of step 3 to the same bits.
    const run = join(root, 'from-app');
    mkdirSync(join(run, 'checkpoint-3'), { recursive: true });
    for (const [name, data] of files) writeFileSync(join(run, 'checkpoint-3', name), data);
    const train = join(root, 'train.tsv');
    const dev = join(root, 'dev.tsv');
    writeFileSync(train, TRAIN);
    writeFileSync(dev, DEV);
    await finetuneCommand(['--task', 'classification', '--train', train, '--dev', dev, '--no-tune', '--resume', run]);
    expect(new Uint8Array(readFileSync(join(run, 'checkpoint-6', 'model.safetensors')))).toEqual(whole.model);
    expect(new Uint8Array(readFileSync(join(run, 'checkpoint-6', 'optimizer.safetensors')))).toEqual(whole.optimizer);

    // Deleted: gone from the list.
    await second.engine.handle({ type: 'delete-finetuned-model', runId: 'f1' });
    expect(second.rec.of('finetuned-models').at(-1)!.models).toEqual([]);
    console.log(`kept-model round trip: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  it('full storage and a lost device keep the last good checkpoint, which resumes on a fresh device', async () => {
    // Room for the run's files and one checkpoint: the next save is refused as a full disk would refuse it.
    let checks = 0;
    const store = new FolderCheckpointStore<KeptModelSummary>(new MemoryFolder(), {
      label: 'memory',
      checkSpace: async (bytes) => {
        if (++checks > 2) throw new StorageFullError(bytes, 0, 'memory');
      },
    });
    const { engine, rec } = newEngine(store, 2);
    await loadFiles(engine);
    await engine.handle({ type: 'start-finetune', runId: 'f2', settings: { ...settings, epochs: 50 } });
    const full = await rec.waitFor((e): e is Extract<typeof e, { type: 'error' }> => e.type === 'error');
    expect(full).toMatchObject({ runId: 'f2', where: 'checkpoint' });
    expect(full.message).toMatch(
      /^The checkpoint of step 4 was not saved: memory is full .* Training goes on, and the checkpoint of step 2 is kept\./,
    );
    await rec.next(is('finetune-metrics')); // still training
    await engine.handle({ type: 'debug-lose-device' });
    const failed = await rec.waitFor(finetuneState('error'));
    await engine.finetuneFinished;
    expect(failed.message).toMatch(/Its last good checkpoint \(step 2\) is kept: resume it from the Runs tab/);
    const step = 2;
    expect((await store.load('f2')).summary.step).toBe(step);

    await engine.handle({ type: 'resume-finetuned-model', runId: 'f2', paused: true });
    const paused = await rec.next(finetuneState('paused'));
    expect(paused.step).toBe(step);
    await engine.handle({ type: 'stop-finetune', runId: 'f2' });
    await engine.finetuneFinished;
    expect(rec.of('finetune-state').at(-1)).toMatchObject({ runId: 'f2', state: 'stopped', step });
  });
});
