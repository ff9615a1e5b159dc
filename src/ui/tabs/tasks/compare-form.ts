// The Compare settings form (rows, seeds, learning-rate sweep) as typed -> CompareSettings, with a problem per
// field. Bounds and words are the compare schema's (src/train/settings/compare-settings.ts), the ones the
// engine and the CLI's `ablate` check.

import {
  COMPARE_FIELDS,
  type CompareSettings,
  compareSettingsProblem,
  parseLrSweep,
} from '../../../train/settings/compare-settings.ts';
import { formProblem, parseFieldText } from '../../../train/settings/field.ts';
import type { FinetuneForm } from '../../store/finetune-slice.ts';

export type CompareFormProblems = Partial<Record<'seeds' | 'lrSweep', string>>;

export function parseCompareForm(form: Pick<FinetuneForm, 'compareRows' | 'seeds' | 'lrSweep'>): {
  compare: CompareSettings;
  problems: CompareFormProblems;
} {
  const problems: CompareFormProblems = {};
  const seedsProblem = formProblem(COMPARE_FIELDS.seeds, form.seeds);
  if (seedsProblem) problems.seeds = seedsProblem;
  let lrSweep: number[] = [];
  try {
    lrSweep = parseLrSweep(form.lrSweep);
  } catch (error) {
    problems.lrSweep = `${(error as Error).message}: give rates like 6.25e-5, 1e-3 (empty: no sweep).`;
  }
  const compare: CompareSettings = {
    rows: form.compareRows,
    seeds: parseFieldText(COMPARE_FIELDS.seeds, form.seeds) ?? Number.NaN,
    lrSweep,
  };
  if (!problems.lrSweep) {
    const problem = compareSettingsProblem({ ...compare, seeds: 1 });
    if (problem?.where === 'lrSweep')
      problems.lrSweep = `${problem.message[0]!.toUpperCase()}${problem.message.slice(1)}.`;
  }
  return { compare, problems };
}
