// The paper's ablations for one task (Table 5, Figure 2 left): fine-tune the same pretrained model with the
// auxiliary LM (λ > 0) and without it (λ = 0), the same architecture and tokenizer from scratch (no
// pre-training), and with only the embeddings and the first n blocks transferred (or n = 0 … L, the
// layers-transferred sweep). Each variant runs with k seeds, and with a learning-rate sweep also at the rate
// its held-out score chose (ablation-grid.ts); the variants share the data, schedule and seeds, so they differ
// only in what is ablated. How one run goes (its progress, events, device) is the caller's: the CLI and the
// engine's Compare both go through runAblation.
import {
  type AblationStage,
  chooseLearningRate,
  heldOutSplit,
  type LrTrial,
  plannedRuns,
  seedsOf,
} from './ablation-grid.ts';
import {
  type ChanceLevel,
  chanceLevel,
  compareVerdict,
  type Spread,
  spreadOf,
  type Verdict,
  type VerdictRow,
} from './ablation-stats.ts';
import type { FinetuneOptions, PreparedFinetune, PretrainedModel } from './finetune-prepare.ts';
import { prepareFinetune } from './finetune-prepare.ts';
import type { FinetuneOutcome } from './finetune-run.ts';
import { PAPER_FINETUNE } from './settings/finetune-settings.ts';

export type AblationVariant = 'pretrained+aux' | 'pretrained' | 'scratch' | `transfer-${number}`;

export interface AblationOptions extends Omit<FinetuneOptions, 'init' | 'auxLm'> {
  pretrained: PretrainedModel;
  /** λ of the variants with an auxiliary LM (pretrained+aux, scratch, transfer-n). Default 0.5; must be > 0. */
  auxLm?: number;
  /** n of transfer-n (default: half the layers, rounded down). */
  transferLayers?: number;
  /** Default: all four, in the order of the table. */
  variants?: AblationVariant[];
  /** Seeds per variant: seed, seed + 1, … (default 1). */
  seeds?: number;
  /** Learning rates tried on the held part of the training file for each row's tuned result (default: none). */
  lrSweep?: readonly number[];
}

/** One run of the grid about to start: its variant, seed, rate and purpose, and the run prepared with them. */
export interface AblationVariantRun {
  variant: AblationVariant;
  description: string;
  auxLm: number;
  seed: number;
  lr: number;
  stage: AblationStage;
  /** Its place among the grid's runs (0-based) and their most (the tuned runs a recipe run stands for are skipped). */
  index: number;
  count: number;
  prepared: PreparedFinetune;
}

/** A run of a row at one seed; `reused`: the tuned rate is the recipe's, so the recipe run stands for it. */
export interface SeedOutcome {
  seed: number;
  outcome: FinetuneOutcome;
  reused?: boolean;
}

export interface AblationRow {
  variant: AblationVariant;
  description: string;
  auxLm: number;
  /** The first seed's run with the recipe (the one-seed comparison's result). */
  outcome: FinetuneOutcome;
  /** Every seed's run with the recipe, in seed order. */
  seeds: SeedOutcome[];
  /** With a learning-rate sweep: each rate's held-out score, the chosen rate and every seed's run with it. */
  tuned?: { trials: LrTrial[]; lr: number; seeds: SeedOutcome[] };
}

export interface AblationResult {
  task: PreparedFinetune['trainer']['task']['family'];
  metric: PreparedFinetune['metric'];
  rows: AblationRow[];
  /** A run was stopped: the rows are the variants that finished before it. */
  stopped: boolean;
  /** The recipe's learning rate. */
  lr: number;
  /** With a sweep: how the held part was taken. */
  heldOut?: string;
  /** Chance on the dev set (what "at chance" is measured against). */
  chance: ChanceLevel;
}

export function defaultVariants(nLayer: number, transferLayers?: number): AblationVariant[] {
  const n = transferLayers ?? Math.floor(nLayer / 2);
  return ['pretrained+aux', 'pretrained', 'scratch', `transfer-${n}`];
}

