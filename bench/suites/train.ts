// `npm run bench -- train [--preset tiny|small|gpt1] [--batch B] [--context T] [--steps N] ...`: a training
// step in Node (Dawn): tokens/s, ms/step, planned GPU bytes, step counters and the per-kernel breakdown.
// The measurement itself (train-measure.ts) is shared with the Chromium bench page (train-browser).
import { type OptionSpecs, type ParsedOptions, parseOptions, UsageError } from '../../src/cli/args.ts';
import { openGpu } from '../../src/gpu/device.ts';
import { nodeGpu } from '../../src/gpu/node-gpu.ts';
import type { PresetName } from '../../src/model/config.ts';
import { ATTENTION_BLOCKS, ATTENTION_DEFAULT_BLOCK } from '../../src/ops/attention.ts';
import { MATMUL_VARIANTS, type MatmulVariant } from '../../src/ops/matmul.ts';
import { planTraining } from '../../src/train/lm-trainer.ts';
import { describeMemory, GpuMemorySampler, measuredMemory } from '../gpu-memory.ts';
import { formatTable } from '../harness.ts';
import {
  DEFAULT_SPEC,
  measureTraining,
  type ProfileMethod,
  type TrainBenchResult,
  type TrainBenchSpec,
  trainerOptions,
  trainNeeds,
} from '../train-measure.ts';

export const trainOptions = {
  preset: { type: 'string', help: 'tiny (default) | small | gpt1' },
  batch: { type: 'number', help: 'sequences per step (default 8)' },
  context: { type: 'number', help: "tokens per sequence (default: the preset's context)" },
  steps: { type: 'number', help: 'measured steps after the warm-up (default 10)' },
  warmup: { type: 'number', help: 'warm-up steps, not measured (default 3)' },
  vocab: { type: 'number', help: "vocabulary size (default: the preset's; tiny 256, small 4096, gpt1 40478)" },
  'no-dropout': { type: 'boolean', help: "turn off GPT-1's 0.1 dropout" },
  'no-tune': { type: 'boolean', help: 'keep the default matmul variant per shape instead of timing them first' },
  'matmul-variants': {
    type: 'string',
    help: `the variants the tuner may pick, comma-separated (default: all of ${Object.keys(MATMUL_VARIANTS).join(',')})`,
  },
  'split-k': {
    type: 'boolean',
    help: 'weight gradients in fixed-order K slices (other rounding; the same on every device)',
  },
  'attention-block': {
    type: 'number',
    help: `attention rows per workgroup: ${ATTENTION_BLOCKS.join(', ')} (default ${ATTENTION_DEFAULT_BLOCK}; the same results)`,
  },
  profile: { type: 'string', help: 'auto (default: timestamps if the adapter has them) | timestamps | wall | none' },
  'plan-only': { type: 'boolean', help: 'print the planned GPU memory and stop (no GPU needed)' },
} satisfies OptionSpecs;

const CONTEXT: Record<PresetName, number> = { tiny: 64, small: 256, gpt1: 512 };

/** The spec from parsed options (shared with train-browser and peer, which pass the same flags on). */
export function specFromOptions(o: ParsedOptions<typeof trainOptions>): TrainBenchSpec {
  const preset = (o.preset ?? 'tiny') as PresetName;
  if (!(preset in CONTEXT)) throw new UsageError(`--preset must be tiny, small or gpt1, not "${o.preset}"`);
  const profile = (o.profile ?? 'auto') as ProfileMethod;
  if (!['auto', 'timestamps', 'wall', 'none'].includes(profile)) {
    throw new UsageError(`--profile must be auto, timestamps, wall or none, not "${o.profile}"`);
  }
  for (const name of ['batch', 'context', 'steps', 'warmup', 'vocab'] as const) {
    const v = o[name];
    if (v !== undefined && !(Number.isInteger(v) && v > 0))
      throw new UsageError(`--${name} must be a positive integer`);
  }
  const variants = o['matmul-variants']?.split(',').map((v) => v.trim()) as MatmulVariant[] | undefined;
  const unknown = variants?.find((v) => !(v in MATMUL_VARIANTS));
  if (unknown !== undefined || variants?.length === 0) {
    throw new UsageError(`--matmul-variants: "${unknown}" is not one of ${Object.keys(MATMUL_VARIANTS).join(', ')}`);
  }
  const block = o['attention-block'];
  if (block !== undefined && !ATTENTION_BLOCKS.includes(block)) {
    throw new UsageError(`--attention-block must be one of ${ATTENTION_BLOCKS.join(', ')}, not ${block}`);
  }
  return {
    ...DEFAULT_SPEC,
    preset,
    B: o.batch ?? DEFAULT_SPEC.B,
    T: o.context ?? CONTEXT[preset],
    steps: o.steps ?? DEFAULT_SPEC.steps,
    warmup: o.warmup ?? DEFAULT_SPEC.warmup,
    vocab: o.vocab,
    dropout: !o['no-dropout'],
    profile,
    tune: !o['no-tune'],
    matmulVariants: variants,
    splitK: o['split-k'] ?? false,
    attentionBlock: block,
  };
}

const MIB = 2 ** 20;

