// Parity with Hugging Face's OpenAIGPT* classes through the graphs training runs: the golden inputs of a fixture
// folder (the layout of ../shared/fixtures/hf-tiny: base/, double-heads/, reference.safetensors, reference.json)
// go through the pre-training step (buildTrainGraph: gptForward, chunked LM head loss, backward, AdamW) and the
// multiple-choice fine-tuning step (buildFinetuneGraph: body, double heads, L2 + λ·L1, backward, AdamW), set to the
// fixture's settings through their options (dropout off, its λ, its AdamW without clipping). Reports the error
// of every output: LM logits, hidden states, attentions, loss and every gradient; the multiple-choice logits,
// losses and gradients; the losses and parameters over 3 AdamW steps. Works for any config in that layout.
// Used by `npm run cli -- parity` and the fixture test.
import type { GpuContext } from '../gpu/device.ts';
import { type Gpt1Config, withoutDropout } from '../model/config.ts';
import { hfKeyToParam, importHfCheckpoint } from '../model/hf-format.ts';
import { shiftedTargets } from '../model/lm-targets.ts';
import { parseSafetensors, readFloat32, readTensor, type SafetensorsFile } from '../model/safetensors.ts';
import type { TaskBatch } from '../model/task-inputs.ts';
import { type ParamValues, uploadParams } from '../model/weights.ts';
import { attentionProbs } from '../ops/attention.ts';
import { prepareEmbeddingIndex } from '../ops/embedding.ts';
import { Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { buildFinetuneGraph, type TaskSpec } from './finetune-graph.ts';
import { writeTaskBatch } from './finetune-io.ts';
import { buildTrainGraph } from './lm-trainer.ts';

/**
 * Pass bound: max |ours - reference| / max |reference| per tensor. Both sides are float32; the reference
 * ran on a GPU (TF32 off) with its own summation orders. A few dozen roundings of 2^-24 ≈ 6e-8 along a
 * two-layer network's depth give errors of order 1e-6 of the tensor's scale; 1e-4 leaves room for deeper
 * configs and for AdamW, whose update m/(sqrt(v)+eps) amplifies gradient errors where v is tiny.
 */
export const PARITY_TOLERANCE = 1e-4;

/**
 * Absolute floor for tensors that are zero in exact arithmetic, such as the multiple-choice bias gradient
 * (Σ_k (p_k - y_k) = 0 over the choices): both sides then hold float32 noise of a few ε times the
 * cancelling terms (each at most 1), so their difference is below ~16 ε ≈ 1e-6 while maxRel is meaningless.
 */
export const PARITY_ABS_FLOOR = 1e-6;

/**
 * The fixture's optimizer: torch.optim.AdamW at lr 1e-3 with betas 0.9/0.999, eps 1e-8 and weight decay 0.01
 * on tensors of 2+ dims, no gradient clipping, 3 steps. Betas, eps and the decay mask are the training step's
 * own; the rest goes through its options.
 */
const FIXTURE_ADAMW = { lr: 1e-3, weightDecay: 0.01, maxGradNorm: 0, steps: 3 };

export interface ParityCheck {
  name: string;
  /** Largest |ours - reference|. */
  maxAbs: number;
  /** maxAbs / max|reference| (the tensor's scale). */
  maxRel: number;
  /** maxRel <= PARITY_TOLERANCE, or maxAbs <= PARITY_ABS_FLOOR. */
  pass: boolean;
}

export interface ParityReport {
  config: { vocabSize: number; nPositions: number; nEmbd: number; nLayer: number; nHead: number };
  checks: ParityCheck[];
  tolerance: number;
  pass: boolean;
}

export interface FixtureFiles {
  base: Map<string, Uint8Array>;
  doubleHeads: Map<string, Uint8Array>;
  reference: Uint8Array;
  referenceJson: string;
}

interface ReferenceJson {
  lm: { loss: number };
  /** mc_loss, lm_loss, and the total under a key that names its λ: `total_loss(mc + 0.5*lm)`. */
  mc: Record<string, number | string>;
  adamw3: { losses_before_each_step: number[] };
}

export function compareTensor(name: string, ours: ArrayLike<number>, reference: ArrayLike<number>): ParityCheck {
  if (ours.length !== reference.length) {
    throw new Error(`parity: ${name} has ${ours.length} values, the reference ${reference.length}`);
  }
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    const diff = Math.abs(ours[i]! - reference[i]!);
    maxAbs = Number.isNaN(diff) ? Number.NaN : Math.max(maxAbs, diff);
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  const maxRel = scale > 0 ? maxAbs / scale : maxAbs;
  return { name, maxAbs, maxRel, pass: maxRel <= PARITY_TOLERANCE || maxAbs <= PARITY_ABS_FLOOR };
}

const ints = (file: SafetensorsFile, name: string) => Uint32Array.from(readTensor(file, name) as ArrayLike<number>);

/** What both graphs' checks read: the device, the model, the golden tensors and values. */
interface Fixture {
  ctx: GpuContext;
  config: Gpt1Config;
  ref: SafetensorsFile;
  json: ReferenceJson;
}

export async function runParity(ctx: GpuContext, files: FixtureFiles): Promise<ParityReport> {
  const base = importHfCheckpoint(files.base);
  const doubleHeads = importHfCheckpoint(files.doubleHeads);
  const fixture: Fixture = {
    ctx,
    config: withoutDropout(base.config),
    ref: parseSafetensors(files.reference, { source: 'reference.safetensors' }),
    json: JSON.parse(files.referenceJson) as ReferenceJson,
  };
  const pretrain = await pretrainStepChecks(fixture, base.params as ParamValues);
  const finetune = await doubleHeadsChecks(fixture, doubleHeads.params as ParamValues);
  const checks = [...pretrain.firstStep, ...finetune, ...pretrain.adamw];
  const { vocabSize, nPositions, nEmbd, nLayer, nHead } = fixture.config;
  return {
    config: { vocabSize, nPositions, nEmbd, nLayer, nHead },
    checks,
    tolerance: PARITY_TOLERANCE,
    pass: checks.every((c) => c.pass),
  };
}

/**
 * The LM batch through the pre-training step's graph, run 3 times: the first step's forward and backward are
 * the fixture's single pass (logits, hidden states, attentions, loss, gradients); the loss before each step and
 * the parameters after the third are its AdamW run.
 */
async function pretrainStepChecks(
  { ctx, config, ref, json }: Fixture,
  initial: ParamValues,
): Promise<{ firstStep: ParityCheck[]; adamw: ParityCheck[] }> {
  const ids = ints(ref, 'lm.input_ids');
  const [B, T] = ref.tensors.get('lm.input_ids')!.shape as [number, number];
  // Several LM head chunks with a short last one: the chunked path GPT-1-sized vocabularies take.
  const chunkRows = Math.floor((B * T) / 3) + 1;
  const { weightDecay, maxGradNorm } = FIXTURE_ADAMW;
  const step = buildTrainGraph({ config, B, T, chunkRows, weightDecay, maxGradNorm }, { logits: true });
  const { g, model, targets, loss, optimizer } = step;
  const logits = step.logits!; // [B, T, V]
  // Read-only dispatches after the step's: they recompute probabilities from the forward's qkv, which backward
  // and AdamW leave as it was.
  const probs = model.qkv.map((qkv) =>
    Array.from({ length: B }, (_, b) => attentionProbs(g, qkv, { B, T, C: config.nEmbd, NH: config.nHead, b })),
  ); // per layer, per example: [NH, T, T]
  const grads = g.paramGrads();
  const keep = [
    logits,
    ...model.hidden,
    loss.mean,
    ...probs.flat(),
    ...grads.map((p) => p.grad),
    ...model.params.values(),
  ];
  const program = await Program.compile(ctx, g, { keep, label: 'parity-pretrain' });
  const firstStep: ParityCheck[] = [];
  const adamw: ParityCheck[] = [];
  try {
    uploadParams(program, model.params, initial);
    prepareEmbeddingIndex(program, model.embedding, ids);
    program.write(targets, shiftedTargets(ids, T));
    const losses: number[] = [];
    for (let t = 1; t <= FIXTURE_ADAMW.steps; t++) {
      program.write(optimizer.optState, optimizer.optStateFor(t, FIXTURE_ADAMW.lr));
      program.run();
      losses.push((await program.readF32(loss.mean))[0]!);
      if (t > 1) continue;
      firstStep.push(compareTensor('lm.logits', await program.readF32(logits), readFloat32(ref, 'lm.logits')));
      for (let i = 0; i < model.hidden.length; i++) {
        const name = `lm.hidden_states.${i}`;
        firstStep.push(compareTensor(name, await program.readF32(model.hidden[i]!), readFloat32(ref, name)));
      }
      for (let layer = 0; layer < probs.length; layer++) {
        const ours = new Float32Array(B * config.nHead * T * T);
        for (let b = 0; b < B; b++) ours.set(await program.readF32(probs[layer]![b]!), b * config.nHead * T * T);
        const name = `lm.attentions.${layer}`;
        firstStep.push(compareTensor(name, ours, readFloat32(ref, name)));
      }
      firstStep.push(compareTensor('lm.loss', [losses[0]!], [json.lm.loss]));
      firstStep.push(...gradChecks(ref, 'lm.grad.', await readGrads(program, grads)));
    }
    adamw.push(compareTensor('adamw3.losses_before_each_step', losses, json.adamw3.losses_before_each_step));
    for (const key of ref.tensors.keys()) {
      if (!key.startsWith('adamw3.')) continue;
      adamw.push(
        compareTensor(key, await program.readF32(model.params.get(paramOf(key, 'adamw3.'))!), readFloat32(ref, key)),
      );
    }
  } finally {
    program.destroy();
  }
  return { firstStep, adamw };
}

/**
 * The multiple-choice batch through the fine-tuning step's graph with the double heads, at the fixture's λ:
 * the head's logits, L2 (mc_loss), L1 (lm_loss), L2 + λ·L1, and every gradient of that total.
 */
async function doubleHeadsChecks({ ctx, config, ref, json }: Fixture, initial: ParamValues): Promise<ParityCheck[]> {
  const [B, K, T] = ref.tensors.get('mc.input_ids')!.shape as [number, number, number];
  const { key: totalKey, lambda } = fixtureLambda(json.mc);
  const task: TaskSpec = { family: 'multiple-choice', regression: false, numLabels: K };
  const graph = buildFinetuneGraph({ config, task, B, T, train: true, auxLm: lambda, classifierDropout: 0 });
  const taskLoss = graph.taskLoss!; // [1]
  const lm = graph.lm!;
  const optimizer = graph.optimizer!;
  const grads = graph.g.paramGrads();
  const program = await Program.compile(ctx, graph.g, {
    keep: [graph.head, taskLoss, lm.mean, ...grads.map((p) => p.grad)],
    label: 'parity-finetune',
  });
  const checks: ParityCheck[] = [];
  try {
    uploadParams(program, graph.model.params, initial);
    writeTaskBatch(program, graph, fixtureBatch(ref, B, K, T));
    // The fixture has no optimizer step for the double heads: learning rate 0 leaves the weights as they were.
    program.write(optimizer.optState, optimizer.optStateFor(1, 0));
    program.run();
    checks.push(compareTensor('mc.mc_logits', await program.readF32(graph.head), readFloat32(ref, 'mc.mc_logits')));
    const mcLoss = (await program.readF32(taskLoss))[0]!;
    const lmLoss = (await program.readF32(lm.mean))[0]!;
    checks.push(compareTensor('mc.mc_loss', [mcLoss], [json.mc.mc_loss as number]));
    checks.push(compareTensor('mc.lm_loss', [lmLoss], [json.mc.lm_loss as number]));
    // L3 as the fine-tuning trainer reports it.
    checks.push(compareTensor('mc.total_loss', [mcLoss + lambda * lmLoss], [json.mc[totalKey] as number]));
    checks.push(...gradChecks(ref, 'mc.grad.', await readGrads(program, grads)));
  } finally {
    program.destroy();
  }
  return checks;
}

/** λ of the fixture's L2 + λ·L1, named by its reference.json key `total_loss(mc + λ*lm)`. */
function fixtureLambda(mc: ReferenceJson['mc']): { key: string; lambda: number } {
  for (const key of Object.keys(mc)) {
    const match = /^total_loss\(mc \+ ([0-9.]+)\*lm\)$/.exec(key);
    if (match) return { key, lambda: Number(match[1]) };
  }
  throw new Error('parity: reference.json has no mc "total_loss(mc + λ*lm)"');
}

/**
 * The fixture's multiple-choice inputs as the packed batch fine-tuning writes. Hugging Face reads the extract
 * token at mc_token_ids wherever it is and its lm_loss covers every position, so every position counts as a
 * real token and predicts the next one.
 */
function fixtureBatch(ref: SafetensorsFile, B: number, K: number, T: number): TaskBatch {
  const S = B * K;
  const ids = ints(ref, 'mc.input_ids'); // [S*T]
  return {
    family: 'multiple-choice',
    B,
    examples: B,
    K,
    S,
    T,
    ids,
    lengths: new Uint32Array(S).fill(T),
    extract: Uint32Array.from(ints(ref, 'mc.mc_token_ids'), (pos, s) => s * T + pos),
    lmTargets: shiftedTargets(ids, T),
    labels: ints(ref, 'mc.mc_labels'),
    exampleIndices: Uint32Array.from({ length: B }, (_, b) => b),
  };
}

/** One check per gradient the fixture holds under `prefix` (`lm.grad.` or `mc.grad.` + a Hugging Face key). */
function gradChecks(ref: SafetensorsFile, prefix: string, grads: Map<string, Float32Array>): ParityCheck[] {
  return [...ref.tensors.keys()]
    .filter((key) => key.startsWith(prefix))
    .map((key) => compareTensor(key, grads.get(paramOf(key, prefix))!, readFloat32(ref, key)));
}

/** Our parameter name for a fixture key: `prefix` + a Hugging Face key. */
function paramOf(key: string, prefix: string): string {
  const param = hfKeyToParam(key.slice(prefix.length));
  if (!param) throw new Error(`parity: ${key} names no parameter`);
  return param;
}

async function readGrads(
  program: Program,
  grads: { param: Tensor; grad: Tensor }[],
): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const { param, grad } of grads) out.set(param.name, await program.readF32(grad));
  return out;
}
