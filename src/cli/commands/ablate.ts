// `ablate --task F --train FILE --dev FILE --init DIR [...]`: the paper's ablations for one task and one
// seed (Table 5, Figure 2 left): pretrained with and without the auxiliary LM, from scratch, and with only
// the first n layers transferred. Prints a table on stderr; the last stdout line is the rows as JSON.
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import {
  type AblationVariant,
  defaultVariants,
  formatAblationTable,
  runAblation,
  variantSettings,
} from '../../train/finetune-ablation.ts';
import { FINETUNE_DEFAULTS, prepareFinetune } from '../../train/finetune-run.ts';
import { planFinetune } from '../../train/finetune-trainer.ts';
import { type OptionSpecs, parseOptions, UsageError } from '../args.ts';
import { installTuner } from '../kernel-tuning.ts';
import { progress } from '../progress.ts';
import { loadPretrained, resultSummary, stepProgress, taskRunOptions, taskRunSettings } from './finetune.ts';

export const ablateOptions = {
  ...taskRunOptions,
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
  const settings = taskRunSettings(o);
  const pretrained = await loadPretrained(o.init!, o.tokenizer);
  const variants = o.variants
    ? parseVariants(o.variants)
    : defaultVariants(pretrained.config.nLayer, o['transfer-layers']);
  const auxLm = settings.auxLm ?? FINETUNE_DEFAULTS.auxLm;
  // The largest variant's graph (pretrained with the LM head) sizes the device for all of them.
  const prepared = prepareFinetune({ ...settings, ...variantSettings('pretrained+aux', pretrained, auxLm) });
  for (const warning of prepared.warnings) progress(`warning: ${warning}`);
  const { plan, needs } = planFinetune(prepared.trainer);
  progress(
    `ablation on ${settings.train.fileName}: ${variants.join(', ')}; batch ${prepared.trainer.B} x ` +
      `${prepared.trainer.T}, ${prepared.totalSteps} steps each, GPU plan ${(plan.totalBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  const ctx = await openGpu(await nodeGpu(), { needs, purpose: `ablation (${settings.family})` });
  installTuner(ctx, o);
  try {
    const progressFor = new Map<AblationVariant, ReturnType<typeof stepProgress>>();
    const result = await runAblation(ctx, {
      ...settings,
      auxLm,
      pretrained,
      variants,
      onStep: (variant, step, total) => {
        if (!progressFor.has(variant)) progressFor.set(variant, stepProgress(`${variant}: `));
        progressFor.get(variant)?.(step, total);
      },
      onVariant: (row) => progress(`${row.variant}: dev ${row.result.metric} ${row.result.value.toFixed(4)}`),
    });
    progress(`\n${formatAblationTable(result)}\n`);
    return {
      task: result.task,
      metric: result.metric,
      rows: result.rows.map((row) => ({
        variant: row.variant,
        description: row.description,
        auxLm: row.auxLm,
        ...resultSummary(row.result),
      })),
    };
  } finally {
    ctx.destroy();
  }
}
