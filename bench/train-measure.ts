// The training-step measurement shared by the Node suite (Dawn) and the browser bench page (Chromium):
// a model preset at batch B and context T on random token ids, stepped the way the CLI's pretrain does
// (submitStep without waiting, results through the async readback ring). It reports tokens/s and
// ms/step over steady-state steps, the planned GPU bytes, counters that prove the step's properties
// (one submit, no buffer creation, one mapAsync, no queue waits), and a per-kernel breakdown.
// No Node or DOM imports: both runtimes bundle this file.
import type { GpuContext } from '../src/gpu/device.ts';
import { type Gpt1Config, PRESETS, type PresetName, validateConfig } from '../src/model/config.ts';
import { parameterTable } from '../src/model/params.ts';
import { initParams } from '../src/model/weights.ts';
import { ATTENTION_DEFAULT_BLOCK } from '../src/ops/attention.ts';
import type { MatmulVariant } from '../src/ops/matmul.ts';
import { type MatmulDecision, MatmulTuner } from '../src/ops/matmul-tuner.ts';
import { setGraphTuner } from '../src/runtime/program.ts';
import type { StorageClass } from '../src/runtime/tensor.ts';
import { LmTrainer, type LmTrainerOptions, planTraining } from '../src/train/lm-trainer.ts';
import { pretrainSchedule } from '../src/train/schedule.ts';
import { type CallCounts, DeviceCounters, diffCounts } from './counters.ts';
import { median } from './harness.ts';
import { profileDispatches } from './profile.ts';
import { randomU32 } from './random-data.ts';
import { profileTimestamps } from './timestamps.ts';

export type ProfileMethod = 'auto' | 'timestamps' | 'wall' | 'none';

export interface TrainBenchSpec {
  preset: PresetName;
  B: number;
  T: number;
  /** Measured steps, after the warm-up. */
  steps: number;
  warmup: number;
  /** Vocabulary size (default: the preset's). */
  vocab?: number;
  /** GPT-1's dropout (0.1) on, or all dropout off. */
  dropout: boolean;
  profile: ProfileMethod;
  /** Time the matmul variants per shape on this adapter before compiling (MatmulTuner). */
  tune: boolean;
  /** The variants the tuner may pick (default: all). */
  matmulVariants?: MatmulVariant[];
  /** Split-K weight gradients (a numerics choice of the graph, see src/ops/matmul-splitk.ts). */
  splitK?: boolean;
  /** Attention rows per workgroup (default the kernels'; src/ops/attention.ts). */
  attentionBlock?: number;
  seed: number;
  /** Config fields to change from the preset (tests: a model smaller than tiny). */
  overrides?: Partial<Gpt1Config>;
}

export const DEFAULT_SPEC: TrainBenchSpec = {
  preset: 'tiny',
  B: 8,
  T: 64,
  steps: 10,
  warmup: 3,
  dropout: true,
  profile: 'auto',
  tune: true,
  seed: 1,
};

export interface KernelShare {
  kernel: string;
  count: number;
  ms: number;
  share: number;
}

export interface TrainBenchResult {
  model: {
    preset: PresetName;
    nLayer: number;
    nEmbd: number;
    nHead: number;
    vocabSize: number;
    params: number;
    dropout: number;
  };
  B: number;
  T: number;
  steps: number;
  warmup: number;
  tokensPerSecond: number;
  /** Median interval between completions of consecutive steady-state steps. */
  msPerStep: number;
  /** The measured window over the measured steps (what tokens/s is computed from). */
  msPerStepMean: number;
  /** Compile time without the matmul tuning. */
  compileMs: number;
  matmul: { tuned: boolean; tuningSeconds: number; choices: MatmulDecision[]; splitK: boolean };
  /** Attention rows per workgroup. */
  attentionBlock: number;
  plannedBytes: number;
  bytesByClass: Record<StorageClass, number>;
  /** Calls during the steady-state steps, divided by the number of steps. */
  perStep: Pick<CallCounts, 'submits' | 'commandBuffers' | 'mapAsync' | 'writeBuffer' | 'createCommandEncoder'>;
  /** Calls during the steady-state steps, in total: all must be 0. */
  steadyState: Pick<CallCounts, 'createBuffer' | 'createBindGroup' | 'onSubmittedWorkDone'>;
  /** Most steps submitted but not yet read back when another was submitted (> 1: pipelined). */
  maxStepsInFlight: number;
  checks: { oneSubmitPerStep: boolean; noAllocationInSteps: boolean; asyncReadback: boolean };
  finalLoss: number;
  breakdown: {
    method: 'timestamp-query' | 'timestamp-query (quantized)' | 'wall per dispatch' | 'none';
    dispatches: number;
    /** Sum over dispatches, each timed alone. */
    totalMs: number;
    kernels: KernelShare[];
  };
  adapter: string;
}

