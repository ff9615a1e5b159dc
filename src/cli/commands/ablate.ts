// `ablate --task F --train FILE --dev FILE --init DIR [...]`: the paper's ablations for one task (Table 5,
// Figure 2 left): pretrained with and without the auxiliary LM, from scratch, and with only the first n layers
// transferred (or the layers-transferred sweep n = 0 … L), each with k seeds and, with a learning-rate sweep,
// also at the rate chosen on a held part of the training file. Prints a table and the verdict in words on
// stderr; the last stdout line is the rows as JSON.
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { layerSweepVariants, plannedRuns, seedsOf } from '../../train/ablation-grid.ts';
import { spreadOf } from '../../train/ablation-stats.ts';
import {
  type AblationVariant,
  ablationAuxLm,
  ablationVerdicts,
  formatAblationTable,
  runAblation,
  type SeedOutcome,
  variantSettings,
} from '../../train/finetune-ablation.ts';
import { type PreparedFinetune, prepareFinetune } from '../../train/finetune-prepare.ts';
import { planFinetune } from '../../train/finetune-trainer.ts';
import {
  COMPARE_FIELDS,
  compareSettingsProblem,
  DEFAULT_COMPARE,
  lrSweepText,
  parseLrSweep,
} from '../../train/settings/compare-settings.ts';
import { DEFAULT_FINETUNE_SEED } from '../../train/settings/finetune-settings.ts';
import { fieldOption, type OptionSpecs, parseOptions, UsageError } from '../args.ts';
import {
  finetuneResult,
  finetuneRunOptions,
  finetuneSettingsOf,
  loadPretrained,
  runWithProgress,
} from '../finetune-options.ts';
import { installTuner } from '../kernel-tuning.ts';
import { progress } from '../progress.ts';

export const ablateOptions = {
  ...finetuneRunOptions,
  init: { type: 'string', help: 'the pretrained checkpoint folder (ours or Hugging Face openai-gpt)', required: true },
  variants: {
    type: 'string',
    help: 'comma-separated subset of pretrained+aux, pretrained, scratch, transfer-N (default: all four)',
  },
  'sweep-layers': {
    type: 'string',
    help: 'all | comma-separated N: the layers-transferred sweep (Figure 2 left), transfer-N rows instead of --variants',
  },
  seeds: fieldOption(COMPARE_FIELDS.seeds, String(DEFAULT_COMPARE.seeds)),
  'lr-sweep': {
    type: 'string',
    help:
      'comma-separated learning rates tried on a held part of the training file for a tuned column, or none ' +
      `(default ${lrSweepText(DEFAULT_COMPARE.lrSweep)})`,
  },
} satisfies OptionSpecs;

function parseVariants(text: string): AblationVariant[] {
  return text.split(',').map((v) => {
    const variant = v.trim();
    if (variant === 'pretrained+aux' || variant === 'pretrained' || variant === 'scratch') return variant;
    if (/^transfer-\d+$/.test(variant)) return variant as AblationVariant;
    throw new UsageError(`unknown variant "${variant}" (use pretrained+aux, pretrained, scratch, transfer-N)`);
  });
}

/** --sweep-layers: 'all' (n = 0 … L once the model is known) or the layer counts, each a whole number. */
export function parseSweepLayers(text: string): 'all' | number[] {
  const trimmed = text.trim();
  if (trimmed === 'all') return 'all';
  const counts = trimmed.split(',').map((part) => {
    const n = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(n) || n < 0) {
      throw new UsageError(`--sweep-layers must be all or whole numbers of layers from 0, not "${part.trim()}"`);
    }
    return n;
  });
  if (new Set(counts).size !== counts.length) throw new UsageError('--sweep-layers names a layer count twice');
  return counts;
}

/** A row's values over its seeds, as the JSON shows them. */
function seedsJson(seeds: readonly SeedOutcome[]) {
  const spread = spreadOf(seeds.map((s) => s.outcome.summary.value));
  return {
    mean: spread.mean,
    min: spread.min,
    max: spread.max,
    seeds: seeds.map(({ seed, outcome, reused }) => ({
      seed,
      value: outcome.summary.value,
      accuracy: outcome.summary.accuracy,
      finalTaskLoss: outcome.summary.taskLoss.last,
      ...(reused ? { reused } : {}),
    })),
  };
}

