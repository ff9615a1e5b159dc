// Shared fixtures of the session tests: a tiny model on the demo corpus (char tokenizer) and an event
// recorder that can wait for an event. Test-only (imported by *.test.ts files).

import { testGpu } from '../../test-support/test-gpu.ts';
import { readCorpus } from '../data/corpus.ts';
import { DEMO_CORPUS_NAME, demoCorpusBytes } from '../data/demo-corpus.ts';
import { PRESETS } from '../model/config.ts';
import { CharTokenizer } from '../tokenizer/char.ts';
import { Engine, type EngineOptions } from './engine.ts';
import type { EngineEvent, PretrainSettings } from './protocol.ts';

export const demoCorpus = readCorpus(DEMO_CORPUS_NAME, demoCorpusBytes());
export const demoTokenizer = CharTokenizer.fromCorpus(demoCorpus.text);
export const demoIds = Uint32Array.from(demoTokenizer.encode(demoCorpus.text));

/** 1 layer x 32 dims, 2 heads, context 32, batch 4: a step takes milliseconds even on SwiftShader. */
export function tinySettings(overrides: Partial<PretrainSettings> = {}): PretrainSettings {
  return {
    preset: 'custom',
    config: {
      ...PRESETS.tiny,
      vocabSize: demoTokenizer.vocabSize,
      nLayer: 1,
      nEmbd: 32,
      nHead: 2,
      nInner: 128,
      nPositions: 32,
    },
    B: 4,
    T: 32,
    steps: 12,
    lr: 1e-2,
    seed: 42,
    evalEvery: 0,
    sampleEvery: 0,
    samplePrompt: 'Ada ',
    ...overrides,
  };
}

export function recorder() {
  const events: EngineEvent[] = [];
  const waiters: { test: (e: EngineEvent) => boolean; resolve: (e: EngineEvent) => void }[] = [];
  const listeners: ((e: EngineEvent) => void)[] = [];
  const emit = (event: EngineEvent) => {
    events.push(event);
    for (const listener of listeners) listener(event);
    for (const w of [...waiters]) {
      if (w.test(event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  };
  return {
    events,
    emit,
    /** Calls `listener` on every later event (inside emit, as the engine would post it). */
    on(listener: (e: EngineEvent) => void) {
      listeners.push(listener);
    },
    /** The first event (past or future) matching `test`. */
    waitFor<T extends EngineEvent>(test: (e: EngineEvent) => e is T, timeoutMs = 60_000): Promise<T> {
      const past = events.find(test);
      return past ? Promise.resolve(past) : this.next(test, timeoutMs);
    },
    /** The next event matching `test` (past ones do not count). */
    next<T extends EngineEvent>(test: (e: EngineEvent) => e is T, timeoutMs = 60_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for an engine event')), timeoutMs);
        waiters.push({
          test,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e as T);
          },
        });
      });
    },
    of<K extends EngineEvent['type']>(type: K): Extract<EngineEvent, { type: K }>[] {
      return events.filter((e): e is Extract<EngineEvent, { type: K }> => e.type === type);
    },
    /** Losses by step from all metrics events. */
    losses(): Map<number, number> {
      const out = new Map<number, number>();
      for (const e of events) if (e.type === 'metrics') for (const p of e.points) out.set(p.step, p.loss);
      return out;
    },
    states(): string[] {
      return events.flatMap((e) => (e.type === 'run-state' ? [e.state] : []));
    },
  };
}

export function isState(state: string) {
  return (e: EngineEvent): e is Extract<EngineEvent, { type: 'run-state' }> =>
    e.type === 'run-state' && e.state === state;
}

/**
 * An engine on the test GPU with its events recorded, kernel tuning off (it changes no result and costs seconds
 * per shape on SwiftShader; engine.test.ts covers it), added to `engines` for the test to dispose.
 */
export function testEngine(engines: Engine[], options: Omit<EngineOptions, 'emit' | 'gpu'> = {}) {
  const rec = recorder();
  const engine = new Engine({ emit: rec.emit, gpu: testGpu, kernelTuning: false, ...options });
  engines.push(engine);
  return { engine, rec };
}
