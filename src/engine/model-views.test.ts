// Every model is a model to look at (Dawn/SwiftShader, tiny shapes): a fine-tuned model kept in storage is,
// after a reload, generated from with its LM head (the next token's probabilities equal a float64 forward of
// its kept weights), looked into in Attention in its task's form (maps equal to those of the same model
// before the reload), exported and imported again with identical Try-it outputs, and adopted as the imported
// model: the imported model answers as the fine-tuned one did, a pre-training run opened from it (its own
// tokenizer and shape) answers the same again, and it fine-tunes again from its own weights.
import { afterEach, describe, expect, it } from 'vitest';
import { gptLogitsRef } from '../../test-support/gpt-reference.ts';
import { type FinetunedModelStore, memoryFinetunedModelStore } from '../storage/finetuned-model-store.ts';
import { tokenizerFromJSON } from '../tokenizer/from-json.ts';
import { readCheckpoint } from '../train/checkpoint.ts';
import { paperFinetuneSettings } from '../train/settings/finetune-settings.ts';
import type { Engine } from './engine.ts';
import { isState, type recorder, tinySettings } from './engine-test-kit.ts';
import { is, keptModelEngine, loadClassificationFiles, slice } from './finetuning/finetune-test-kit.ts';
import type { EngineEvent, FinetuneSettings, ModelRef, NextToken } from './protocol.ts';

const engines: Engine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.dispose();
});

const TRAIN = slice('classification/sst2/train.tsv', 8);
const DEV = slice('classification/sst2/dev.tsv', 4);
/** 8 rows in batches of 4, one epoch from scratch (tiny preset, context 16): 2 quick steps. */
const settings: FinetuneSettings = {
  ...paperFinetuneSettings('classification'),
  init: 'scratch',
  batch: 4,
  epochs: 1,
  lr: 1e-3,
  context: 16,
};
const PROMPT = 'a fine';
const TEXT = 'a fine film';

/**
 * The f32 forward's logits are within about 1e-5 of float64 on a model this small (see next-token-view.test.ts),
 * and a softmax at temperature 1 moves each probability p by at most 2p·δ: 1e-4 passes that and still catches
 * a wrong row, a head that is not the tied embedding, or the prompt read with special tokens (≥ 1e-2).
 */
const ATOL = 1e-4;

const newEngine = (store: FinetunedModelStore) => keptModelEngine(engines, store);
const loadTaskFiles = (engine: Engine) => loadClassificationFiles(engine, TRAIN, DEV);

type Rec = ReturnType<typeof recorder>;
const answer =
  <K extends 'next-tokens' | 'attention-maps' | 'try-result' | 'error'>(type: K, requestId: string) =>
  (e: EngineEvent): e is Extract<EngineEvent, { type: K }> =>
    e.type === type && 'requestId' in e && e.requestId === requestId;

async function nextTokens(
  engine: Engine,
  rec: Rec,
  requestId: string,
  model?: ModelRef,
  runId = '',
): Promise<NextToken[]> {
  const request = { requestId, runId, prompt: PROMPT, temperature: 1, topK: 0, ...(model ? { model } : {}) };
  await engine.handle({ type: 'next-tokens', request });
  return (await rec.waitFor(answer('next-tokens', requestId))).tokens;
}

async function attention(engine: Engine, rec: Rec, requestId: string, model: ModelRef) {
  await engine.handle({ type: 'attention', requestId, runId: '', text: TEXT, model });
  return rec.waitFor(answer('attention-maps', requestId));
}

async function tryIt(engine: Engine, rec: Rec, requestId: string, runId: string) {
  await engine.handle({ type: 'try-finetuned', requestId, runId, input: { kind: 'text', text: TEXT } });
  return (await rec.waitFor(answer('try-result', requestId))).outcome;
}

