// Fine-tuning through the engine on Dawn (SwiftShader), tiny shapes: load SST-2 slices, preview, fine-tune
// from scratch with L1/L2/L3 points and a dev evaluation per epoch; the comparison's four rows from the
// current pretrained model (refused while pre-training runs; never watched by live attention); stop at a step
// boundary; one GPU run at a time.
// Finished and stopped runs (and each comparison variant) are kept in the fine-tuning run store: a fresh
// engine on the same store lists them, and deletes them.
import { afterEach, describe, expect, it } from 'vitest';
import { type FinetuneRunStore, memoryFinetuneStore } from '../../storage/finetune-store.ts';
import { paperFinetuneSettings } from '../../train/settings/finetune-settings.ts';
import type { Engine } from '../engine.ts';
import { isState, testEngine, tinySettings } from '../engine-test-kit.ts';
import type { FinetuneSettings } from '../protocol.ts';
import { fileBytes, finetuneState, is, scratchPreview, slice } from './finetune-test-kit.ts';

const engines: Engine[] = [];

function newEngine(store: FinetuneRunStore) {
  return testEngine(engines, { pacing: { metricsIntervalMs: 0 }, finetuneStore: async () => store });
}

async function engineWithSst2(trainRows: number, devRows: number, store = memoryFinetuneStore()) {
  const { engine, rec } = newEngine(store);
  for (const [role, rows] of [
    ['train', trainRows],
    ['dev', devRows],
  ] as const) {
    const text = slice(`classification/sst2/${role}.tsv`, rows);
    await engine.handle({
      type: 'load-task-file',
      family: 'classification',
      role,
      name: `${role}.tsv`,
      bytes: fileBytes(text),
      preview: scratchPreview,
    });
  }
  return { engine, rec };
}

/** Small and quick on SwiftShader: the tiny preset at context 32. */
const quick = (overrides: Partial<FinetuneSettings> = {}): FinetuneSettings => ({
  ...paperFinetuneSettings('classification'),
  init: 'scratch',
  batch: 8,
  epochs: 2,
  lr: 1e-3,
  context: 32,
  ...overrides,
});

