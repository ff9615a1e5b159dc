// Parity with Hugging Face's OpenAIGPT* classes: runs the golden inputs of a fixture folder (the layout of
// ../shared/fixtures/hf-tiny: base/, double-heads/, reference.safetensors, reference.json) through our
// engine and reports the error of every output: LM logits, hidden states, attentions, loss and every
// gradient; the double-heads multiple-choice logits, loss and gradients; parameters after 3 AdamW steps.
// Works for any config in that layout. Used by `npm run cli -- parity` and the fixture tests.
import type { GpuContext } from '../gpu/device.ts';
import { adamw } from '../ops/adamw.ts';
import { attentionProbs } from '../ops/attention.ts';
import { crossEntropy } from '../ops/crossentropy.ts';
import { setDropoutSeed } from '../ops/dropout.ts';
import { prepareEmbeddingIndex } from '../ops/embedding.ts';
import { seedConstant } from '../ops/fill.ts';
import { gatherRows, reshape, setGatherIndex } from '../ops/gather.ts';
import { matmul } from '../ops/matmul.ts';
import { Graph } from '../runtime/graph.ts';
import { Program } from '../runtime/program.ts';
import type { Tensor } from '../runtime/tensor.ts';
import { withoutDropout } from './config.ts';
import { finalHidden, gptForward } from './gpt.ts';
import { hfKeyToParam, importHfCheckpoint } from './hf-format.ts';
import { lmHeadLoss } from './lm-head.ts';
import { shiftedTargets } from './lm-targets.ts';
import { parseSafetensors, readFloat32, readTensor, type SafetensorsFile } from './safetensors.ts';
import { uploadParams } from './weights.ts';

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
  mc: { mc_loss: number; lm_loss: number; 'total_loss(mc + 0.5*lm)': number };
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