/** What one variant changes: its start and its λ. */
export function variantSettings(
  variant: AblationVariant,
  pretrained: PretrainedModel,
  auxLm: number,
): Pick<FinetuneOptions, 'init' | 'auxLm'> & { description: string } {
  if (variant === 'pretrained+aux') {
    return { init: { kind: 'pretrained', model: pretrained }, auxLm, description: `pretrained, aux LM λ = ${auxLm}` };
  }
  if (variant === 'pretrained') {
    return { init: { kind: 'pretrained', model: pretrained }, auxLm: 0, description: 'pretrained, no aux LM' };
  }
  if (variant === 'scratch') {
    return {
      init: { kind: 'scratch', config: pretrained.config, tokenizer: pretrained.tokenizer },
      auxLm,
      description: `no pre-training, aux LM λ = ${auxLm}`,
    };
  }
  const m = /^transfer-(\d+)$/.exec(variant);
  if (!m) throw new Error(`Unknown ablation variant "${variant}".`);
  const n = Number(m[1]);
  return {
    init: { kind: 'pretrained', model: pretrained, transferLayers: n },
    auxLm,
    description: `embeddings + first ${n} of ${pretrained.config.nLayer} layers transferred, aux LM λ = ${auxLm}`,
  };
}

/** λ of the ablation's aux-LM variants: the given one, which must be positive (the paper's by default). */
export function ablationAuxLm(auxLm: number | undefined): number {
  const value = auxLm ?? PAPER_FINETUNE.auxLm;
  if (!(value > 0)) throw new Error(`The ablation compares λ > 0 with λ = 0: λ must be positive, not ${value}.`);
  return value;
}

/** The chance level of a prepared run's dev set for its metric. */
export function devChance(prepared: PreparedFinetune): ChanceLevel {
  const { devSet, metric } = prepared;
  const choices = devSet.family === 'multiple-choice' ? devSet.sequencesPerExample : undefined;
  return chanceLevel(metric, devSet.labels, { choices });
}

/**
 * Runs the grid through `runVariant`, variant by variant: every seed with the recipe, then (with a sweep) each
 * rate on the held part of the training file with the first seed, then every seed with the chosen rate (a rate
 * equal to the recipe's reuses the recipe runs: same data, seed and rate give the same run). A stopped run (or
 * `stopped()` between two) ends it with the rows finished before.
 */
export async function runAblation(
  options: AblationOptions,
  runVariant: (run: AblationVariantRun) => Promise<FinetuneOutcome>,
  stopped: () => boolean = () => false,
): Promise<AblationResult> {
  const { pretrained, variants, transferLayers, seeds: seedCount, lrSweep = [], ...common } = options;
  const auxLm = ablationAuxLm(options.auxLm);
  const list = variants ?? defaultVariants(pretrained.config.nLayer, transferLayers);
  if (!list.length) throw new Error('No ablation variant to run.');
  const seeds = seedsOf(common.seed ?? 0, seedCount ?? 1);
  const recipeLr = common.lr ?? PAPER_FINETUNE.lr;
  const split = lrSweep.length ? heldOutSplit(common.train) : undefined;
  const count = plannedRuns(list.length, seeds.length, lrSweep.length);
  const rows: AblationRow[] = [];
  let index = 0;
  let first: PreparedFinetune | undefined;
  const end = (isStopped: boolean): AblationResult => ({
    task: options.family,
    metric: first!.metric,
    rows,
    stopped: isStopped,
    lr: recipeLr,
    ...(split ? { heldOut: split.description } : {}),
    chance: devChance(first!),
  });
  for (const variant of list) {
    const { description, ...settings } = variantSettings(variant, pretrained, auxLm);
    const variantAuxLm = settings.auxLm ?? 0;
    /** One run of this variant; undefined when it (or the comparison) was stopped. */
    const run = async (seed: number, lr: number, stage: AblationStage) => {
      const data = stage === 'trial' ? { train: split!.fit, dev: split!.held } : {};
      const prepared = prepareFinetune({ ...common, ...settings, seed, lr, ...data });
      first ??= prepared;
      if (stopped()) return undefined;
      const runInfo = { variant, description, auxLm: variantAuxLm, seed, lr, stage, count, prepared };
      const outcome = await runVariant({ ...runInfo, index: index++ });
      return outcome.stopped ? undefined : outcome;
    };
    const recipe: SeedOutcome[] = [];
    for (const seed of seeds) {
      const outcome = await run(seed, recipeLr, 'recipe');
      if (!outcome) return end(true);
      recipe.push({ seed, outcome });
    }
    const row: AblationRow = { variant, description, auxLm: variantAuxLm, outcome: recipe[0]!.outcome, seeds: recipe };
    if (lrSweep.length) {
      const trials: LrTrial[] = [];
      for (const lr of lrSweep) {
        const outcome = await run(seeds[0]!, lr, 'trial');
        if (!outcome) return end(true);
        trials.push({ lr, value: outcome.summary.value });
      }
      const lr = chooseLearningRate(trials);
      const tuned: SeedOutcome[] = [];
      for (const seed of seeds) {
        const reused = lr === recipeLr ? recipe.find((r) => r.seed === seed) : undefined;
        const outcome = reused?.outcome ?? (await run(seed, lr, 'tuned'));
        if (!outcome) return end(true);
        tuned.push({ seed, outcome, ...(reused ? { reused: true } : {}) });
      }
      row.tuned = { trials, lr, seeds: tuned };
    }
    rows.push(row);
  }
  return end(false);
}