/** The trainer options of a benchmark spec (shared by the plan, the device limits and the run). */
export function trainerOptions(spec: TrainBenchSpec): LmTrainerOptions {
  const preset = PRESETS[spec.preset];
  if (!preset) throw new Error(`unknown preset "${spec.preset}" (tiny, small, gpt1)`);
  const config = validateConfig({
    ...preset,
    vocabSize: spec.vocab ?? preset.vocabSize,
    nPositions: Math.max(preset.nPositions, spec.T),
    embdPdrop: spec.dropout ? preset.embdPdrop : 0,
    attnPdrop: spec.dropout ? preset.attnPdrop : 0,
    residPdrop: spec.dropout ? preset.residPdrop : 0,
    ...spec.overrides,
  });
  return {
    config,
    B: spec.B,
    T: spec.T,
    seed: spec.seed,
    schedule: pretrainSchedule(1e-4, spec.warmup + spec.steps),
    splitK: spec.splitK,
    attentionBlock: spec.attentionBlock,
  };
}

/** The device limits the spec's training program needs (request them when opening the device). */
export function trainNeeds(spec: TrainBenchSpec) {
  return planTraining(trainerOptions(spec)).needs;
}

/** Steady-state numbers of one run of steps (see TrainBench.run). */
export type StepStats = Pick<
  TrainBenchResult,
  | 'tokensPerSecond'
  | 'msPerStep'
  | 'msPerStepMean'
  | 'perStep'
  | 'steadyState'
  | 'maxStepsInFlight'
  | 'checks'
  | 'finalLoss'
> & { steps: number; warmup: number };

/** A trainer on random tokens that runs measured stretches of steps (the peer suite alternates them). */
export class TrainBench {
  private constructor(
    readonly ctx: GpuContext,
    readonly spec: TrainBenchSpec,
    readonly options: LmTrainerOptions,
    readonly trainer: LmTrainer,
    readonly compileMs: number,
    readonly tuner: MatmulTuner | undefined,
    private readonly log: (line: string) => void,
  ) {}

  static async create(ctx: GpuContext, spec: TrainBenchSpec, log: (line: string) => void = () => {}) {
    const options = trainerOptions(spec);
    const { config, B, T } = options;
    const tokens = {
      train: randomU32(B * (T + 1) * 16, config.vocabSize, 11),
      val: randomU32(B * (T + 1), config.vocabSize, 12),
    };
    const tuner = spec.tune ? new MatmulTuner({ log, candidates: spec.matmulVariants }) : undefined;
    setGraphTuner(ctx, tuner);
    const start = performance.now();
    const trainer = await LmTrainer.create(ctx, { ...options, evalBatches: 1 }, tokens, initParams(config, spec.seed));
    const compileMs = performance.now() - start - (tuner?.tuningSeconds ?? 0) * 1000;
    if (tuner) log(`tuned ${tuner.decisions.size} matmul shapes in ${tuner.tuningSeconds.toFixed(1)} s`);
    log(`compiled ${trainer.program.dispatchCount} dispatches in ${compileMs.toFixed(0)} ms`);
    return new TrainBench(ctx, spec, options, trainer, compileMs, tuner, log);
  }

  /**
   * `warmup` unmeasured steps, then `steps` measured ones, submitted without waiting (as the CLI's pretrain
   * does). tokens/s counts the measured steps over the time from the last warm-up step's completion to the
   * last step's; GPU API calls are counted over the measured steps.
   */
  async run(warmup: number, steps: number): Promise<StepStats> {
    if (warmup < 1 || steps < 2) throw new Error('train bench: need warm-up >= 1 and steps >= 2');
    const { B, T } = this.options;
    const counters = new DeviceCounters(this.ctx.device);
    try {
      const total = warmup + steps;
      const doneAt = new Array<number>(total).fill(Number.NaN);
      const pending: Promise<void>[] = [];
      let completed = 0;
      let maxStepsInFlight = 0;
      let finalLoss = Number.NaN;
      let before = counters.snapshot();
      for (let i = 0; i < total; i++) {
        if (i === warmup) before = counters.snapshot();
        const { result } = await this.trainer.submitStep();
        if (i >= warmup) maxStepsInFlight = Math.max(maxStepsInFlight, i + 1 - completed);
        pending.push(
          result.then((r) => {
            doneAt[i] = performance.now();
            completed++;
            finalLoss = r.loss;
            if (i === warmup - 1) this.log(`warm-up done (${warmup} steps), loss ${r.loss.toFixed(3)}`);
          }),
        );
      }
      await Promise.all(pending);
      const calls = diffCounts(before, counters.snapshot());
      const intervals = doneAt.slice(warmup).map((t, k) => t - doneAt[warmup - 1 + k]!);
      const windowMs = doneAt[total - 1]! - doneAt[warmup - 1]!;
      const perStep = (n: number) => n / steps;
      const stats: StepStats = {
        steps,
        warmup,
        tokensPerSecond: (steps * B * T) / (windowMs / 1000),
        msPerStep: median(intervals),
        msPerStepMean: windowMs / steps,
        perStep: {
          submits: perStep(calls.submits),
          commandBuffers: perStep(calls.commandBuffers),
          mapAsync: perStep(calls.mapAsync),
          writeBuffer: perStep(calls.writeBuffer),
          createCommandEncoder: perStep(calls.createCommandEncoder),
        },
        steadyState: {
          createBuffer: calls.createBuffer,
          createBindGroup: calls.createBindGroup,
          onSubmittedWorkDone: calls.onSubmittedWorkDone,
        },
        maxStepsInFlight,
        checks: {
          oneSubmitPerStep: calls.submits === steps && calls.commandBuffers === steps,
          noAllocationInSteps: calls.createBuffer === 0 && calls.createBindGroup === 0,
          asyncReadback: calls.mapAsync === steps && calls.onSubmittedWorkDone === 0,
        },
        finalLoss,
      };
      this.log(`${stats.tokensPerSecond.toFixed(0)} tokens/s, ${stats.msPerStep.toFixed(2)} ms/step`);
      return stats;
    } finally {
      counters.dispose();
    }
  }

