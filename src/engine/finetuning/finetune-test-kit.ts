// Shared fixtures of the fine-tuning session tests: slices of the shared GLUE files, file bytes, and the
// preview request of a run from scratch. Test-only (imported by *.test.ts files).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FinetunedModelStore } from '../../storage/finetuned-model-store.ts';
import type { Engine } from '../engine.ts';
import { testEngine } from '../engine-test-kit.ts';
import type { EngineEvent, TaskPreviewRequest } from '../protocol.ts';

const encoder = new TextEncoder();

/** A text as the bytes a dropped file would carry. */
export const fileBytes = (text: string): ArrayBuffer => encoder.encode(text).buffer as ArrayBuffer;

export const scratchPreview: TaskPreviewRequest = { init: 'scratch', preset: 'tiny', context: null };

/** The first `rows` examples of a shared data file (../shared/data/PATH), with its header. */
export function slice(path: string, rows: number): string {
  const lines = readFileSync(resolve('../shared/data', path), 'utf8').split('\n');
  return `${lines.slice(0, rows + 1).join('\n')}\n`;
}

/** A test for events of one type (recorder().waitFor and .next). */
export const is =
  <K extends EngineEvent['type']>(type: K) =>
  (e: EngineEvent): e is Extract<EngineEvent, { type: K }> =>
    e.type === type;

/** A test for a fine-tuning run's state event. */
export const finetuneState =
  (state: string) =>
  (e: EngineEvent): e is Extract<EngineEvent, { type: 'finetune-state' }> =>
    e.type === 'finetune-state' && e.state === state;

/**
 * An engine that keeps its fine-tuned models in `store` (a reload is a second engine on the same store), added
 * to `engines` for the test to dispose. One step in flight and a batch per point: a pause asked for when step
 * k is reported takes effect at k.
 */
export function keptModelEngine(engines: Engine[], store: FinetunedModelStore, checkpointEvery = 0) {
  const pacing = { metricsIntervalMs: 0, metricsMaxPoints: 1, maxInFlight: 1, checkpointEvery, checkpointMinMs: 0 };
  return testEngine(engines, { pacing, finetunedModelStore: async () => store });
}

/** Loads a classification tab's training and dev files, as dropped files, previewed from scratch. */
export async function loadClassificationFiles(engine: Engine, train: string, dev: string): Promise<void> {
  for (const [role, text] of [
    ['train', train],
    ['dev', dev],
  ] as const) {
    const file = { family: 'classification' as const, role, name: `${role}.tsv`, bytes: fileBytes(text) };
    await engine.handle({ type: 'load-task-file', ...file, preview: scratchPreview });
  }
}