describe('every model is a model to look at', () => {
  it('a kept fine-tuned model after a reload: LM head, attention, export → import, adopted and pre-trained', async () => {
    const started = performance.now();
    const store = memoryFinetunedModelStore();
    const first = newEngine(store);
    await loadTaskFiles(first.engine);
    await first.engine.handle({ type: 'start-finetune', runId: 'f1', settings });
    await first.engine.finetuneFinished;
    expect(first.rec.of('finetune-state').at(-1)).toMatchObject({ state: 'done', step: 2 });
    const f1: ModelRef = { kind: 'finetune', runId: 'f1' };
    const before = await attention(first.engine, first.rec, 'a0', f1); // this page's finished model

    // A reload: nothing in the page, the model only in storage.
    const { engine, rec } = newEngine(store);
    const ckpt = readCheckpoint((await store.load('f1')).checkpoint);
    const tokens = await nextTokens(engine, rec, 'n1', f1);
    const prompt = tokenizerFromJSON(ckpt.state.tokenizer).encode(PROMPT);
    const logits = gptLogitsRef(ckpt.config, ckpt.params, prompt); // [T, V]
    const V = ckpt.config.vocabSize;
    const last = logits.subarray(logits.length - V);
    const max = Math.max(...last);
    const total = last.reduce((sum, v) => sum + Math.exp(v - max), 0);
    expect(tokens.length).toBe(10);
    for (const token of tokens) {
      expect(Math.abs(token.probability - Math.exp(last[token.id]! - max) / total)).toBeLessThan(ATOL);
    }
    const ranked = [...last.keys()].sort((a, b) => last[b]! - last[a]!);
    expect(tokens.map((t) => t.id)).toEqual(ranked.slice(0, 10));

    const after = await attention(engine, rec, 'a1', f1);
    expect(after.tokens).toEqual(before.tokens);
    expect(after.extractIndex).toBe(after.tokens.length - 1);
    expect(after.data).toEqual(before.data);

    await engine.handle({
      type: 'generate',
      request: {
        requestId: 'g1',
        runId: '',
        prompt: PROMPT,
        maxTokens: 4,
        temperature: 1,
        topK: 0,
        seed: 1,
        model: f1,
      },
    });
    const generated = await rec.waitFor(
      (e): e is Extract<EngineEvent, { type: 'generated' }> => e.type === 'generated' && e.done,
    );
    expect(generated).toMatchObject({ requestId: 'g1', done: true });
    await engine.handle({
      type: 'attention',
      requestId: 'a2',
      runId: '',
      text: TEXT,
      model: { kind: 'finetune', runId: 'gone' },
    });
    expect((await rec.waitFor(answer('error', 'a2'))).message).toMatch(/Fine-tuning run gone has no kept model here/);

    // Exported, then imported again: the same model, tried as a fine-tuned one, answers to the bit.
    await engine.handle({ type: 'export-finetuned-model', runId: 'f1' });
    const exported = await rec.waitFor(is('checkpoint-export'));
    await engine.handle({ type: 'import-checkpoint', name: 'f1-export', files: exported.files });
    const imported = await rec.waitFor(is('checkpoint-imported'));
    expect(imported.info.finetuned).toEqual({
      runId: 'imported:f1-export',
      family: 'classification',
      labels: ['0', '1'],
    });
    const kept = await tryIt(engine, rec, 't1', 'f1');
    const again = await tryIt(engine, rec, 't2', 'imported:f1-export');
    expect(again.probabilities).toEqual(kept.probabilities);
    expect(again.attention.data).toEqual(kept.attention.data);
    expect(await nextTokens(engine, rec, 'n2', { kind: 'finetune', runId: 'imported:f1-export' })).toEqual(tokens);

    // Adopted as the imported model: it answers as the fine-tuned model, and a run opened from it too.
    await engine.handle({ type: 'adopt-model', model: f1 });
    const adopted = rec.of('checkpoint-imported').at(-1)!;
    expect(adopted.info).toMatchObject({ name: 'fine-tuned model f1', vocabSize: V });
    expect(await nextTokens(engine, rec, 'n3', { kind: 'imported' })).toEqual(tokens);
    await engine.handle({ type: 'load-demo-corpus' });
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'model' } });
    const run = tinySettings({ config: ckpt.config, T: 16, steps: 4 });
    await engine.handle({ type: 'start-pretrain', runId: 'p1', settings: run, paused: true });
    await rec.waitFor(isState('paused'));
    expect(await nextTokens(engine, rec, 'n4', undefined, 'p1')).toEqual(tokens);

    // Fine-tuned again from the adopted model: its tokenizer already holds the task's special tokens, so the
    // embedding keeps its size and the run starts from its weights.
    await loadTaskFiles(engine);
    await engine.handle({ type: 'start-finetune', runId: 'f2', settings: { ...settings, init: 'imported' } });
    await engine.finetuneFinished;
    expect(rec.of('finetune-state').at(-1)).toMatchObject({ runId: 'f2', state: 'done', step: 2 });
    expect(rec.of('finetune-started').at(-1)!.info).toMatchObject({ init: 'pretrained (fine-tuned model f1)' });
    const refined = readCheckpoint((await store.load('f2')).checkpoint);
    expect(refined.config.vocabSize).toBe(V);
    console.log(`model views: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
});
