// `ablate --task F --train FILE --dev FILE --init DIR [...]`: the paper's ablations for one task and one
// seed (Table 5, Figure 2 left): pretrained with and without the auxiliary LM, from scratch, and with only
// the first n layers transferred. Prints a table on stderr; the last stdout line is the rows as JSON.
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import {
  type AblationVariant,
  ablationAuxLm,
  formatAblationTable,
  runAblation,
  variantSettings,
} from '../../train/finetune-ablation.ts';
import { prepareFinetune } from '../../train/finetune-prepare.ts';
import { planFinetune } from '../../train/finetune-trainer.ts';
import { type OptionSpecs, parseOptions, UsageError } from '../args.ts';
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
} satisfies OptionSpecs;

function parseVariants(text: string): AblationVariant[] {
  return text.split(',').map((v) => {
    const variant = v.trim();
    if (variant === 'pretrained+aux' || variant === 'pretrained' || variant === 'scratch') return variant;
    if (/^transfer-\d+$/.test(variant)) return variant as AblationVariant;
    throw new UsageError(`unknown variant "${variant}" (use pretrained+aux, pretrained, scratch, transfer-N)`);
  });
}

export async function ablateCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, ablateOptions);
  const variants = o.variants ? parseVariants(o.variants) : undefined;
  let auxLm: number;
  try {
    auxLm = ablationAuxLm(o['aux-lm']);
  } catch (error) {
    throw new UsageError(`--aux-lm: ${(error as Error).message}`);
  }
  const settings = finetuneSettingsOf(o);
  const pretrained = await loadPretrained(o.init!, o.tokenizer);
  // The largest variant's graph (pretrained with the LM head) sizes the device for all of them.
  const largest = prepareFinetune({ ...settings, ...variantSettings('pretrained+aux', pretrained, auxLm) });
  for (const warning of largest.warnings) progress(`warning: ${warning}`);
  const { plan, needs } = planFinetune(largest.trainer);
  const { B, T } = largest.trainer;
  progress(
    `ablation on ${settings.train.fileName}: batch ${B} x ${T}, ${largest.totalSteps} steps per variant, ` +
      `GPU plan ${(plan.totalBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  const ctx = await openGpu(await nodeGpu(), { needs, purpose: `ablation (${settings.family})` });
  installTuner(ctx, o);
  try {
    const prepared = new Map<AblationVariant, ReturnType<typeof prepareFinetune>>();
    const options = { ...settings, auxLm, pretrained, variants, transferLayers: o['transfer-layers'] };
    const result = await runAblation(options, async (run) => {
      prepared.set(run.variant, run.prepared);
      progress(`${run.variant} (${run.index + 1}/${run.count}): ${run.description}`);
      const outcome = await runWithProgress(ctx, run.prepared, `${run.variant}: `);
      progress(`${run.variant}: dev ${outcome.summary.metric} ${outcome.summary.value.toFixed(4)}`);
      return outcome;
    });
    progress(`\n${formatAblationTable(result)}\n`);
    return {
      task: result.task,
      metric: result.metric,
      rows: result.rows.map((row) => ({
        variant: row.variant,
        description: row.description,
        auxLm: row.auxLm,
        ...finetuneResult(prepared.get(row.variant)!, row.outcome),
      })),
    };
  } finally {
    ctx.destroy();
  }
}
