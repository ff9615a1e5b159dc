// Generation settings in one place: sampling's fields with their bounds, words and defaults, checked the
// same way by the CLI's `generate`, the engine's generate command and the generation box.
import { type FieldTable, firstProblem } from './field.ts';
import type { SettingsProblem } from './pretrain-settings.ts';

export interface GenerateSettings {
  maxTokens: number;
  /** 0: greedy. */
  temperature: number;
  /** Keep the k most likely tokens; 0: all. */
  topK: number;
  seed: number;
}

/** How many next-token candidates the Generate panel shows (all of top-k when k is smaller). */
export const NEXT_TOKEN_BARS = 10;

/** The longest generation one request may ask for. */
export const MAX_GENERATE_TOKENS = 4096;

export const GENERATE_FIELDS = {
  maxTokens: {
    label: 'the number of tokens',

    help: 'new tokens',
    integer: true,
    min: 0,
    max: MAX_GENERATE_TOKENS,
  },
  temperature: { label: 'the temperature', help: 'sampling temperature, 0 = greedy', min: 0, max: 5 },
  topK: {
    label: 'top-k',

    help: 'keep the k most likely tokens, 0 = all',
    integer: true,
    min: 0,
    max: 1_000_000,
  },
  seed: { label: 'the seed', help: 'sampling seed', integer: true, min: 0, max: 2 ** 32 - 1 },
} satisfies FieldTable<keyof GenerateSettings>;

export const GENERATE_DEFAULTS: GenerateSettings = { maxTokens: 200, temperature: 0.8, topK: 40, seed: 0 };

export function generateSettingsProblem(s: GenerateSettings): SettingsProblem | undefined {
  return firstProblem(GENERATE_FIELDS, s);
}
