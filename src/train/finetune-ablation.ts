// The paper's ablations for one task (Table 5, Figure 2 left), one seed: fine-tune the same pretrained
// model with the auxiliary LM (λ > 0) and without it (λ = 0), the same architecture and tokenizer from
// scratch (no pre-training), and with only the embeddings and the first n blocks transferred. Each variant
// is a full runFinetune; the rows share the data, schedule and seed, so they differ only in what is ablated.
import type { GpuContext } from '../gpu/device.ts';
import {
  FINETUNE_DEFAULTS,
  type FinetuneOptions,
  type FinetuneResult,
  type PretrainedModel,
  runFinetune,
} from './finetune-run.ts';
import type { TaskStepResult } from './finetune-trainer.ts';

export type AblationVariant = 'pretrained+aux' | 'pretrained' | 'scratch' | `transfer-${number}`;

export interface AblationOptions extends Omit<FinetuneOptions, 'init' | 'onStep' | 'onTrained'> {
  pretrained: PretrainedModel;
  /** λ of the variants with an auxiliary LM (pretrained+aux, scratch, transfer-n). Default 0.5; must be > 0. */
  auxLm?: number;
  /** n of transfer-n (default: half the layers, rounded down). */
  transferLayers?: number;
  /** Default: all four, in the order of the table. */
  variants?: AblationVariant[];
  onStep?: (variant: AblationVariant, step: TaskStepResult, totalSteps: number) => void;
  onVariant?: (row: AblationRow) => void;
}

export interface AblationRow {
  variant: AblationVariant;
  description: string;
  auxLm: number;
  result: FinetuneResult;
}

export interface AblationResult {
  task: FinetuneResult['task'];
  metric: FinetuneResult['metric'];
  rows: AblationRow[];
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

export async function runAblation(ctx: GpuContext, options: AblationOptions): Promise<AblationResult> {
  const { pretrained, variants, onStep, onVariant, transferLayers, ...common } = options;
  const auxLm = options.auxLm ?? FINETUNE_DEFAULTS.auxLm;
  if (!(auxLm > 0)) throw new Error(`The ablation compares λ > 0 with λ = 0: --aux-lm must be positive, not ${auxLm}.`);
  const rows: AblationRow[] = [];
  for (const variant of variants ?? defaultVariants(pretrained.config.nLayer, transferLayers)) {
    const { description, ...settings } = variantSettings(variant, pretrained, auxLm);
    const result = await runFinetune(ctx, {
      ...common,
      ...settings,
      onStep: onStep && ((step, total) => onStep(variant, step, total)),
    });
    const row = { variant, description, auxLm: settings.auxLm ?? 0, result };
    rows.push(row);
    onVariant?.(row);
  }
  const first = rows[0]?.result;
  if (!first) throw new Error('No ablation variant to run.');
  return { task: first.task, metric: first.metric, rows };
}

/** A plain-text table: one line per variant with the metric (and accuracy), the final task loss L2 and steps. */
export function formatAblationTable(result: AblationResult): string {
  const withAccuracy = result.metric !== 'accuracy' && result.rows.some((row) => row.result.accuracy !== null);
  const header = [
    'variant',
    result.metric,
    ...(withAccuracy ? ['accuracy'] : []),
    'final task loss',
    'steps',
    'description',
  ];
  const lines = result.rows.map((row) => {
    const r = row.result;
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
