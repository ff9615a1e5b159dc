// Shared fixtures of the fine-tuning session tests: slices of the shared GLUE files, file bytes, and the
// preview request of a run from scratch. Test-only (imported by *.test.ts files).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