  /** The model and memory plan part of a result. */
  describe(): Pick<
    TrainBenchResult,
    'model' | 'B' | 'T' | 'compileMs' | 'matmul' | 'attentionBlock' | 'plannedBytes' | 'bytesByClass' | 'adapter'
  > {
    const { config, B, T } = this.options;
    const plan = this.trainer.program.plan;
    return {
      model: {
        preset: this.spec.preset,
        nLayer: config.nLayer,
        nEmbd: config.nEmbd,
        nHead: config.nHead,
        vocabSize: config.vocabSize,
        params: parameterTable(config).reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0),
        dropout: config.residPdrop,
      },
      B,
      T,
      compileMs: this.compileMs,
      matmul: this.tuner
        ? {
            tuned: true,
            tuningSeconds: this.tuner.tuningSeconds,
            choices: [...this.tuner.decisions.values()],
            splitK: this.spec.splitK ?? false,
          }
        : { tuned: false, tuningSeconds: 0, choices: [], splitK: this.spec.splitK ?? false },
      attentionBlock: this.spec.attentionBlock ?? ATTENTION_DEFAULT_BLOCK,
      plannedBytes: plan.totalBytes,
      bytesByClass: plan.bytesByClass,
      adapter: this.ctx.adapter.name,
    };
  }

  breakdown(method: ProfileMethod): Promise<TrainBenchResult['breakdown']> {
    return breakdown(this.ctx, this.trainer, method, this.log);
  }

  destroy(): void {
    this.trainer.destroy();
  }
}

/**
 * The whole train measurement: compile, warm up, measure, profile; then `after` (if given) with the trained
 * bench, before it is destroyed (the Node suites export the weights there).
 */
export async function measureTraining(
  ctx: GpuContext,
  spec: TrainBenchSpec,
  log: (line: string) => void = () => {},
  after?: (bench: TrainBench) => Promise<void>,
): Promise<TrainBenchResult> {
  const bench = await TrainBench.create(ctx, spec, log);
  try {
    const stats = await bench.run(spec.warmup, spec.steps);
    const result = { ...bench.describe(), ...stats, breakdown: await bench.breakdown(spec.profile) };
    await after?.(bench);
    return result;
  } finally {
    bench.destroy();
  }
}

async function breakdown(
  ctx: GpuContext,
  trainer: LmTrainer,
  method: ProfileMethod,
  log: (line: string) => void,
): Promise<TrainBenchResult['breakdown']> {
  const program = trainer.program;
  const dispatches = program.dispatchCount;
  if (method === 'none') return { method: 'none', dispatches, totalMs: 0, kernels: [] };
  const timestamps = method === 'timestamps' || (method === 'auto' && ctx.features.has('timestamp-query'));
  if (method === 'timestamps' && !ctx.features.has('timestamp-query')) {
    throw new Error("--profile timestamps: the device has no 'timestamp-query'");
  }
  log(`profiling ${dispatches} dispatches (${timestamps ? 'timestamp queries' : 'wall time per dispatch'})`);
  let kernels: { kernel: string; count: number; totalMs: number }[];
  let label: TrainBenchResult['breakdown']['method'];
  if (timestamps) {
    const profile = await profileTimestamps(ctx.device, program);
    kernels = profile.kernels;
    label = profile.quantized ? 'timestamp-query (quantized)' : 'timestamp-query';
  } else {
    kernels = await profileDispatches(ctx.device, program, 1);
    label = 'wall per dispatch';
  }
  const totalMs = kernels.reduce((sum, k) => sum + k.totalMs, 0);
  return {
    method: label,
    dispatches,
    totalMs,
    kernels: kernels.map((k) => ({ kernel: k.kernel, count: k.count, ms: k.totalMs, share: k.totalMs / totalMs })),
  };
}
