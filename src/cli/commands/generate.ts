// `generate --ckpt DIR --prompt TEXT [...]`: samples from a checkpoint, streaming text to stderr.
import { openGpu } from '../../gpu/device.ts';
import { nodeGpu } from '../../gpu/node-gpu.ts';
import { readHfFolder } from '../../model/hf-folder-node.ts';
import { tokenizerFromJSON } from '../../tokenizer/from-json.ts';
import { readCheckpoint } from '../../train/checkpoint.ts';
import { Generator } from '../../train/generator.ts';
import { type OptionSpecs, parseOptions } from '../args.ts';
import { installTuner, tuneOptions } from '../kernel-tuning.ts';

export const generateOptions = {
  ...tuneOptions,
  ckpt: { type: 'string', help: 'checkpoint folder written by pretrain --out', required: true },
  prompt: { type: 'string', help: 'text to continue', required: true },
  tokens: { type: 'number', help: 'new tokens (default 100)' },
  temperature: { type: 'number', help: 'sampling temperature, 0 = greedy (default 0.8)' },
  'top-k': { type: 'number', help: 'keep the k most likely tokens, 0 = all (default 40)' },
  seed: { type: 'number', help: 'sampling seed (default 0)' },
} satisfies OptionSpecs;

export async function generateCommand(args: string[]): Promise<unknown> {
  const o = parseOptions(args, generateOptions);
  const ckpt = readCheckpoint(await readHfFolder(o.ckpt!));
  const tokenizer = tokenizerFromJSON(ckpt.state.tokenizer);
  const prompt = tokenizer.encode(o.prompt!);
  const ctx = await openGpu(await nodeGpu(), { purpose: 'generation' });
  installTuner(ctx, o);
  const generator = await Generator.create(ctx, ckpt.config, { values: ckpt.params });
  try {
    const ids: number[] = [];
    process.stderr.write(o.prompt!);
    const options = {
      maxTokens: o.tokens ?? 100,
      temperature: o.temperature ?? 0.8,
      topK: o['top-k'] ?? 40,
      seed: o.seed ?? 0,
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
