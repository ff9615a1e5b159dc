// `generate --ckpt DIR --prompt TEXT [...]`: samples from a checkpoint, streaming text to stderr. Sampling's
// defaults and bounds are the generation schema's (src/train/settings), the same as the app's.
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { tokenizerFromJSON } from '../../tokenizer/from-json.ts';
import { readCheckpoint } from '../../train/checkpoint.ts';
import { Generator } from '../../train/generator.ts';
import { GENERATE_DEFAULTS, GENERATE_FIELDS } from '../../train/settings/generate-settings.ts';
import { fieldOption, type OptionSpecs, parseOptions } from '../args.ts';
import { inFolder, loadCheckpointFolder } from '../checkpoint-folders.ts';
import { installTuner, tuneOptions } from '../kernel-tuning.ts';

export const generateOptions = {
  ...tuneOptions,
  ckpt: {
    type: 'string',
    help: 'a run folder written by pretrain --out (its latest checkpoint), or one checkpoint folder',
    required: true,
  },
  prompt: { type: 'string', help: 'text to continue', required: true },
  tokens: fieldOption(GENERATE_FIELDS.maxTokens, String(GENERATE_DEFAULTS.maxTokens)),
  temperature: fieldOption(GENERATE_FIELDS.temperature, String(GENERATE_DEFAULTS.temperature)),
  'top-k': fieldOption(GENERATE_FIELDS.topK, String(GENERATE_DEFAULTS.topK)),
  seed: fieldOption(GENERATE_FIELDS.seed, String(GENERATE_DEFAULTS.seed)),
} satisfies OptionSpecs;

export async function generateCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, generateOptions);
  const { path, files } = await loadCheckpointFolder(o.ckpt!);
  const ckpt = await inFolder(path, () => readCheckpoint(files));
  const tokenizer = tokenizerFromJSON(ckpt.state.tokenizer);
  const prompt = tokenizer.encode(o.prompt!);
  const ctx = await openGpu(await nodeGpu(), { purpose: 'generation' });
  installTuner(ctx, o);
  const generator = await Generator.create(ctx, ckpt.config, { values: ckpt.params });
  try {
    const ids: number[] = [];
    process.stderr.write(o.prompt!);
    const options = {
      maxTokens: o.tokens ?? GENERATE_DEFAULTS.maxTokens,
      temperature: o.temperature ?? GENERATE_DEFAULTS.temperature,
      topK: o['top-k'] ?? GENERATE_DEFAULTS.topK,
      seed: o.seed ?? GENERATE_DEFAULTS.seed,
    };
    for await (const id of generator.generate(prompt, options)) {
      ids.push(id);
      process.stderr.write(tokenizer.decode([id]));
    }
    process.stderr.write('\n');
    return { prompt: o.prompt, text: tokenizer.decode(ids), ids, ...options };
  } finally {
    generator.destroy();
    ctx.destroy();
  }
}
