// After a benchmark run: the trained weights as a Hugging Face openai-gpt folder, with our logits for a fixed
// batch beside them, so that bench/native/hf_logits_check.py can load the folder with transformers'
// OpenAIGPTLMHeadModel.from_pretrained and compare its logits with ours on the same machine. Node only.
// The logits come from a forward-only program (no dropout) that reads the training program's parameters.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GpuContext } from '../src/gpu/device.ts';
import { finalHidden, gptForward } from '../src/model/gpt.ts';
import { exportHfCheckpoint } from '../src/model/hf-format.ts';
import { prepareEmbeddingIndex } from '../src/ops/embedding.ts';
import { matmul } from '../src/ops/matmul.ts';
import { Graph } from '../src/runtime/graph.ts';
import { Program } from '../src/runtime/program.ts';
import type { LmTrainer } from '../src/train/lm-trainer.ts';
import { randomU32 } from './random-data.ts';

/** What the check reads: written as gpt1-lab-logits.json next to config.json. */
export interface LogitsReference {
  B: number;
  T: number;
  V: number;
  /** [B][T] token ids. */
  ids: number[][];
  /** Raw little-endian float32 logits [B, T, V], in the folder. */
  logitsFile: string;
  adapter: string;
  step: number;
}

export const REFERENCE_FILE = 'gpt1-lab-logits.json';
const LOGITS_FILE = 'gpt1-lab-logits.f32';

/** Our logits [B, T, V] for ids [B, T] with the trainer's current weights (a sync point). */
async function logitsFor(ctx: GpuContext, trainer: LmTrainer, ids: Uint32Array<ArrayBuffer>, B: number, T: number) {
  const { config } = trainer.options;
  const g = new Graph();
  const model = gptForward(g, config, { B, T, train: false, params: trainer.model.params });
  const logits = matmul(g, finalHidden(model), model.params.get('wte')!, { transB: true, name: 'logits' }); // [B, T, V]
  // No tuning: the tuner would time these new shapes, and every variant gives the same bits anyway.
  const program = await Program.compile(ctx, g, { keep: [logits], shareWith: trainer.program, tune: false });
  try {
    prepareEmbeddingIndex(program, model.embedding, ids);
    program.run();
    return await program.readF32(logits);
  } finally {
    program.destroy();
  }
}

/** Writes the HF folder and the logits reference into `dir`; returns what it wrote. */
export async function exportWithLogits(
  ctx: GpuContext,
  trainer: LmTrainer,
  dir: string,
  { B = 2, T = 64, seed = 2024 } = {},
): Promise<{ dir: string; files: string[]; reference: LogitsReference }> {
  const { config } = trainer.options;
  const ids = randomU32(B * T, config.vocabSize, seed);
  const logits = await logitsFor(ctx, trainer, ids, B, T);
  const hf = exportHfCheckpoint(config, await trainer.params());
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of hf.files) await writeFile(join(dir, name), bytes);
  await writeFile(join(dir, LOGITS_FILE), new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength));
  const reference: LogitsReference = {
    B,
    T,
    V: config.vocabSize,
    ids: Array.from({ length: B }, (_, b) => Array.from(ids.subarray(b * T, (b + 1) * T))),
    logitsFile: LOGITS_FILE,
    adapter: ctx.adapter.name,
    step: trainer.step,
  };
  await writeFile(join(dir, REFERENCE_FILE), `${JSON.stringify(reference)}\n`);
  return { dir, files: [...hf.files.keys(), LOGITS_FILE, REFERENCE_FILE], reference };
}
