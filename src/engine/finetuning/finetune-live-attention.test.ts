// Live attention while fine-tuning, through the engine (Dawn/SwiftShader, tiny shapes): a watched fine-tuning
// run sends the maps of the text in its task's form (start, text, extract) every N steps and at the end, tagged
// as a fine-tuning run with the extract token's position; the last snapshot is the finished model's maps asked
// for after, bit for bit; and the run's losses are those of the same run not watched.
import { afterEach, describe, expect, it } from 'vitest';
import { paperFinetuneSettings } from '../../train/settings/finetune-settings.ts';
import type { Engine } from '../engine.ts';
import { testEngine } from '../engine-test-kit.ts';
import type { EngineEvent, FinetuneSettings } from '../protocol.ts';
import { loadClassificationFiles, slice } from './finetune-test-kit.ts';

const TEXT = 'a fine film';
const engines: Engine[] = [];

async function engineWithSst2() {
  const { engine, rec } = testEngine(engines, { pacing: { metricsIntervalMs: 0 } });
  const rows = (role: 'train' | 'dev', n: number) => slice(`classification/sst2/${role}.tsv`, n);
  await loadClassificationFiles(engine, rows('train', 16), rows('dev', 4));
  return { engine, rec };
}

/** The tiny preset from scratch, 16 rows in batches of 4: four steps. */
const settings: FinetuneSettings = {
  ...paperFinetuneSettings('classification'),
  init: 'scratch',
  batch: 4,
  epochs: 1,
  lr: 1e-3,
  context: 32,
};

/** Every settled step's numbers of run `runId`, bit for bit. */
const steps = (events: EngineEvent[], runId: string) =>
  events.flatMap((e) =>
    e.type === 'finetune-metrics' && e.runId === runId
      ? e.points.map((p) => [p.step, p.loss, p.taskLoss, p.lmLoss, p.gradNorm])
      : [],
  );

describe('live attention while fine-tuning', () => {
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
  });

  it('sends the task-form maps every N steps and at the end, equal to the model asked after, moving no loss', async () => {
    const { engine, rec } = await engineWithSst2();
    await engine.handle({ type: 'watch-attention', text: TEXT, every: 3 });
    await engine.handle({ type: 'start-finetune', runId: 'watched', settings });
    await engine.finetuneFinished;
    const snapshots = rec.of('attention-snapshot');
    expect(snapshots.map((s) => [s.runId, s.kind, s.step])).toEqual([
      ['watched', 'finetune', 3],
      ['watched', 'finetune', 4],
    ]);
    const [first, last] = snapshots as [(typeof snapshots)[0], (typeof snapshots)[0]];
    const T = first.tokens.length;
    expect(T).toBe(TEXT.length + 2); // characters of the text between the start and extract tokens
    expect(first.tokens.slice(1, -1).join('')).toBe(TEXT);
    expect(first.extractIndex).toBe(T - 1);
    expect(first.data).toHaveLength(first.layers * first.heads * T * T); // [layers, heads, T, T]
    expect(first.data).not.toEqual(last.data); // the step between them moved the weights

    const model = { kind: 'finetune' as const, runId: 'watched' };
    await engine.handle({ type: 'attention', requestId: 'after', runId: 'watched', text: TEXT, model });
    const after = await rec.waitFor(
      (e): e is Extract<EngineEvent, { type: 'attention-maps' }> =>
        e.type === 'attention-maps' && e.requestId === 'after',
    );
    expect(after.tokens).toEqual(last.tokens);
    expect(after.extractIndex).toBe(last.extractIndex);
    expect(after.data).toEqual(last.data);

    // The same run not watched: the same bits at every step, and no snapshot.
    await engine.handle({ type: 'watch-attention', text: TEXT, every: 0 });
    await engine.handle({ type: 'start-finetune', runId: 'plain', settings });
    await engine.finetuneFinished;
    expect(rec.of('attention-snapshot')).toHaveLength(2);
    expect(steps(rec.events, 'plain')).toHaveLength(4);
    expect(steps(rec.events, 'watched')).toEqual(steps(rec.events, 'plain'));
    expect(rec.of('error')).toEqual([]);
    expect(rec.of('finetune-state').at(-1)?.state).toBe('done');
  });
});