export async function ablateCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, ablateOptions);
  if (o.variants && o['sweep-layers'])
    throw new UsageError('--variants and --sweep-layers both choose the rows: give one');
  const variantList = o.variants ? parseVariants(o.variants) : undefined;
  const sweep = o['sweep-layers'] !== undefined ? parseSweepLayers(o['sweep-layers']) : undefined;
  let lrSweep: number[];
  try {
    lrSweep = o['lr-sweep'] !== undefined ? parseLrSweep(o['lr-sweep']) : [...DEFAULT_COMPARE.lrSweep];
  } catch (error) {
    throw new UsageError(`--lr-sweep: ${(error as Error).message}`);
  }
  const seeds = o.seeds ?? DEFAULT_COMPARE.seeds;
  const problem = compareSettingsProblem({ rows: sweep ? 'layers' : 'table5', seeds, lrSweep });
  if (problem)
    throw new UsageError(`--${problem.where === 'lrSweep' ? 'lr-sweep' : problem.where}: ${problem.message}`);
  try {
    seedsOf(o.seed ?? DEFAULT_FINETUNE_SEED, seeds);
  } catch (error) {
    throw new UsageError(`--seeds: ${(error as Error).message}`);
  }
  let auxLm: number;
  try {
    auxLm = ablationAuxLm(o['aux-lm']);
  } catch (error) {
    throw new UsageError(`--aux-lm: ${(error as Error).message}`);
  }
  const settings = finetuneSettingsOf(o);
  const pretrained = await loadPretrained(o.init!, o.tokenizer);
  const L = pretrained.config.nLayer;
  if (Array.isArray(sweep) && sweep.some((n) => n > L)) {
    throw new UsageError(`--sweep-layers: ${o.init} has ${L} layers, so each count must be from 0 to ${L}`);
  }
  const variants =
    sweep === 'all' ? layerSweepVariants(L) : sweep ? sweep.map((n) => `transfer-${n}` as const) : variantList;
  // The largest variant's graph (pretrained with the LM head) sizes the device for all of them.
  const largest = prepareFinetune({ ...settings, ...variantSettings('pretrained+aux', pretrained, auxLm) });
  for (const warning of largest.warnings) progress(`warning: ${warning}`);
  const { plan, needs } = planFinetune(largest.trainer);
  const { B, T } = largest.trainer;
  const rowCount = variants?.length ?? 4;
  progress(
    `ablation on ${settings.train.fileName}: batch ${B} x ${T}, ${largest.totalSteps} steps per run, ` +
      `${rowCount} rows x ${seeds} seed${seeds === 1 ? '' : 's'}` +
      (lrSweep.length ? ` + a learning-rate sweep (${lrSweepText(lrSweep)})` : '') +
      `: at most ${plannedRuns(rowCount, seeds, lrSweep.length)} runs, GPU plan ${(plan.totalBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  const ctx = await openGpu(await nodeGpu(), { needs, purpose: `ablation (${settings.family})` });
  installTuner(ctx, o);
  try {
    const prepared = new Map<AblationVariant, PreparedFinetune>();
    const options = {
      ...settings,
      auxLm,
      pretrained,
      variants,
      transferLayers: o['transfer-layers'],
      seeds,
      lrSweep,
    };
    const result = await runAblation(options, async (run) => {
      if (!prepared.has(run.variant)) prepared.set(run.variant, run.prepared);
      const what = `${run.variant} seed ${run.seed}${run.stage === 'recipe' ? '' : ` lr ${run.lr} (${run.stage === 'trial' ? 'on the held part' : 'tuned'})`}`;
      progress(`${what} (${run.index + 1}/${run.count}): ${run.description}`);
      const outcome = await runWithProgress(ctx, run.prepared, `${what}: `);
      progress(
        `${what}: ${run.stage === 'trial' ? 'held-out' : 'dev'} ${outcome.summary.metric} ${outcome.summary.value.toFixed(4)}`,
      );
      return outcome;
    });
    const verdicts = ablationVerdicts(result, auxLm);
    progress(`\n${formatAblationTable(result)}\n`);
    if (result.heldOut) progress(`Tuned column: ${result.heldOut}.`);
    for (const { column, verdict } of verdicts) progress(`${column}: ${verdict.text}`);
    return {
      task: result.task,
      metric: result.metric,
      seeds,
      lr: result.lr,
      lrSweep,
      ...(result.heldOut ? { heldOut: result.heldOut } : {}),
      chance: result.chance,
      verdicts: verdicts.map(({ column, verdict }) => ({ column, kind: verdict.kind, text: verdict.text })),
      rows: result.rows.map((row) => ({
        variant: row.variant,
        description: row.description,
        auxLm: row.auxLm,
        ...finetuneResult(prepared.get(row.variant)!, row.outcome),
        recipe: seedsJson(row.seeds),
        ...(row.tuned ? { tuned: { lr: row.tuned.lr, trials: row.tuned.trials, ...seedsJson(row.tuned.seeds) } } : {}),
      })),
    };
  } finally {
    ctx.destroy();
  }
}
