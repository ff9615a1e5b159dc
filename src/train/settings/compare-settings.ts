// Compare's own settings (the paper's ablations, Table 5 and Figure 2 left): which rows (Table 5's four
// variants, or the layers-transferred sweep n = 0 … L), how many seeds each row runs, and the learning rates
// of the small sweep that gives every row a tuned result beside the paper-recipe one (empty: no sweep). The
// CLI (`ablate --seeds/--lr-sweep/--sweep-layers`), the engine's compare command and the Compare form all
// check them here.
import { type FieldTable, fieldProblem, firstProblem } from './field.ts';
import { FINETUNE_FIELDS } from './finetune-settings.ts';
import type { SettingsProblem } from './pretrain-settings.ts';

/** Table 5's four variants, or the layers-transferred sweep (Figure 2 left). */
export type CompareRows = 'table5' | 'layers';

export interface CompareSettings {
  rows: CompareRows;
  /** Seeds per row: the run seed, seed + 1, … */
  seeds: number;
  /** Learning rates tried on the held part of the training file for the tuned column; empty: no sweep. */
  lrSweep: number[];
}

export const COMPARE_FIELDS = {
  seeds: {
    label: 'the number of seeds',
    help: 'runs per row (seed, seed + 1, …): mean and min–max over them',
    integer: true,
    min: 1,
    max: 20,
  },
} satisfies FieldTable<string>;

/** At most this many learning rates in the sweep (each one is a run per row). */
export const MAX_LR_SWEEP = 8;

/** The small sweep around the paper's 6.25e-5 up to the rates that learn at browser scale. */
export const DEFAULT_LR_SWEEP: readonly number[] = [6.25e-5, 2.5e-4, 1e-3, 2e-3];

/** What Compare runs by default: Table 5, 3 seeds, the learning-rate sweep. */
export const DEFAULT_COMPARE: CompareSettings = { rows: 'table5', seeds: 3, lrSweep: [...DEFAULT_LR_SWEEP] };

/** A compare command without settings: one seed, no sweep (the comparison as it was before they existed). */
export const SINGLE_RUN_COMPARE: CompareSettings = { rows: 'table5', seeds: 1, lrSweep: [] };

/** "6.25e-5, 1e-3" (or "none"/empty) -> the rates; an error naming the first bad one. */
export function parseLrSweep(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  return trimmed.split(',').map((part) => {
    const value = Number(part.trim());
    if (part.trim() === '' || Number.isNaN(value)) throw new Error(`"${part.trim()}" is not a learning rate`);
    return value;
  });
}

/** The rates as people write them: "6.25e-5, 0.001". */
export function lrSweepText(rates: readonly number[]): string {
  return rates.map((r) => (r !== 0 && Math.abs(r) < 1e-3 ? r.toExponential() : String(r))).join(', ');
}

/** The first problem with the settings, naming its field, or undefined when they are fine. */
export function compareSettingsProblem(s: CompareSettings): SettingsProblem | undefined {
  if (s.rows !== 'table5' && s.rows !== 'layers') {
    return { where: 'compareRows', message: `unknown rows "${s.rows}" (use table5 or layers)` };
  }
  const problem = firstProblem(COMPARE_FIELDS, s);
  if (problem) return problem;
  if (!Array.isArray(s.lrSweep)) return { where: 'lrSweep', message: 'the learning-rate sweep must be a list' };
  if (s.lrSweep.length > MAX_LR_SWEEP) {
    return { where: 'lrSweep', message: `the learning-rate sweep takes at most ${MAX_LR_SWEEP} rates` };
  }
  for (const lr of s.lrSweep) {
    const message = fieldProblem({ ...FINETUNE_FIELDS.lr, label: 'each rate of the learning-rate sweep' }, lr);
    if (message) return { where: 'lrSweep', message };
  }
  if (new Set(s.lrSweep).size !== s.lrSweep.length) {
    return { where: 'lrSweep', message: 'the learning-rate sweep names a rate twice' };
  }
  return undefined;
}
