// Checks a run's settings before anything starts; each problem names the field, so the UI can point at it.

import { shapeProblems } from '../../engine/plan-summary.ts';
import type { PretrainSettings } from '../../engine/protocol.ts';

export interface SettingsProblem {
  where: string;
  message: string;
}

const MAX_STEPS = 10_000_000;

function integer(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** The first problem with `settings` for a tokenizer of `vocabSize` ids, or undefined when they are fine. */
export function settingsProblem(settings: PretrainSettings, vocabSize: number): SettingsProblem | undefined {
  const s = settings;
  if (!integer(s.steps, 1, MAX_STEPS))
    return { where: 'steps', message: `steps must be 1 to ${MAX_STEPS} (got ${s.steps})` };
  if (!(Number.isFinite(s.lr) && s.lr > 0))
    return { where: 'lr', message: `the learning rate must be positive (got ${s.lr})` };
  if (!integer(s.seed, 0, 0xffffffff))
    return { where: 'seed', message: `the seed must be an integer 0 to 4294967295 (got ${s.seed})` };
  if (!integer(s.evalEvery, 0, MAX_STEPS))
    return { where: 'evalEvery', message: `evalEvery must be 0 (off) or a step count (got ${s.evalEvery})` };
  if (!integer(s.sampleEvery, 0, MAX_STEPS)) {
    return { where: 'sampleEvery', message: `sampleEvery must be 0 (off) or a step count (got ${s.sampleEvery})` };
  }
  if (typeof s.samplePrompt !== 'string') return { where: 'samplePrompt', message: 'the sample prompt must be text' };
  const problems = shapeProblems({ ...s.config, vocabSize }, s.B, s.T);
  if (problems.length) return { where: 'config', message: `These settings cannot train: ${problems.join('; ')}.` };
  return undefined;
}
