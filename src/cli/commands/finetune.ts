// `finetune --task F --train FILE --dev FILE [--init DIR | --scratch ...]`: fine-tunes on a labelled task
// file (format detected from the file), evaluates on the dev file, and with `--out DIR` saves checkpoints as
// DIR/checkpoint-<step> (at the end, and every N steps with --save-every). `--resume DIR` continues a
// fine-tuning run from its latest checkpoint, bit for bit. The last stdout line is
// {"task","metric","value","accuracy","rows","truncated","steps",...}.
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { PRESETS, type PresetName } from '../../model/config.ts';
import { type Checkpoint, readCheckpoint, writeCheckpoint } from '../../train/checkpoint.ts';
import {
  datasetText,
  type FinetuneInit,
  type FinetuneOptions,
  type PreparedFinetune,
  prepareFinetune,
} from '../../train/finetune-prepare.ts';
import { ResumeMismatchError, resumedFinetune } from '../../train/finetune-resume.ts';
import { planFinetune } from '../../train/finetune-trainer.ts';
import { fieldOption, type OptionSpecs, type ParsedOptions, parseOptions, UsageError } from '../args.ts';
import {
  CheckpointWriter,
  inFolder,
  loadCheckpointFolder,
  prepareOutDir,
  runFolderOf,
  SAVE_EVERY_FIELD,
} from '../checkpoint-folders.ts';
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
  out: { type: 'string', help: 'run folder: each checkpoint is written as a sub-folder checkpoint-<step>' },
  'save-every': fieldOption(SAVE_EVERY_FIELD, 'only at the end'),
  resume: { type: 'string', help: 'continue a fine-tuning run: its folder or one checkpoint-<step> folder' },
} satisfies OptionSpecs;

type FinetuneArgs = ParsedOptions<typeof finetuneOptions>;

/** What a resumed run takes from its checkpoint, and so may not be given again. */
const FIXED_BY_CHECKPOINT = [
  'init',
  'scratch',
  'preset',
  'tokenizer',
  'transfer-layers',
  'aux-lm',
  'epochs',
  'batch',
  'lr',
  'min-lr',
  'dropout',
  'weight-decay',
  'warmup',
  'clip',
  'seed',
  'context',
  'max-steps',
] as const;

async function startingPoint(o: FinetuneArgs, settings: Omit<FinetuneOptions, 'init'>): Promise<FinetuneInit> {
  if (Boolean(o.init) === Boolean(o.scratch)) throw new UsageError('give exactly one of --init DIR and --scratch');
  if (o.scratch && o['transfer-layers'] !== undefined) throw new UsageError('--transfer-layers needs --init');
  if (o.init && o.preset) throw new UsageError("--preset is for --scratch; --init uses the checkpoint's model");
  if (o.init) {
    const model = await loadPretrained(o.init, o.tokenizer);
    progress(`init ${o.init}: ${model.config.nLayer} x ${model.config.nEmbd}, vocabulary ${model.config.vocabSize}`);
    return { kind: 'pretrained', model, transferLayers: o['transfer-layers'] };
  }
  const presetName = (o.preset ?? 'tiny') as PresetName;
  const preset = PRESETS[presetName];
  if (!preset) throw new UsageError(`--preset must be tiny, small or gpt1, not "${o.preset}"`);
  const tokenizer = await tokenizerFromOption(o.tokenizer ?? 'char', datasetText(settings.train));
  progress(`scratch ${presetName}: ${preset.nLayer} x ${preset.nEmbd}, tokenizer ${tokenizer.kind}`);
  return { kind: 'scratch', config: preset, tokenizer };
}

/** A resumed run takes its settings from its checkpoint, which must be a fine-tuning one of this task. */
function checkResumable(o: FinetuneArgs, path: string, ckpt: Checkpoint): void {
  const given = FIXED_BY_CHECKPOINT.filter((key) => o[key] !== undefined);
  if (given.length) {
    const list = given.map((key) => `--${key}`).join(', ');
    throw new UsageError(`${list}: a resumed run continues with its checkpoint's settings; drop them`);
  }
  const { state } = ckpt;
  if (state.kind !== 'finetune') {
    throw new UsageError(
      `${path} is a pre-training checkpoint: fine-tune from it with --init, or resume it with pretrain`,
    );
  }
  if (state.notes.family !== o.task) {
    throw new UsageError(`${path} fine-tuned ${state.notes.family}, not ${o.task}: give --task ${state.notes.family}`);
  }
}

/** The run a fine-tuning checkpoint belongs to, prepared again from the task files and its saved settings. */
function resumedRun(path: string, ckpt: Checkpoint, settings: Omit<FinetuneOptions, 'init'>) {
  try {
    return resumedFinetune(path, ckpt, settings);
  } catch (error) {
    throw error instanceof ResumeMismatchError ? new UsageError(error.message) : error;
  }
}

export async function finetuneCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, finetuneOptions);
  const saveEvery = o['save-every'] ?? 0;
  if (saveEvery && !o.out && !o.resume) throw new UsageError('--save-every needs --out DIR (where the checkpoints go)');
  const from = o.resume ? await loadCheckpointFolder(o.resume) : undefined;
  const out = o.out ?? (from ? runFolderOf(from.path) : undefined);
  if (out) await prepareOutDir(out, from !== undefined && out === runFolderOf(from.path));
  const resume = from ? await inFolder(from.path, () => readCheckpoint(from.files)) : undefined;
  if (from && resume) checkResumable(o, from.path, resume);
  const settings = finetuneSettingsOf(o);
  let prepared: PreparedFinetune;
  if (from && resume) {
    prepared = resumedRun(from.path, resume, settings);
    progress(`resuming ${from.path} at step ${resume.state.step} of ${prepared.totalSteps}`);
  } else {
    prepared = prepareFinetune({ ...settings, init: await startingPoint(o, settings) });
  }
  for (const warning of prepared.warnings) progress(`warning: ${warning}`);
  const { plan, needs } = planFinetune(prepared.trainer);
  const { B, T, config } = prepared.trainer;
  progress(
    `${prepared.initDescription}: batch ${B} x ${T} tokens, ${prepared.totalSteps} steps, vocabulary ${config.vocabSize}, ` +
      `GPU plan ${(plan.totalBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  const ctx = await openGpu(await nodeGpu(), { needs, purpose: `fine-tuning (${settings.family})` });
  installTuner(ctx, o);
  const checkpoints = await CheckpointWriter.open(out);
  const notes = { train: settings.train.fileName };
  try {
    const outcome = await runWithProgress(ctx, prepared, '', {
      resume,
      work: (trainer) => [
        {
          due: (step, end) => end || (saveEvery > 0 && step % saveEvery === 0),
          run: (step) =>
            checkpoints.save(step, async () =>
              writeCheckpoint(await trainer.checkpoint(prepared.tokenizer.toJSON(), notes, prepared.classNames)),
            ),
        },
      ],
    }).catch((error: unknown) => {
      throw checkpoints.failure(error);
    });
    const { metric, value, accuracy } = outcome.summary;
    const also = accuracy === null || metric === 'accuracy' ? '' : `, accuracy ${accuracy.toFixed(4)}`;
    progress(`dev ${metric} ${value.toFixed(4)}${also}`);
    return { ...finetuneResult(prepared, outcome), ...(out ? { out } : {}) };
  } finally {
    ctx.destroy();
  }
}
