// The paper's ablations for one task (Table 5, Figure 2 left), one seed: fine-tune the same pretrained
// model with the auxiliary LM (λ > 0) and without it (λ = 0), the same architecture and tokenizer from
// scratch (no pre-training), and with only the embeddings and the first n blocks transferred. The variants
// share the data, schedule and seed, so they differ only in what is ablated. How one variant runs (its
// progress, events, device) is the caller's: the CLI and the engine's Compare both go through runAblation.
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
}

/** One variant about to run: what it changes, and the run prepared with it. */
export interface AblationVariantRun {
  variant: AblationVariant;
  description: string;
  auxLm: number;
  /** Its place among the variants (0-based) and their number. */
  index: number;
  count: number;
  prepared: PreparedFinetune;
}

export interface AblationRow {
  variant: AblationVariant;
  description: string;
  auxLm: number;
  outcome: FinetuneOutcome;
}

export interface AblationResult {
  task: PreparedFinetune['trainer']['task']['family'];
  metric: PreparedFinetune['metric'];
  rows: AblationRow[];
  /** A variant was stopped: the rows are the variants that finished before it. */
  stopped: boolean;
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

/** Runs the variants in order through `runVariant`; a stopped variant (or `stopped()` between two) ends it. */
export async function runAblation(
  options: AblationOptions,
  runVariant: (run: AblationVariantRun) => Promise<FinetuneOutcome>,
  stopped: () => boolean = () => false,
): Promise<AblationResult> {
  const { pretrained, variants, transferLayers, ...common } = options;
  const auxLm = ablationAuxLm(options.auxLm);
  const list = variants ?? defaultVariants(pretrained.config.nLayer, transferLayers);
  if (!list.length) throw new Error('No ablation variant to run.');
  const rows: AblationRow[] = [];
  let metric: PreparedFinetune['metric'] | undefined;
  for (const [index, variant] of list.entries()) {
    const { description, ...settings } = variantSettings(variant, pretrained, auxLm);
    const prepared = prepareFinetune({ ...common, ...settings });
    metric ??= prepared.metric;
    if (stopped()) return { task: options.family, metric, rows, stopped: true };
    const variantAuxLm = settings.auxLm ?? 0;
    const outcome = await runVariant({
      variant,
      description,
      auxLm: variantAuxLm,
      index,
      count: list.length,
      prepared,
    });
    if (outcome.stopped) return { task: options.family, metric, rows, stopped: true };
    rows.push({ variant, description, auxLm: variantAuxLm, outcome });
  }
  return { task: options.family, metric: metric!, rows, stopped: false };
}

/** A plain-text table: one line per variant with the metric (and accuracy), the final task loss L2 and steps. */
export function formatAblationTable(result: AblationResult): string {
  const withAccuracy = result.metric !== 'accuracy' && result.rows.some((row) => row.outcome.summary.accuracy !== null);
  const header = [
    'variant',
    result.metric,
    ...(withAccuracy ? ['accuracy'] : []),
    'final task loss',
    'steps',
    'description',
  ];
  const lines = result.rows.map((row) => {
    const r = row.outcome.summary;
    return [
      row.variant,
      r.value.toFixed(4),
      ...(withAccuracy ? [r.accuracy === null ? '-' : r.accuracy.toFixed(4)] : []),
      r.taskLoss.last.toFixed(4),
      String(r.steps),
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