export async function runParity(ctx: GpuContext, files: FixtureFiles): Promise<ParityReport> {
  const base = importHfCheckpoint(files.base);
  const doubleHeads = importHfCheckpoint(files.doubleHeads);
  const config = withoutDropout(base.config);
  const ref = parseSafetensors(files.reference, { source: 'reference.safetensors' });
  const json = JSON.parse(files.referenceJson) as ReferenceJson;
  const refF32 = (name: string) => readFloat32(ref, name);
  const checks: ParityCheck[] = [];
  const scalar = (name: string, ours: number, reference: number) =>
    checks.push(compareTensor(name, [ours], [reference]));
  const gradChecks = (prefix: string, grads: Map<string, Float32Array>) => {
    for (const key of ref.tensors.keys()) {
      if (!key.startsWith(prefix)) continue;
      const param = hfKeyToParam(key.slice(prefix.length));
      if (!param) throw new Error(`parity: ${key} names no parameter`);
      checks.push(compareTensor(key, grads.get(param)!, refF32(key)));
    }
  };

  // --- LM head model: logits, hidden states, attentions, loss, gradients ---
  const lmIds = ints(ref, 'lm.input_ids');
  const [B, T] = ref.tensors.get('lm.input_ids')!.shape as [number, number];
  {
    const g = new Graph();
    const model = gptForward(g, config, { B, T, train: false });
    const h = finalHidden(model);
    const wte = model.params.get('wte')!;
    const logits = matmul(g, h, wte, { transB: true, name: 'logits' }); // [B, T, V]
    const targets = g.input('targets', [B * T], 'u32'); // [B*T]
    // Two-row chunks so the chunked path (several chunks, a short last one) is what parity proves.
    const loss = lmHeadLoss(g, h, wte, targets, { chunkRows: Math.max(1, Math.floor((B * T) / 3)) });
    const probs = model.qkv.map((qkv) =>
      Array.from({ length: B }, (_, b) => attentionProbs(g, qkv, { B, T, C: config.nEmbd, NH: config.nHead, b })),
    );
    g.backward(loss.mean, seedConstant(g));
    const grads = g.paramGrads();
    const keep = [logits, ...model.hidden, loss.mean, ...probs.flat(), ...grads.map((p) => p.grad)];
    const program = await Program.compile(ctx, g, { keep, label: 'parity-lm' });
    try {
      uploadParams(program, model.params, base.params as Map<string, Float32Array<ArrayBuffer>>);
      prepareEmbeddingIndex(program, model.embedding, lmIds);
      program.write(targets, shiftedTargets(lmIds, T));
      program.run();
      checks.push(compareTensor('lm.logits', await program.readF32(logits), refF32('lm.logits')));
      for (let i = 0; i < model.hidden.length; i++) {
        checks.push(
          compareTensor(
            `lm.hidden_states.${i}`,
            await program.readF32(model.hidden[i]!),
            refF32(`lm.hidden_states.${i}`),
          ),
        );
      }
      for (let layer = 0; layer < probs.length; layer++) {
        const ours = new Float32Array(B * config.nHead * T * T);
        for (let b = 0; b < B; b++) ours.set(await program.readF32(probs[layer]![b]!), b * config.nHead * T * T);
        checks.push(compareTensor(`lm.attentions.${layer}`, ours, refF32(`lm.attentions.${layer}`)));
      }
      scalar('lm.loss', (await program.readF32(loss.mean))[0]!, json.lm.loss);
      gradChecks('lm.grad.', await readGrads(program, grads));
    } finally {
      program.destroy();
    }
  }

  // --- Double heads: multiple-choice logits, mc + 0.5 lm loss, gradients ---
  {
    const [MB, K, MT] = ref.tensors.get('mc.input_ids')!.shape as [number, number, number];
    const ids = ints(ref, 'mc.input_ids');
    const tokenIds = ints(ref, 'mc.mc_token_ids');
    const labels = ints(ref, 'mc.mc_labels');
    const g = new Graph();
    const model = gptForward(g, config, { B: MB * K, T: MT, train: false, heads: { multipleChoice: true } });
    const h = finalHidden(model); // [MB*K, MT, C]
    const extract = gatherRows(g, h, MB * K, 'extract'); // [MB*K, C]
    const scores = matmul(g, extract.out, model.params.get('mc.w')!, {
      bias: model.params.get('mc.b')!,
      transB: true,
      name: 'mc_scores',
    }); // [MB*K, 1]
    const mcLogits = reshape(g, scores, [MB, K]); // [MB, K]
    const mcLabels = g.input('mc_labels', [MB], 'u32'); // [MB]
    const mc = crossEntropy(g, mcLogits, mcLabels);
    const lmTargets = g.input('lm_targets', [MB * K * MT], 'u32');
    const lm = lmHeadLoss(g, h, model.params.get('wte')!, lmTargets);
    g.backward(mc.mean, (seed) => {
      seedConstant(g, 1)(seed);
      seedConstant(g, 0.5)(g.gradWrite(lm.mean)); // L = L_mc + 0.5 L_lm, the paper's L2 + λ L1
    });
    const grads = g.paramGrads();
    const program = await Program.compile(ctx, g, {
      keep: [mcLogits, mc.mean, lm.mean, ...grads.map((p) => p.grad)],
      label: 'parity-mc',
    });
    try {
      uploadParams(program, model.params, doubleHeads.params as Map<string, Float32Array<ArrayBuffer>>);
      prepareEmbeddingIndex(program, model.embedding, ids);
      const rows = Uint32Array.from(tokenIds, (pos, s) => s * MT + pos);
      setGatherIndex(program, extract, rows);
      program.write(mcLabels, labels);
      program.write(lmTargets, shiftedTargets(ids, MT));
      program.run();
      checks.push(compareTensor('mc.mc_logits', await program.readF32(mcLogits), refF32('mc.mc_logits')));
      const mcLoss = (await program.readF32(mc.mean))[0]!;
      const lmLoss = (await program.readF32(lm.mean))[0]!;
      scalar('mc.mc_loss', mcLoss, json.mc.mc_loss);
      scalar('mc.lm_loss', lmLoss, json.mc.lm_loss);
      scalar('mc.total_loss', mcLoss + 0.5 * lmLoss, json.mc['total_loss(mc + 0.5*lm)']);
      gradChecks('mc.grad.', await readGrads(program, grads));
    } finally {
      program.destroy();
    }
  }

  // --- Three AdamW steps on the LM batch (lr 1e-3, betas 0.9/0.999, eps 1e-8, decay 0.01 on 2+ dims) ---
  {
    const g = new Graph();
    const model = gptForward(g, config, { B, T, train: false });
    const targets = g.input('targets', [B * T], 'u32');
    const loss = lmHeadLoss(g, finalHidden(model), model.params.get('wte')!, targets);
    g.backward(loss.mean, seedConstant(g));
    const opt = adamw(g, g.paramGrads(), { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    const program = await Program.compile(ctx, g, {
      keep: [loss.mean, ...model.params.values()],
      label: 'parity-adamw',
    });
    try {
      uploadParams(program, model.params, base.params as Map<string, Float32Array<ArrayBuffer>>);
      prepareEmbeddingIndex(program, model.embedding, lmIds);
      program.write(targets, shiftedTargets(lmIds, T));
      setDropoutSeed(program, 0);
      const losses: number[] = [];
      for (let step = 1; step <= 3; step++) {
        program.write(opt.optState, opt.optStateFor(step, 1e-3));
        program.run();
        losses.push((await program.readF32(loss.mean))[0]!);
      }
      checks.push(compareTensor('adamw3.losses_before_each_step', losses, json.adamw3.losses_before_each_step));
      for (const key of ref.tensors.keys()) {
        if (!key.startsWith('adamw3.')) continue;
        const param = hfKeyToParam(key.slice('adamw3.'.length));
        if (!param) throw new Error(`parity: ${key} names no parameter`);
        checks.push(compareTensor(key, await program.readF32(model.params.get(param)!), refF32(key)));
      }
    } finally {
      program.destroy();
    }
  }

  const { vocabSize, nPositions, nEmbd, nLayer, nHead } = config;
  return {
    config: { vocabSize, nPositions, nEmbd, nLayer, nHead },
    checks,
    tolerance: PARITY_TOLERANCE,
    pass: checks.every((c) => c.pass),
  };
}

async function readGrads(
  program: Program,
  grads: { param: Tensor; grad: Tensor }[],
): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const { param, grad } of grads) out.set(param.name, await program.readF32(grad));
  return out;
}
