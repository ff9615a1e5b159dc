// `finetune --task F --train FILE --dev FILE [--init DIR | --scratch ...]`: fine-tunes on a labelled task
// file (format detected from the file), evaluates on the dev file, optionally writes the fine-tuned
// checkpoint. The last stdout line is {"task","metric","value","accuracy","rows","truncated","steps",...}.
import { join } from 'node:path';
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { PRESETS, type PresetName } from '../../model/config.ts';
import { writeHfFolder } from '../../model/hf-folder-node.ts';
import { writeCheckpoint } from '../../train/checkpoint.ts';
import { datasetText, type FinetuneInit, prepareFinetune } from '../../train/finetune-prepare.ts';
import { type FinetuneTrainer, planFinetune } from '../../train/finetune-trainer.ts';
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
import { tokenizerFromOption } from '../tokenizer-option.ts';

export const finetuneOptions = {
  ...finetuneRunOptions,
  init: { type: 'string', help: 'start from this checkpoint folder (ours, or a Hugging Face openai-gpt folder)' },
  scratch: { type: 'boolean', help: 'start from random weights (no pre-training)' },
  preset: { type: 'string', help: 'with --scratch: tiny | small | gpt1 (default tiny)' },
  out: { type: 'string', help: 'write the fine-tuned checkpoint folder here' },
} satisfies OptionSpecs;

export async function finetuneCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, finetuneOptions);
  if (Boolean(o.init) === Boolean(o.scratch)) throw new UsageError('give exactly one of --init DIR and --scratch');
  if (o.scratch && o['transfer-layers'] !== undefined) throw new UsageError('--transfer-layers needs --init');
  if (o.init && o.preset) throw new UsageError("--preset is for --scratch; --init uses the checkpoint's model");
  const settings = finetuneSettingsOf(o);
  let init: FinetuneInit;
  if (o.init) {
    const model = await loadPretrained(o.init, o.tokenizer);
    init = { kind: 'pretrained', model, transferLayers: o['transfer-layers'] };
    progress(`init ${o.init}: ${model.config.nLayer} x ${model.config.nEmbd}, vocabulary ${model.config.vocabSize}`);
  } else {
    const presetName = (o.preset ?? 'tiny') as PresetName;
    const preset = PRESETS[presetName];
    if (!preset) throw new UsageError(`--preset must be tiny, small or gpt1, not "${o.preset}"`);
    const tokenizer = await tokenizerFromOption(o.tokenizer ?? 'char', datasetText(settings.train));
    init = { kind: 'scratch', config: preset, tokenizer };
    progress(`scratch ${presetName}: ${preset.nLayer} x ${preset.nEmbd}, tokenizer ${tokenizer.kind}`);
  }
  const prepared = prepareFinetune({ ...settings, init });
  for (const warning of prepared.warnings) progress(`warning: ${warning}`);
  const { plan, needs } = planFinetune(prepared.trainer);
  const { B, T, config } = prepared.trainer;
  progress(
    `${prepared.initDescription}: batch ${B} x ${T} tokens, ${prepared.totalSteps} steps, vocabulary ${config.vocabSize}, ` +
      `GPU plan ${(plan.totalBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  const ctx = await openGpu(await nodeGpu(), { needs, purpose: `fine-tuning (${settings.family})` });
  installTuner(ctx, o);
  const out = o.out;
  const writeOut = out
    ? async (trainer: FinetuneTrainer) => {
        const ckpt = await trainer.checkpoint(prepared.tokenizer.toJSON(), { train: settings.train.fileName });
        await writeHfFolder(out, writeCheckpoint(ckpt));
        progress(`checkpoint written to ${join(out)}`);
      }
    : undefined;
  try {
    const outcome = await runWithProgress(ctx, prepared, '', writeOut);
    const { metric, value, accuracy } = outcome.summary;
    const also = accuracy === null || metric === 'accuracy' ? '' : `, accuracy ${accuracy.toFixed(4)}`;
    progress(`dev ${metric} ${value.toFixed(4)}${also}`);
    return finetuneResult(prepared, outcome);
  } finally {
    ctx.destroy();
  }
}
