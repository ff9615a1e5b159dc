// `pretrain --corpus FILE --preset tiny|small|gpt1 [...]`: pre-trains on a text file, evaluates on its
// held-out tail, optionally writes a checkpoint folder (also a Hugging Face openai-gpt folder). Defaults and
// bounds are the pre-training schema's (src/train/settings), the same as the app's.

import { readFileSync } from 'node:fs';
import { readCorpus } from '../../data/corpus.ts';
import { splitTrainVal } from '../../data/lm-batches.ts';
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { PRESETS, type PresetName, validateConfig } from '../../model/config.ts';
import { writeHfFolder } from '../../model/hf-folder-node.ts';
import { initParams } from '../../model/weights.ts';
import { writeCheckpoint } from '../../train/checkpoint.ts';
import { LmTrainer, planTraining, type StepResult } from '../../train/lm-trainer.ts';
import { pretrainSchedule } from '../../train/schedule.ts';
import {
  DEFAULT_SEED,
  PRETRAIN_DEFAULTS,
  PRETRAIN_FIELDS,
  pretrainSettingsProblem,
} from '../../train/settings/pretrain-settings.ts';
import { StepDriver } from '../../train/step-driver.ts';
import { fieldOption, type OptionSpecs, parseOptions, UsageError } from '../args.ts';
import { installTuner, tuneOptions } from '../kernel-tuning.ts';
import { progress } from '../progress.ts';
import { tokenizerFromOption } from '../tokenizer-option.ts';

const { tiny } = PRETRAIN_DEFAULTS;
export const pretrainOptions = {
  ...tuneOptions,
  corpus: { type: 'string', help: 'UTF-8 text file to pretrain on', required: true },
  preset: { type: 'string', help: 'tiny | small | gpt1 (default tiny)' },
  tokenizer: { type: 'string', help: 'char | bpe:N | gpt1:DIR (default char)' },
  steps: fieldOption(PRETRAIN_FIELDS.steps, `the preset's, tiny ${tiny.steps}`),
  batch: fieldOption(PRETRAIN_FIELDS.B, `the preset's, tiny ${tiny.B}`),
  context: fieldOption(PRETRAIN_FIELDS.T, "the preset's positions"),
  lr: fieldOption(PRETRAIN_FIELDS.lr, `the preset's, tiny ${tiny.lr}`),
  seed: fieldOption(PRETRAIN_FIELDS.seed, String(DEFAULT_SEED)),
  'eval-every': fieldOption(PRETRAIN_FIELDS.evalEvery, `the preset's, tiny ${tiny.evalEvery}`),
  out: { type: 'string', help: 'write a checkpoint folder here' },
} satisfies OptionSpecs;

function parsePreset(name: string | undefined): PresetName {
  const preset = name ?? 'tiny';
  if (!(preset in PRESETS)) throw new UsageError(`--preset must be tiny, small or gpt1, not "${name}"`);
  return preset as PresetName;
}

export async function pretrainCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, pretrainOptions);
  const presetName = parsePreset(o.preset);
  const preset = PRESETS[presetName];
  const defaults = PRETRAIN_DEFAULTS[presetName];
  const corpus = readCorpus(o.corpus!, readFileSync(o.corpus!));
  progress(`corpus ${corpus.name}: ${corpus.chars} characters, ${corpus.lines} lines`);
  const tokenizer = await tokenizerFromOption(o.tokenizer ?? 'char', corpus.text);
  const T = o.context ?? preset.nPositions;
  const config = validateConfig({
    ...preset,
    vocabSize: tokenizer.vocabSize,
    nPositions: Math.max(T, preset.nPositions),
  });
  const settings = {
    preset: presetName,
    config,
    B: o.batch ?? defaults.B,
    T,
    steps: o.steps ?? defaults.steps,
    lr: o.lr ?? defaults.lr,
    seed: o.seed ?? DEFAULT_SEED,
    evalEvery: o['eval-every'] ?? defaults.evalEvery,
    sampleEvery: 0,
    samplePrompt: '',
  };
  const problem = pretrainSettingsProblem(settings, tokenizer.vocabSize);
  if (problem) throw new UsageError(problem.message);
  const { steps, evalEvery } = settings;
  const ids = Uint32Array.from(tokenizer.encode(corpus.text));
  const options = { config, B: settings.B, T, seed: settings.seed, schedule: pretrainSchedule(settings.lr, steps) };
  const split = splitTrainVal(ids, T);
  progress(
    `tokenizer ${tokenizer.kind}: ${tokenizer.vocabSize} tokens; ${ids.length} tokens (${split.train.length} train, ${split.val.length} validation)`,
  );
  const { plan, needs } = planTraining(options);
  progress(
    `model ${presetName}: ${config.nLayer} x ${config.nEmbd}, batch ${options.B} x ${T}; GPU plan ${(plan.totalBytes / 2 ** 20).toFixed(1)} MiB`,
  );
  const ctx = await openGpu(await nodeGpu(), { needs, purpose: `pretraining ${presetName}` });
  installTuner(ctx, o);
  const trainer = await LmTrainer.create(ctx, options, split, initParams(config, settings.seed));
  try {
    const initialValLoss = await trainer.evaluate();
    progress(`step 0: val loss ${initialValLoss.toFixed(4)}`);
    const start = performance.now();
    let last: StepResult | undefined;
    let finalValLoss = Number.NaN;
    const driver = new StepDriver(trainer, {
      totalSteps: steps,
      point: (r: StepResult) => r,
      report: (points) => {
        for (const r of points) {
          if (r.step % 10 !== 0 && r.step !== steps) continue;
          const seconds = (performance.now() - start) / 1000;
          progress(
            `step ${r.step}: loss ${r.loss.toFixed(4)}, grad norm ${r.gradNorm.toFixed(3)}, lr ${r.lr.toExponential(2)}, ${(r.tokens / seconds).toFixed(0)} tokens/s`,
          );
        }
        last = points.at(-1) ?? last;
      },
      work: [
        {
          // Validation every N steps and always at the end.
          due: (step, end) => end || (evalEvery > 0 && step % evalEvery === 0),
          run: async (step) => {
            const valLoss = await trainer.evaluate();
            if (step === steps) finalValLoss = valLoss;
            progress(`step ${step}: val loss ${valLoss.toFixed(4)}`);
          },
        },
      ],
    });
    await driver.run();
    const seconds = (performance.now() - start) / 1000;
    if (o.out) {
      const ckpt = await trainer.checkpoint(tokenizer.toJSON(), { corpus: corpus.name, finalValLoss, initialValLoss });
      await writeHfFolder(o.out, writeCheckpoint(ckpt));
      progress(`checkpoint written to ${o.out}`);
    }
    return {
      steps,
      tokens: last?.tokens ?? 0,
      initialValLoss,
      finalValLoss,
      finalTrainLoss: last?.loss ?? Number.NaN,
      tokensPerSecond: (last?.tokens ?? 0) / seconds,
      plannedBytes: plan.totalBytes,
      adapter: ctx.adapter.name,
    };
  } finally {
    trainer.destroy();
    ctx.destroy();
  }
}