/** The human summary of a result, for stderr. */
export function describeTrainResult(r: TrainBenchResult, runtime: string): string {
  const m = r.model;
  const lines = [
    `${runtime}: ${r.adapter}`,
    `model ${m.preset}: ${m.nLayer} x ${m.nEmbd}, ${m.nHead} heads, vocab ${m.vocabSize}, ${(m.params / 1e6).toFixed(2)}M params, dropout ${m.dropout}; batch ${r.B} x ${r.T}`,
    `${r.tokensPerSecond.toFixed(1)} tokens/s, ${r.msPerStep.toFixed(2)} ms/step (median of ${r.steps} steps after ${r.warmup} warm-up; mean ${r.msPerStepMean.toFixed(2)}); compile ${r.compileMs.toFixed(0)} ms`,
    `planned GPU memory ${(r.plannedBytes / MIB).toFixed(1)} MiB: ${Object.entries(r.bytesByClass)
      .map(([k, v]) => `${k} ${(v / MIB).toFixed(1)}`)
      .join(', ')}`,
    `per step: ${r.perStep.submits} submit, ${r.perStep.commandBuffers} command buffer, ${r.perStep.mapAsync} mapAsync, ${r.perStep.writeBuffer} writeBuffer; steady state: ${r.steadyState.createBuffer} createBuffer, ${r.steadyState.createBindGroup} createBindGroup, ${r.steadyState.onSubmittedWorkDone} queue waits; up to ${r.maxStepsInFlight} steps in flight`,
    `checks: ${Object.entries(r.checks)
      .map(([k, v]) => `${k} ${v ? 'ok' : 'FAILED'}`)
      .join(', ')}`,
  ];
  const variants = r.matmul.choices.map((c) => `${c.shape} -> ${c.variant}`);
  if (r.matmul.splitK) lines.push('weight gradients: split-K (fixed-order K slices; other rounding than the default)');
  lines.push(
    r.matmul.tuned
      ? `matmul variants timed on this adapter (${r.matmul.tuningSeconds.toFixed(1)} s): ${variants.join('; ')}`
      : 'matmul variants: defaults per shape (--no-tune)',
  );
  if (r.breakdown.method !== 'none') {
    const b = r.breakdown;
    lines.push(
      `\nstep breakdown by kernel (${b.method}; ${b.dispatches} dispatches, each timed alone: ${b.totalMs.toFixed(2)} ms in all)`,
      formatTable(
        b.kernels.slice(0, 15).map((k) => ({ kernel: k.kernel, dispatches: k.count, ms: k.ms, '%': 100 * k.share })),
      ),
    );
  }
  return lines.join('\n');
}

/** The memory plan alone: what `train` would allocate, from the graph, without a device. */
function planOnly(spec: TrainBenchSpec): unknown {
  const options = trainerOptions(spec);
  const { plan, needs } = planTraining(options);
  const c = options.config;
  process.stderr.write(
    `model ${spec.preset}: ${c.nLayer} x ${c.nEmbd}, vocab ${c.vocabSize}; batch ${spec.B} x ${spec.T}: ` +
      `planned GPU memory ${(plan.totalBytes / MIB).toFixed(1)} MiB (${Object.entries(plan.bytesByClass)
        .map(([k, v]) => `${k} ${(v / MIB).toFixed(1)}`)
        .join(', ')}); largest tensor ${(plan.largestTensorBytes / MIB).toFixed(1)} MiB\n`,
  );
  return {
    suite: 'train',
    planOnly: true,
    preset: spec.preset,
    B: spec.B,
    T: spec.T,
    plannedBytes: plan.totalBytes,
    bytesByClass: plan.bytesByClass,
    largestTensorBytes: plan.largestTensorBytes,
    needs,
  };
}

export async function trainSuite(args: string[]): Promise<unknown> {
  const o = parseOptions(args, trainOptions);
  const spec = specFromOptions(o);
  if (o['plan-only']) return planOnly(spec);
  // Measured beside the plan where nvidia-smi exists (the NVIDIA machine); elsewhere it says why not.
  const sampler = GpuMemorySampler.start();
  await sampler.waitForSamples();
  const from = Date.now();
  // Unquantized timestamps (Dawn rounds them to 2^16 ns by default): only matters for the breakdown.
  const gpu = await nodeGpu(['disable-dawn-features=timestamp_quantization']);
  const ctx = await openGpu(gpu, {
    purpose: 'training benchmark',
    needs: trainNeeds(spec),
    wantFeatures: spec.profile === 'none' || spec.profile === 'wall' ? [] : ['timestamp-query'],
  });
  try {
    const result = await measureTraining(ctx, spec, (line) => process.stderr.write(`${line}\n`));
    const memory = measuredMemory(sampler, from, Date.now());
    process.stderr.write(`\n${describeTrainResult(result, 'node (Dawn)')}\n`);
    process.stderr.write(`${describeMemory('GPU memory', result.plannedBytes / MIB, memory)}\n`);
    return { suite: 'train', runtime: 'node (Dawn)', date: new Date().toISOString(), ...result, memory };
  } finally {
    ctx.destroy();
    await sampler.stop();
  }
}
