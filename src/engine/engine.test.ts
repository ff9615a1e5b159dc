// The engine behind the worker, driven by protocol commands in Node (Dawn/SwiftShader, memory store):
// corpus and tokenizer commands with their errors, planning, a run from start to stop, generation and
// attention maps, saved runs and resume-saved after a "reload", probe files (read, refused by line, probed,
// kept by a resumed run), device loss, the one-tab lock, and matmul kernel tuning on (reported, the run
// trains) and off (nothing timed).
import { afterEach, describe, expect, it } from 'vitest';
import { testGpu } from '../../test-support/test-gpu.ts';
import type { CheckpointStore } from '../storage/checkpoint-store.ts';
import { memoryCheckpointStore } from '../storage/memory-store.ts';
import { Engine } from './engine.ts';
import { isState, recorder, tinySettings } from './engine-test-kit.ts';
import { GPT1_FILES_NEEDED } from './pretraining/tokenizer-prep.ts';
import type { EngineEvent } from './protocol.ts';

const engines: Engine[] = [];

/** `kernelTuning`: off in the tests that are not about it (tuning costs seconds on SwiftShader). */
function engineWith(
  store: CheckpointStore = memoryCheckpointStore(),
  locks?: LockManager,
  kernelTuning: boolean | 'default' = false,
) {
  const rec = recorder();
  const engine = new Engine({
    emit: rec.emit,
    gpu: testGpu,
    store: async () => store,
    locks,
    pacing: { metricsIntervalMs: 1e9, metricsMaxPoints: 4, checkpointEvery: 4, checkpointMinMs: 0 },
    ...(kernelTuning === 'default' ? {} : { kernelTuning }),
  });
  engines.push(engine);
  return { engine, rec };
}

const is =
  <K extends EngineEvent['type']>(type: K) =>
  (e: EngineEvent): e is Extract<EngineEvent, { type: K }> =>
    e.type === type;

async function readyEngine(store?: CheckpointStore, locks?: LockManager, kernelTuning?: boolean | 'default') {
  const { engine, rec } = engineWith(store, locks, kernelTuning);
  await engine.handle({ type: 'load-demo-corpus' });
  await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
  return { engine, rec };
}

/** Settings with the char tokenizer's vocabulary filled in by the engine (the UI sends the preset's). */
const settings = (steps: number) => ({
  ...tinySettings({ steps }),
  config: { ...tinySettings().config, vocabSize: 256 },
});

