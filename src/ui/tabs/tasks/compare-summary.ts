// A comparison's finished runs (compare-row events, every seed, trial and tuned run) gathered per variant for
// the Compare panel: the mean and min–max over seeds with the recipe and with the tuned rate, the rate each
// row used and what each rate scored on the held part, and the verdict in words (src/train/ablation-stats.ts).
import type { ComparePlan, CompareRow } from '../../../engine/protocol.ts';
import { compareVerdict, type Spread, spreadOf, type Verdict } from '../../../train/ablation-stats.ts';
import type { AblationVariant } from '../../../train/finetune-ablation.ts';

export interface CompareRowSummary {
  variant: AblationVariant;
  description: string;
  auxLm: number;
  recipe: Spread;
  /** Accuracy over the recipe's seeds (null: a regression task). */
  accuracy: Spread | null;
  /** The first recipe run's final task loss and steps. */
  finalTaskLoss: number;
  steps: number;
  /** All this variant's runs (trials included). */
  seconds: number;
  /** The learning-rate sweep's scores on the held part, in the sweep's order. */
  trials: { lr: number; value: number }[];
  /** The chosen rate's result (absent until its runs finish, or without a sweep). */
  tuned?: { lr: number; spread: Spread };
}

/** Runs per variant, in the order the variants first appear. */
export function summariseCompareRows(rows: readonly CompareRow[], plan?: ComparePlan): CompareRowSummary[] {
  const byVariant = new Map<AblationVariant, CompareRow[]>();
  for (const row of rows) byVariant.set(row.variant, [...(byVariant.get(row.variant) ?? []), row]);
  const summaries: CompareRowSummary[] = [];
  for (const [variant, runs] of byVariant) {
    const recipe = runs.filter((r) => (r.stage ?? 'recipe') === 'recipe');
    if (!recipe.length) continue;
    const first = recipe[0]!;
    const trials = runs.filter((r) => r.stage === 'trial').map((r) => ({ lr: r.lr, value: r.value }));
    const tunedRuns = runs.filter((r) => r.stage === 'tuned');
    const seeds = plan?.seeds ?? recipe.length;
    const sweepDone = plan !== undefined && plan.lrSweep.length > 0 && trials.length === plan.lrSweep.length;
    let tuned: CompareRowSummary['tuned'];
    if (sweepDone) {
      // The chosen rate: the tuned runs', or the recipe's when it won (its runs stand for the tuned ones).
      const lr = tunedRuns[0]?.lr ?? plan.lr;
      const values = tunedRuns.length ? tunedRuns.map((r) => r.value) : recipe.map((r) => r.value);
      if (values.length === seeds) tuned = { lr, spread: spreadOf(values) };
    }
    summaries.push({
      variant,
      description: first.description,
      auxLm: first.auxLm,
      recipe: spreadOf(recipe.map((r) => r.value)),
      accuracy: first.accuracy === null ? null : spreadOf(recipe.map((r) => r.accuracy ?? Number.NaN)),
      finalTaskLoss: first.finalTaskLoss,
      steps: first.steps,
      seconds: runs.reduce((sum, r) => sum + r.seconds, 0),
      trials,
      ...(tuned ? { tuned } : {}),
    });
  }
  return summaries;
}

/** The verdicts of the recipe column and (once every row has one) the tuned column. */
export function compareVerdicts(
  summaries: readonly CompareRowSummary[],
  plan: ComparePlan | undefined,
  name: (variant: string) => string,
): { column: string; verdict: Verdict }[] {
  if (!summaries.length) return [];
  const advice = { tuned: Boolean(plan?.lrSweep.length), auxLm: plan?.auxLm ?? 0.5, seeds: plan?.seeds ?? 1 };
  const chance = plan?.chance;
  const recipeRows = summaries.map((s) => ({ name: name(s.variant), spread: s.recipe }));
  const out = [{ column: 'Paper recipe', verdict: compareVerdict(recipeRows, chance, advice) }];
  if (summaries.every((s) => s.tuned)) {
    const tunedRows = summaries.map((s) => ({ name: name(s.variant), spread: s.tuned!.spread }));
    out.push({
      column: 'Tuned learning rate',
      verdict: compareVerdict(tunedRows, chance, { ...advice, onTuned: true }),
    });
  }
  return out;
}