describe('fine-tuning in the engine', () => {
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
  });

  it('fine-tunes 32 SST-2 rows from scratch: L1/L2/L3 points, a dev evaluation per epoch, done', async () => {
    const started = performance.now();
    const store = memoryFinetuneStore();
    const { engine, rec } = await engineWithSst2(32, 16, store);
    expect(rec.of('task-file-loaded').map((e) => [e.summary.role, e.summary.rows])).toEqual([
      ['train', 32],
      ['dev', 16],
    ]);
    expect(rec.of('task-preview').at(-1)!.preview.sequences[0]!.tokens[0]!.kind).toBe('start');

    await engine.handle({ type: 'start-finetune', runId: 'f1', settings: quick({ batch: 16 }) });
    await engine.finetuneFinished;
    const states = rec.of('finetune-state');
    expect(states.map((s) => s.state)).toEqual(['preparing', 'running', 'done']);
    expect(states.at(-1)).toMatchObject({ kind: 'finetune', step: 4, totalSteps: 4 });
    const info = rec.of('finetune-started')[0]!.info;
    expect(info).toMatchObject({ B: 16, totalSteps: 4, stepsPerEpoch: 2, metric: 'accuracy', auxLm: 0.5 });
    expect(info.T).toBeLessThanOrEqual(32);
    expect(info.init).toBe('from scratch');
    expect(info.rows).toEqual({ train: 32, dev: 16 });

    const points = rec.of('finetune-metrics').flatMap((e) => e.points);
    expect(points.map((p) => p.step)).toEqual([1, 2, 3, 4]);
    for (const p of points) {
      expect(p.lmLoss).not.toBeNull();
      expect(p.loss).toBeCloseTo(p.taskLoss + 0.5 * p.lmLoss!, 4);
    }
    expect(points[0]!.lr).toBeGreaterThan(0);
    expect(points.at(-1)!.epoch).toBe(1);

    const evals = rec.of('finetune-eval').map((e) => e.eval);
    expect(evals.map((e) => [e.step, e.epoch, e.metric])).toEqual([
      [2, 1, 'accuracy'],
      [4, 2, 'accuracy'],
    ]);
    expect(evals[1]!.metrics.n).toBe(16);
    expect(evals[1]!.metrics.confusion!.flat().reduce((a, b) => a + b)).toBe(16);
    const done = rec.of('finetune-done')[0]!.summary;
    expect(done).toMatchObject({ metric: 'accuracy', steps: 4, value: evals[1]!.value });
    expect(done.accuracy).toBeGreaterThanOrEqual(0);

    // Kept for after a reload: the run's summary and curves, listed by a fresh engine on the same store.
    expect(
      rec
        .of('finetune-runs')
        .at(-1)!
        .runs.map((r) => r.key),
    ).toEqual(['f1']);
    const fresh = newEngine(store);
    await fresh.engine.handle({ type: 'list-finetune-runs' });
    const listed = fresh.rec.of('finetune-runs').at(-1)!;
    expect(listed.skipped).toEqual([]);
    expect(listed.runs).toHaveLength(1);
    const kept = listed.runs[0]!;
    expect(kept).toMatchObject({
      key: 'f1',
      kind: 'finetune',
      family: 'classification',
      state: 'done',
      dataset: { train: 'train.tsv', dev: 'dev.tsv' },
      steps: 4,
      final: done.value,
      info: { init: 'from scratch', auxLm: 0.5, totalSteps: 4 },
      settings: { init: 'scratch', batch: 16, epochs: 2 },
    });
    expect(kept.evals.map((e) => [e.step, e.value])).toEqual(evals.map((e) => [e.step, e.value]));
    expect(kept.curves.step).toEqual([1, 2, 3, 4]);
    expect(kept.curves.loss).toEqual(points.map((p) => p.loss));
    await fresh.engine.handle({ type: 'delete-finetune-run', key: 'f1' });
    expect(fresh.rec.of('finetune-runs').at(-1)!.runs).toEqual([]);

    // The finished run's model: attention maps of a text as the task sees it (start, text, extract).
    const model = { kind: 'finetune' as const, runId: 'f1' };
    await engine.handle({ type: 'attention', requestId: 'a1', runId: 'f1', text: 'a fine film', model });
    const maps = rec.of('attention-maps').at(-1)!;
    const T = maps.tokens.length;
    expect(maps).toMatchObject({ requestId: 'a1', extractIndex: T - 1 });
    expect(maps.tokens.slice(1, -1).join('')).toBe('a fine film');
    expect(maps.data.length).toBe(maps.layers * maps.heads * T * T);
    const lastRow = maps.data.subarray(T * T - T, T * T); // layer 0, head 0: the extract token's row
    expect(lastRow.reduce((a, b) => a + b)).toBeCloseTo(1, 4);
    await engine.handle({
      type: 'attention',
      requestId: 'a2',
      runId: 'f1',
      text: 'x',
      model: { ...model, runId: 'no' },
    });
    expect(rec.of('error').at(-1)).toMatchObject({ requestId: 'a2', where: 'attention' });
    console.log(
      `fine-tune 4 steps: ${((performance.now() - started) / 1000).toFixed(1)} s, run ${done.seconds.toFixed(1)} s`,
    );
  });

  it('compares pretrained ± aux LM, scratch and transfer-n from the current pretrained model', async () => {
    const { engine, rec } = await engineWithSst2(32, 16);
    await engine.handle({ type: 'load-demo-corpus' });
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
    const pretrain = { ...tinySettings({ steps: 1000 }), config: { ...tinySettings().config, vocabSize: 256 } };
    await engine.handle({ type: 'start-pretrain', runId: 'p1', settings: pretrain });
    await rec.waitFor(is('metrics'));
    const settings = quick({ init: 'current', batch: 16, epochs: 1, context: null });
    await engine.handle({ type: 'compare', runId: 'c1', settings });
    expect(rec.of('error').at(-1)).toMatchObject({
      where: 'finetune',
      message: expect.stringMatching(/Pre-training run p1 is running: pause or stop it first/),
    });
    await engine.handle({ type: 'stop', runId: 'p1' });
    await rec.waitFor(isState('stopped'));

    // Live attention follows a fine-tuning run, never a comparison's runs.
    await engine.handle({ type: 'watch-attention', text: 'a fine film', every: 1 });
    await engine.handle({ type: 'compare', runId: 'c1', settings });
    await engine.finetuneFinished;
    expect(rec.of('finetune-state').at(-1)).toMatchObject({ kind: 'compare', state: 'done', totalSteps: 8, step: 8 });
    expect(rec.of('attention-snapshot')).toEqual([]);
    const rows = rec.of('compare-row').map((e) => e.row);
    expect(rows.map((r) => [r.variant, r.auxLm, r.steps])).toEqual([
      ['pretrained+aux', 0.5, 2],
      ['pretrained', 0, 2],
      ['scratch', 0.5, 2],
      ['transfer-0', 0.5, 2],
    ]);
    for (const r of rows) {
      expect(r.metric).toBe('accuracy');
      expect(r.value).toBeGreaterThanOrEqual(0);
      expect(r.value).toBeLessThanOrEqual(1);
    }
    expect(rec.of('compare-done')[0]).toMatchObject({ runId: 'c1', metric: 'accuracy', rows: 4, stopped: false });
    const started = rec.of('finetune-started');
    expect(started.map((e) => e.variant)).toEqual(['pretrained+aux', 'pretrained', 'scratch', 'transfer-0']);
    expect(started[0]!.info.init).toMatch(/pretrained \(pre-training run p1, step \d+\)/);
    expect(started[0]!.info.T).toBe(32);
    // λ = 0 records no LM loss.
    const noAux = rec.of('finetune-metrics').filter((e) => e.variant === 'pretrained');
    expect(noAux.flatMap((e) => e.points).every((p) => p.lmLoss === null)).toBe(true);
    // Each variant is kept under its own key, with its λ and final dev metric.
    const kept = rec
      .of('finetune-runs')
      .at(-1)!
      .runs.sort((a, b) => a.key.localeCompare(b.key));
    expect(kept.map((r) => [r.key, r.variant, r.kind, r.info.auxLm, r.final])).toEqual([
      ['c1.pretrained', 'pretrained', 'compare', 0, rows[1]!.value],
      ['c1.pretrained-aux', 'pretrained+aux', 'compare', 0.5, rows[0]!.value],
      ['c1.scratch', 'scratch', 'compare', 0.5, rows[2]!.value],
      ['c1.transfer-0', 'transfer-0', 'compare', 0.5, rows[3]!.value],
    ]);

    // The layers sweep (n = 0 … L: 2 rows of this 1-layer model) with a sweep of the recipe's rate alone (its
    // trial runs on the held part; the recipe run then stands for the tuned one): 4 runs, to keep this test
    // short (seeds that differ are finetune-ablation.test.ts's, on the same runAblation).
    const compare = { rows: 'layers' as const, seeds: 1, lrSweep: [1e-3] };
    await engine.handle({ type: 'compare', runId: 'c2', settings: { ...settings, seed: 4 }, compare });
    await engine.finetuneFinished;
    expect(rec.of('compare-plan').at(-1)!.plan).toMatchObject({
      ...compare,
      variants: ['transfer-0', 'transfer-1'],
      layers: 1,
      heldOut: expect.stringMatching(/^learning rate chosen on every 5th example of train\.tsv \(6 held out/),
      chance: { metric: 'accuracy', examples: 16 },
    });
    const c2 = rec
      .of('compare-row')
      .filter((e) => e.runId === 'c2')
      .map((e) => e.row);
    const recipe = c2.filter((r) => r.stage === 'recipe');
    expect(recipe.map((r) => [r.variant, r.seed])).toEqual([
      ['transfer-0', 4],
      ['transfer-1', 4],
    ]);
    expect(c2.filter((r) => r.stage === 'trial').map((r) => [r.variant, r.seed, r.lr])).toEqual([
      ['transfer-0', 4, 1e-3],
      ['transfer-1', 4, 1e-3],
    ]);
    expect(c2.filter((r) => r.stage === 'tuned')).toEqual([]);
    // Every run is kept under its own key.
    const keys = rec
      .of('finetune-runs')
      .at(-1)!
      .runs.map((r) => r.key)
      .filter((k) => k.startsWith('c2.'));
    expect(new Set(keys).size).toBe(c2.length);
  });

  it('stops at a step boundary and refuses a second GPU run meanwhile', async () => {
    const { engine, rec } = await engineWithSst2(32, 8);
    await engine.handle({ type: 'start-finetune', runId: 'long', settings: quick({ epochs: 100 }) });
    await rec.waitFor(is('finetune-metrics'));
    await engine.handle({ type: 'start-finetune', runId: 'other', settings: quick() });
    expect(rec.of('error').at(-1)).toMatchObject({ message: expect.stringMatching(/long is training: stop it/) });
    await engine.handle({ type: 'load-demo-corpus' });
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
    const pretrain = { ...tinySettings({ steps: 4 }), config: { ...tinySettings().config, vocabSize: 256 } };
    await engine.handle({ type: 'start-pretrain', runId: 'p2', settings: pretrain });
    expect(rec.of('error').at(-1)).toMatchObject({ where: 'run', message: expect.stringMatching(/long is training/) });
    await engine.handle({ type: 'stop-finetune', runId: 'long' });
    const stopped = await rec.waitFor(finetuneState('stopped'));
    expect(stopped.step).toBeGreaterThan(0);
    expect(stopped.step).toBeLessThan(400);
    expect(rec.of('finetune-done')).toHaveLength(0);
    await engine.finetuneFinished;
    const kept = rec.of('finetune-runs').at(-1)!.runs;
    expect(kept.map((r) => [r.key, r.state, r.steps])).toEqual([['long', 'stopped', stopped.step]]);
    await engine.handle({ type: 'stop-finetune', runId: 'long' });
    expect(rec.of('error').at(-1)).toMatchObject({ message: 'No fine-tuning run long is training.' });
  });
});
