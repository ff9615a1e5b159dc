// Pre-training settings in one place: the settings a run takes, each numeric field's bounds and words, the
// defaults per preset, and the check every entry point runs (the CLI before opening the GPU, the engine
// before starting a run, the Pretrain form as it is typed).
import { configProblems, type Gpt1Config, type PresetName } from '../../model/config.ts';
import { ATTENTION_MAX_HEAD_SIZE } from '../../ops/attention.ts';
import { pretrainSchedule, type Schedule, withMinLr } from '../schedule.ts';
import { type FieldTable, firstProblem } from './field.ts';
import { RECIPE_DEFAULTS, RECIPE_FIELDS, recipeProblem } from './recipe-fields.ts';

export interface PretrainSettings {
  preset: PresetName | 'custom';
  config: Gpt1Config;
  B: number;
  T: number;
  steps: number;
  lr: number;
  seed: number;
  /** Validation loss every N steps (0: only at the start and the end). */
  evalEvery: number;
  /** A sample from `samplePrompt` every N steps (fixed sampling seed, so samples compare across steps). */
  sampleEvery: number;
  samplePrompt: string;
  /** Zero-shot probes every N steps (0 or absent: none; runs saved before probes have none). */
  probeEvery?: number;
  /**
   * The recipe (absent: today's, as runs saved before these settings): gradient accumulation (micro-batches
   * per step), warm-up steps (null: 1% of the steps), the minimum learning rate the cosine ends at, AdamW's
   * weight decay. Dropout is the config's (embdPdrop, attnPdrop, residPdrop; the form sets all three).
   */
  accumulation?: number;
  warmupSteps?: number | null;
  minLr?: number;
  weightDecay?: number;
}

const STEP_LIMIT = 10_000_000;

export const PRETRAIN_FIELDS = {
  nLayer: { label: 'the number of layers', help: 'transformer blocks', integer: true, min: 1, max: 48 },
  nEmbd: { label: 'the width', help: 'model dimension', integer: true, min: 8, max: 4096 },
  nHead: {
    label: 'the number of heads',
    help: 'attention heads (must divide the width)',
    integer: true,
    min: 1,
    max: 64,
  },
  T: { label: 'the context', help: 'tokens per sequence', integer: true, min: 2, max: 2048 },
  B: { label: 'the batch', help: 'sequences per step', integer: true, min: 1, max: 1024 },
  steps: { label: 'the number of steps', help: 'optimizer steps', integer: true, min: 1, max: STEP_LIMIT },
  lr: {
    label: 'the learning rate',

    help: 'peak learning rate (warm-up, then cosine to 0)',
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
  },
  seed: { label: 'the seed', help: 'run seed', integer: true, min: 0, max: 2 ** 32 - 1 },
  evalEvery: {
    label: 'the validation interval',

    help: 'validation loss every N steps (0: start and end only)',
    integer: true,
    min: 0,
    max: STEP_LIMIT,
  },
  probeEvery: {
    label: 'the probe interval',
    help: 'zero-shot probes every N steps (0: none)',
    integer: true,
    min: 0,
    max: STEP_LIMIT,
  },
  sampleEvery: {
    label: 'the sample interval',
    help: 'a sample every N steps (0: only at the end)',
    integer: true,
    min: 0,
    max: STEP_LIMIT,
  },
  ...RECIPE_FIELDS,
  warmupSteps: {
    label: 'the warm-up',
    help: 'learning-rate warm-up in steps, then cosine',
    integer: true,
    min: 0,
    max: STEP_LIMIT,
    emptyMeans: '1% of the steps',
  },
} satisfies FieldTable<string>;

export type PretrainField = keyof typeof PRETRAIN_FIELDS;

/** The training settings a preset starts with (its model shape comes from PRESETS). */
export const PRETRAIN_DEFAULTS: Record<
  PresetName,
  Pick<PretrainSettings, 'B' | 'lr' | 'steps' | 'evalEvery' | 'sampleEvery'> & { probeEvery: number }
> = {
  tiny: { B: 8, lr: 1e-3, steps: 1000, evalEvery: 50, sampleEvery: 50, probeEvery: 100 },
  small: { B: 16, lr: 1e-3, steps: 5000, evalEvery: 250, sampleEvery: 250, probeEvery: 500 },
  // GPT-1's peak learning rate (2.5e-4) and batch (64 sequences of 512 tokens).
  gpt1: { B: 64, lr: 2.5e-4, steps: 100_000, evalEvery: 1000, sampleEvery: 1000, probeEvery: 5000 },
};

export const DEFAULT_SEED = 0;
export const DEFAULT_SAMPLE_PROMPT = 'The ';

/** Problems with the shapes themselves, found without building anything. */
export function shapeProblems(config: Gpt1Config, B: number, T: number): string[] {
  const problems = configProblems(config);
  if (!Number.isInteger(B) || B < 1) problems.push(`batch must be a positive integer (got ${B})`);
  if (!Number.isInteger(T) || T < 1) problems.push(`context must be a positive integer (got ${T})`);
  else if (T > config.nPositions) problems.push(`context ${T} exceeds the model's ${config.nPositions} positions`);
  const hs = config.nEmbd / config.nHead;
  if (Number.isInteger(hs) && hs > ATTENTION_MAX_HEAD_SIZE) {
    problems.push(`head size ${hs} (nEmbd / nHead) is above the kernels' maximum ${ATTENTION_MAX_HEAD_SIZE}`);
  }
  return problems;
}

export interface SettingsProblem {
  /** The field (a settings key, or 'config' for the model's shape as a whole). */
  where: string;
  message: string;
}

/** The first problem with `settings` for a tokenizer of `vocabSize` ids, or undefined when they are fine. */
export function pretrainSettingsProblem(settings: PretrainSettings, vocabSize: number): SettingsProblem | undefined {
  const s = settings;
  const { nLayer, nEmbd, nHead } = s.config;
  const dropout = s.config.residPdrop;
  const problem = firstProblem(PRETRAIN_FIELDS, { ...s, nLayer, nEmbd, nHead, dropout }) ?? recipeProblem(s);
  if (problem) return problem;
  if (s.warmupSteps != null && s.warmupSteps > s.steps) {
    return {
      where: 'warmupSteps',
      message: `the warm-up (${s.warmupSteps} steps) is longer than the run (${s.steps})`,
    };
  }
  if (typeof s.samplePrompt !== 'string') return { where: 'samplePrompt', message: 'the sample prompt must be text' };
  const problems = shapeProblems({ ...s.config, vocabSize }, s.B, s.T);
  if (problems.length) return { where: 'config', message: `These settings cannot train: ${problems.join('; ')}.` };
  return undefined;
}

/** What a run's trainer takes from its recipe settings (absent ones: today's defaults, bit for bit). */
export function pretrainRecipe(s: PretrainSettings): {
  schedule: Schedule;
  accumulation: number;
  weightDecay: number;
} {
  const schedule = withMinLr(pretrainSchedule(s.lr, s.steps, s.warmupSteps ?? undefined), s.minLr);
  const accumulation = s.accumulation ?? RECIPE_DEFAULTS.accumulation;
  return { schedule, accumulation, weightDecay: s.weightDecay ?? RECIPE_DEFAULTS.weightDecay };
}