const values = (seeds: readonly SeedOutcome[]) => seeds.map((s) => s.outcome.summary.value);
const range = (x: Spread) => `${x.min.toFixed(4)}–${x.max.toFixed(4)}`;

/** The verdict rows of one column: each variant's spread over seeds, recipe or tuned. */
export function verdictRows(result: AblationResult, column: 'recipe' | 'tuned'): VerdictRow[] {
  return result.rows.flatMap((row) => {
    const seeds = column === 'recipe' ? row.seeds : row.tuned?.seeds;
    return seeds ? [{ name: row.variant, spread: spreadOf(values(seeds)) }] : [];
  });
}

/** The verdict in words for the recipe column and, with a sweep, the tuned one. */
export function ablationVerdicts(result: AblationResult, auxLm: number): { column: string; verdict: Verdict }[] {
  const tuned = result.rows.some((row) => row.tuned);
  const seeds = Math.min(...result.rows.map((row) => row.seeds.length));
  const advice = { tuned, auxLm, seeds };
  const recipe = {
    column: `paper recipe (lr ${result.lr})`,
    verdict: compareVerdict(verdictRows(result, 'recipe'), result.chance, advice),
  };
  if (!tuned) return [recipe];
  const onTuned = { ...advice, onTuned: true };
  return [
    recipe,
    { column: 'tuned lr', verdict: compareVerdict(verdictRows(result, 'tuned'), result.chance, onTuned) },
  ];
}

/**
 * A plain-text table: one line per variant with the metric (its mean over seeds, and min–max with more than
 * one), accuracy beside another metric, the first seed's final task loss and steps, and with a sweep the
 * chosen rate and the tuned result. One seed without a sweep gives the one-seed table of before.
 */
export function formatAblationTable(result: AblationResult): string {
  const withAccuracy = result.metric !== 'accuracy' && result.rows.some((row) => row.outcome.summary.accuracy !== null);
  const withRange = result.rows.some((row) => row.seeds.length > 1);
  const withTuned = result.rows.some((row) => row.tuned);
  const header = [
    'variant',
    result.metric,
    ...(withRange ? ['min–max'] : []),
    ...(withAccuracy ? ['accuracy'] : []),
    'final task loss',
    'steps',
    ...(withTuned ? ['tuned lr', `tuned ${result.metric}`, ...(withRange ? ['tuned min–max'] : [])] : []),
    'description',
  ];
  const lines = result.rows.map((row) => {
    const r = row.outcome.summary;
    const recipe = spreadOf(values(row.seeds));
    const accuracy = spreadOf(row.seeds.map((s) => s.outcome.summary.accuracy ?? Number.NaN));
    const tuned = row.tuned ? spreadOf(values(row.tuned.seeds)) : undefined;
    return [
      row.variant,
      recipe.mean.toFixed(4),
      ...(withRange ? [range(recipe)] : []),
      ...(withAccuracy ? [r.accuracy === null ? '-' : accuracy.mean.toFixed(4)] : []),
      r.taskLoss.last.toFixed(4),
      String(r.steps),
      ...(withTuned
        ? [
            row.tuned ? String(row.tuned.lr) : '-',
            tuned ? tuned.mean.toFixed(4) : '-',
            ...(withRange ? [tuned ? range(tuned) : '-'] : []),
          ]
        : []),
      row.description,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n');
}