describe('Engine', () => {
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.dispose();
  });

  it('loads corpora, reports bad files by name, and prepares tokenizers', async () => {
    const { engine, rec } = engineWith();
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
    expect(rec.of('error').at(-1)).toMatchObject({
      where: 'tokenizer',
      message: expect.stringMatching(/Load a corpus/),
    });
    await engine.handle({ type: 'load-corpus', name: 'bad.txt', bytes: Uint8Array.of(0x41, 0xff, 0x42).buffer });
    expect(rec.of('error').at(-1)).toMatchObject({
      where: 'bad.txt',
      message: expect.stringMatching(/not valid UTF-8 at byte 1/),
    });
    expect(rec.of('corpus-loaded')).toHaveLength(0);

    await engine.handle({ type: 'load-demo-corpus' });
    const loaded = rec.of('corpus-loaded').at(-1)!.stats;
    expect(loaded.bytes).toBeGreaterThan(150_000);
    expect(loaded.preview.length).toBe(2000);
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'gpt1' } });
    expect(rec.of('error').at(-1)).toMatchObject({ where: 'tokenizer', message: GPT1_FILES_NEEDED });
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'char' } });
    const stats = rec.of('tokenizer-ready').at(-1)!.stats;
    expect(stats.kind).toBe('char');
    expect(stats.tokens).toBe(loaded.chars);
    expect(stats.charsPerToken).toBe(1);
    expect(stats.sample.pieces.join('')).toBe(stats.sample.text);

    const progress = rec.events.length;
    await engine.handle({ type: 'prepare-tokenizer', choice: { kind: 'bpe', vocabSize: 300 } });
    const bpe = rec.of('tokenizer-ready').at(-1)!.stats;
    expect(bpe.kind).toBe('bpe');
    expect(bpe.vocabSize).toBe(300);
    expect(bpe.charsPerToken).toBeGreaterThan(1.3);
    const steps = rec.events.slice(progress).filter(is('tokenizer-progress'));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.at(-1)).toMatchObject({ done: 44, total: 44 });
  });

  it('plans against the adapter limits and names the limit that does not fit', async () => {
    const { engine, rec } = await readyEngine();
    await engine.handle({ type: 'plan', config: settings(1).config, B: 4, T: 32 });
    const ok = rec.of('plan').at(-1)!.plan;
    expect(ok.fits).toBe(true);
    expect(ok.parameters).toBeGreaterThan(10_000);
    expect(ok.totalBytes).toBeGreaterThan(ok.parameters * 4 * 4); // weights, grads, two moments, activations
    expect(ok.bytesByClass.param).toBeGreaterThan(0);
    // A token embedding (2^20 x 512 floats = 2 GiB) bigger than any binding this adapter allows; planned
    // by an engine without a tokenizer, so the config's vocabulary counts.
    const bare = engineWith();
    const huge = { ...settings(1).config, vocabSize: 2 ** 20, nEmbd: 512, nHead: 8, nInner: 4, nPositions: 8 };
    await bare.engine.handle({ type: 'plan', config: huge, B: 1, T: 8 });
    const no = bare.rec.of('plan').at(-1)!.plan;
    expect(no.fits).toBe(false);
    expect(no.problem).toMatch(/maxStorageBufferBindingSize|maxBufferSize/);
    await engine.handle({ type: 'plan', config: { ...settings(1).config, nHead: 3 }, B: 1, T: 8 });
    expect(rec.of('plan').at(-1)!.plan.problem).toMatch(/divisible/);
  });

  it('refuses bad settings by field, runs, stops, generates, maps attention, and resumes a saved run', async () => {
    const store = memoryCheckpointStore();
    const { engine, rec } = await readyEngine(store);
    await engine.handle({ type: 'start-pretrain', runId: 'a/b', settings: settings(8) });
    expect(rec.of('error').at(-1)).toMatchObject({ where: 'runId' });
    await engine.handle({ type: 'start-pretrain', runId: 'r1', settings: { ...settings(8), lr: -1 } });
    expect(rec.of('error').at(-1)).toMatchObject({ where: 'lr', runId: 'r1' });
    await engine.handle({ type: 'start-pretrain', runId: 'r1', settings: { ...settings(8), T: 64 } });
    expect(rec.of('error').at(-1)).toMatchObject({ where: 'config', message: expect.stringMatching(/exceeds/) });
    expect(rec.of('run-state')).toHaveLength(0);

    await engine.handle({ type: 'start-pretrain', runId: 'r1', settings: settings(1000) });
    await rec.waitFor(is('metrics'));
    await engine.handle({ type: 'start-pretrain', runId: 'r2', settings: settings(8) });
    expect(rec.of('error').at(-1)).toMatchObject({ where: 'run', message: expect.stringMatching(/still training/) });
    await engine.handle({ type: 'stop', runId: 'r1' });
    const stopped = await rec.waitFor(isState('stopped'));
    expect(rec.states().slice(0, 2)).toEqual(['preparing', 'running']);
    const saved = await rec.waitFor(is('checkpoint-saved'));
    expect(saved.step).toBeGreaterThan(0);

    await engine.handle({
      type: 'generate',
      request: { requestId: 'q', runId: 'r1', prompt: 'Ada', maxTokens: 5, temperature: 0, topK: 0, seed: 1 },
    });
    expect(
      rec
        .of('generated')
        .filter((g) => g.requestId === 'q')
        .map((g) => g.done),
    ).toEqual([false, false, false, false, true]);
    // The next-token view: greedy is the token generation chose; top-k 3 is a distribution over 3 tokens.
    const nextTokens = async (requestId: string, temperature: number, topK: number) => {
      await engine.handle({
        type: 'next-tokens',
        request: { requestId, runId: 'r1', prompt: 'Ada', temperature, topK },
      });
      return rec.of('next-tokens').find((e) => e.requestId === requestId)?.tokens;
    };
    const firstGenerated = rec.of('generated').find((g) => g.requestId === 'q')!.text;
    expect(await nextTokens('t0', 0, 0)).toEqual([{ id: expect.any(Number), text: firstGenerated[0], probability: 1 }]);
    const top3 = (await nextTokens('t3', 1, 3))!;
    expect(top3).toHaveLength(3);
    expect(top3.reduce((sum, t) => sum + t.probability, 0)).toBeCloseTo(1, 12);
    expect(top3.map((t) => t.probability)).toEqual([...top3.map((t) => t.probability)].sort((x, y) => y - x));
    expect(await nextTokens('tx', -1, 3)).toBeUndefined();
    expect(rec.of('error').at(-1)).toMatchObject({ where: 'next-tokens', requestId: 'tx' });
    await engine.handle({ type: 'attention', requestId: 'm', runId: 'r1', text: 'Bruno' });
    const maps = rec.of('attention-maps').at(-1)!;
    expect(maps).toMatchObject({ requestId: 'm', tokens: ['B', 'r', 'u', 'n', 'o'], layers: 1, heads: 2 });
    expect(maps.data.length).toBe(2 * 5 * 5);
    await engine.handle({ type: 'attention', requestId: 'n', runId: 'nope', text: 'x' });
    expect(rec.of('error').at(-1)).toMatchObject({ where: 'attention', requestId: 'n' });

    await engine.handle({ type: 'list-saved-runs' });
    const runs = rec.of('saved-runs').at(-1)!.runs;
    expect(runs.map((r) => [r.runId, r.step])).toEqual([['r1', stopped.step]]);

    // A "reload": a new engine over the same store resumes the run paused, with its corpus and history.
    const next = engineWith(store);
    await next.engine.handle({ type: 'resume-saved', runId: 'r1', paused: true });
    const paused = await next.rec.waitFor(isState('paused'));
    expect(paused.step).toBe(stopped.step);
    expect(next.rec.of('corpus-loaded')).toHaveLength(1);
    expect(next.rec.of('tokenizer-ready')[0]!.stats.kind).toBe('char');
    expect(next.rec.of('metrics')[0]!.points.at(-1)!.step).toBe(stopped.step);
    await next.engine.handle({ type: 'step-once', runId: 'r1' });
    expect((await next.rec.next(isState('paused'))).step).toBe(stopped.step + 1);
    await next.engine.handle({ type: 'delete-saved', runId: 'r1' });
    expect(next.rec.of('error').at(-1)).toMatchObject({
      where: 'saved run',
      message: expect.stringMatching(/stop it/),
    });
    await next.engine.handle({ type: 'stop', runId: 'r1' });
    await next.rec.waitFor(isState('stopped'));
    await next.engine.handle({ type: 'delete-saved', runId: 'r1' });
    expect(next.rec.of('saved-runs').at(-1)!.runs).toEqual([]);
    await next.engine.handle({ type: 'resume-saved', runId: 'r1' });
    expect(next.rec.of('error').at(-1)).toMatchObject({
      where: 'saved run',
      message: expect.stringMatching(/No saved run r1/),
    });
  });

  it('probes the sets its probe files hold, names a bad file by its line, and a resumed run keeps its sets', async () => {
    const store = memoryCheckpointStore();
    const { engine, rec } = await readyEngine(store);
    const winograd = (sentence: string, answer: number) =>
      JSON.stringify({ sentence, candidates: ['Ada', 'the lamp'], answer });
    const good = [
      winograd('Ada looked at the lamp because _ was curious.', 0),
      winograd('Ada looked at the lamp until _ was repaired.', 1),
      winograd('Ada painted the lamp because _ was proud.', 0),
    ].join('\n');
    const bad = `${winograd('Ada saw the lamp so _ was glad.', 0)}\n{"sentence": oops}\n`;
    const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
    await engine.handle({
      type: 'set-probe-files',
      builtin: false,
      files: [
        { name: 'mine.jsonl', bytes: bytes(good) },
        { name: 'bad.jsonl', bytes: bytes(bad) },
      ],
    });
    expect(rec.of('probe-files').at(-1)).toEqual({
      type: 'probe-files',
      builtin: false,
      files: [
        { name: 'mine.jsonl', bytes: good.length, status: 'ok', kind: 'winograd', items: 3, used: 3 },
        {
          name: 'bad.jsonl',
          bytes: bad.length,
          status: 'error',
          message: expect.stringMatching(/^bad\.jsonl, line 2: is not JSON/),
        },
      ],
    });

    // Only the good file (the built-in sets were left out), at step 0 and every 2 steps.
    await engine.handle({ type: 'start-pretrain', runId: 'p1', settings: { ...settings(1000), probeEvery: 2 } });
    await rec.waitFor((e): e is EngineEvent => e.type === 'probes' && e.step >= 2);
    await engine.handle({ type: 'stop', runId: 'p1' });
    const stopped = await rec.waitFor(isState('stopped'));
    const rounds = rec.of('probes');
    expect(rounds.map((r) => r.step)).toEqual(rounds.map((_, i) => 2 * i));
    for (const round of rounds) expect(round.results.map((r) => [r.name, r.items])).toEqual([['mine.jsonl', 3]]);

    // A "reload": a new engine holds only the built-in sets, yet the resumed run goes on probing its own.
    const next = engineWith(store);
    await next.engine.handle({ type: 'resume-saved', runId: 'p1' });
    const later = await next.rec.waitFor(
      (e): e is Extract<EngineEvent, { type: 'probes' }> => e.type === 'probes' && e.step > stopped.step,
    );
    expect(later.results.map((r) => r.name)).toEqual(['mine.jsonl']);
    expect(next.rec.of('probes')[0]!.step).toBe(0); // the saved rounds came back first
    await next.engine.handle({ type: 'stop', runId: 'p1' });
    await next.rec.waitFor(isState('stopped'));
  });

  it('reports a lost device, ends the run in error, and resumes it on a fresh device', async () => {
    const store = memoryCheckpointStore();
    const { engine, rec } = await readyEngine(store);
    await engine.handle({ type: 'start-pretrain', runId: 'lost', settings: settings(1000) });
    await rec.waitFor((e): e is EngineEvent => e.type === 'checkpoint-saved');
    await engine.handle({ type: 'debug-lose-device' });
    const lost = await rec.waitFor(is('device-lost'));
    expect(lost.reason).toBe('destroyed');
    const error = await rec.waitFor(isState('error'));
    expect(error.message).toMatch(/GPU device was lost.*checkpoint \(step \d+\) is kept/);
    const keptStep = Number(/step (\d+)\) is kept/.exec(error.message!)![1]);
    await engine.handle({ type: 'resume-saved', runId: 'lost', paused: true });
    const resumed = await rec.waitFor(isState('paused'));
    expect(resumed.step).toBe(keptStep);
    await engine.handle({ type: 'stop', runId: 'lost' });
    await rec.waitFor(isState('stopped'));
  });

  it('lets one tab train a run: a held lock refuses the start', async () => {
    const held = new Set<string>(['gpt1-lab:run:busy']);
    const locks = {
      request: async (name: string, _options: unknown, callback: (lock: unknown) => Promise<unknown>) =>
        callback(held.has(name) ? null : { name }),
    } as unknown as LockManager;
    const { engine, rec } = await readyEngine(memoryCheckpointStore(), locks);
    await engine.handle({ type: 'start-pretrain', runId: 'busy', settings: settings(4) });
    expect(rec.of('error').at(-1)).toMatchObject({ where: 'run', message: expect.stringMatching(/another tab/) });
    expect(rec.of('run-state')).toHaveLength(0);
  });

  it('tunes matmul kernels by default: the status names the shapes timed, and the run trains', async () => {
    const { engine, rec } = await readyEngine(undefined, undefined, 'default');
    await engine.handle({ type: 'start-pretrain', runId: 'tuned', settings: settings(1000) });
    const tuned = await rec.waitFor(is('kernel-tuning'));
    // Tuning runs inside the training program's compile, so it is reported before the run starts.
    expect(rec.events.indexOf(tuned)).toBeLessThan(rec.events.findIndex(isState('running')));
    // One block's forward and backward alone has several distinct products (QKV, projection, MLP, LM head).
    expect(tuned.enabled).toBe(true);
    expect(tuned.shapes).toBeGreaterThanOrEqual(4);
    expect(tuned.timedShapes).toBe(tuned.shapes); // no store: every shape was timed here
    expect(tuned.seconds).toBeGreaterThan(0);
    await rec.waitFor(is('metrics'));
    await engine.handle({ type: 'stop', runId: 'tuned' });
    await rec.waitFor(isState('stopped'));
    const losses = [...rec.losses().values()];
    expect(losses.length).toBeGreaterThan(0);
    for (const loss of losses) expect(Number.isFinite(loss)).toBe(true);
  });

  it('times nothing while tuning is off; turned on, a device opened after a loss is tuned', async () => {
    const { engine, rec } = await readyEngine(memoryCheckpointStore(), undefined, false);
    await engine.handle({ type: 'probe-device' });
    await engine.handle({ type: 'start-pretrain', runId: 'plain', settings: settings(1000) });
    await rec.waitFor(is('metrics'));
    await engine.handle({ type: 'stop', runId: 'plain' });
    await rec.waitFor(isState('stopped'));
    expect(rec.of('kernel-tuning')).toEqual([]);
    // Turning it on reports the tuner's state: no shape was decided during the run.
    await engine.handle({ type: 'set-kernel-tuning', enabled: true });
    expect(rec.of('kernel-tuning')).toEqual([
      { type: 'kernel-tuning', enabled: true, shapes: 0, timedShapes: 0, seconds: 0 },
    ]);
    // The device it was installed on is lost; the next run opens a fresh one, which must be tuned too.
    await engine.handle({ type: 'debug-lose-device' });
    await rec.waitFor(is('device-lost'));
    const reported = rec.next(is('kernel-tuning'));
    await engine.handle({ type: 'start-pretrain', runId: 'again', settings: settings(1000) });
    const tuned = await reported;
    expect(tuned.shapes).toBeGreaterThanOrEqual(4);
    expect(tuned.timedShapes).toBe(tuned.shapes);
    await rec.waitFor((e): e is EngineEvent => e.type === 'metrics' && e.runId === 'again');
    await engine.handle({ type: 'set-kernel-tuning', enabled: false });
    expect(rec.of('kernel-tuning').at(-1)).toMatchObject({ enabled: false, shapes: tuned.shapes });
    await engine.handle({ type: 'stop', runId: 'again' });
    await rec.next(isState('stopped'));
  });
});
