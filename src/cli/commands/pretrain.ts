// `pretrain --corpus FILE --preset tiny|small|gpt1 [...]`: pre-trains on a text file, evaluates on its
// held-out tail, optionally writes a checkpoint folder (also a Hugging Face openai-gpt folder).

import { readFileSync } from 'node:fs';
import { readCorpus } from '../../data/corpus.ts';
import { splitTrainVal } from '../../data/lm-batches.ts';
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { PRESETS, type PresetName, validateConfig } from '../../model/config.ts';
import { writeHfFolder } from '../../model/hf-folder-node.ts';
import { initParams } from '../../model/weights.ts';
import { writeCheckpoint } from '../../train/checkpoint.ts';
import { LmTrainer, planTraining } from '../../train/lm-trainer.ts';
import { pretrainSchedule } from '../../train/schedule.ts';
import { type OptionSpecs, parseOptions, UsageError } from '../args.ts';
import { installTuner, tuneOptions } from '../kernel-tuning.ts';
import { progress } from '../progress.ts';
import { tokenizerFromOption } from '../tokenizer-option.ts';

export const pretrainOptions = {
  ...tuneOptions,
  corpus: { type: 'string', help: 'UTF-8 text file to pretrain on', required: true },
  preset: { type: 'string', help: 'tiny | small | gpt1 (default tiny)' },
  tokenizer: { type: 'string', help: 'char | bpe:N | gpt1:DIR (default char)' },
  steps: { type: 'number', help: 'optimizer steps (default 200)' },
  batch: { type: 'number', help: 'sequences per step (default 8)' },
  context: { type: 'number', help: "tokens per sequence (default: the preset's context)" },
  lr: { type: 'number', help: 'peak learning rate (default 2.5e-4 for gpt1, 1e-3 otherwise)' },
  seed: { type: 'number', help: 'run seed (default 0)' },
  'eval-every': { type: 'number', help: 'validation every N steps (default: start and end only)' },
  out: { type: 'string', help: 'write a checkpoint folder here' },
} satisfies OptionSpecs;

export async function pretrainCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, pretrainOptions);
  const presetName = (o.preset ?? 'tiny') as PresetName;
  const preset = PRESETS[presetName];
  if (!preset) throw new UsageError(`--preset must be tiny, small or gpt1, not "${o.preset}"`);
  const corpus = readCorpus(o.corpus!, readFileSync(o.corpus!));
  progress(`corpus ${corpus.name}: ${corpus.chars} characters, ${corpus.lines} lines`);
  const tokenizer = await tokenizerFromOption(o.tokenizer ?? 'char', corpus.text);
  const ids = Uint32Array.from(tokenizer.encode(corpus.text));
  const T = o.context ?? preset.nPositions;
  const config = validateConfig({
    ...preset,
    vocabSize: tokenizer.vocabSize,
    nPositions: Math.max(T, preset.nPositions),
  });
  const steps = o.steps ?? 200;
  const seed = o.seed ?? 0;
  const options = {
    config,
    B: o.batch ?? 8,
    T,
    seed,
    schedule: pretrainSchedule(o.lr ?? (presetName === 'gpt1' ? 2.5e-4 : 1e-3), steps),
  };
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
  const trainer = await LmTrainer.create(ctx, options, split, initParams(config, seed));
  try {
    const initialValLoss = await trainer.evaluate();
    progress(`step 0: val loss ${initialValLoss.toFixed(4)}`);
    const start = performance.now();
    let last = { loss: Number.NaN, tokens: 0 };
    const pending: Promise<unknown>[] = [];
    for (let step = 1; step <= steps; step++) {
      const { result } = await trainer.submitStep();
      pending.push(
        result.then((r) => {
          last = r;
          if (r.step % 10 === 0 || r.step === steps) {
            const seconds = (performance.now() - start) / 1000;
            progress(
              `step ${r.step}: loss ${r.loss.toFixed(4)}, grad norm ${r.gradNorm.toFixed(3)}, lr ${r.lr.toExponential(2)}, ${(r.tokens / seconds).toFixed(0)} tokens/s`,
            );
          }
        }),
      );
      if (o['eval-every'] && step % o['eval-every'] === 0 && step < steps) {
        await Promise.all(pending);
        progress(`step ${step}: val loss ${(await trainer.evaluate()).toFixed(4)}`);
      }
    }
    await Promise.all(pending);
    const seconds = (performance.now() - start) / 1000;
    const finalValLoss = await trainer.evaluate();
    progress(`step ${steps}: val loss ${finalValLoss.toFixed(4)}`);
    if (o.out) {
      const ckpt = await trainer.checkpoint(tokenizer.toJSON(), { corpus: corpus.name, finalValLoss, initialValLoss });
      await writeHfFolder(o.out, writeCheckpoint(ckpt));
      progress(`checkpoint written to ${o.out}`);
    }
    return {
      steps,
      tokens: last.tokens,
      initialValLoss,
      finalValLoss,
      finalTrainLoss: last.loss,
      tokensPerSecond: last.tokens / seconds,
      plannedBytes: plan.totalBytes,
      adapter: ctx.adapter.name,
    };
  } finally {
    trainer.destroy();
    ctx.destroy();
  }
}
