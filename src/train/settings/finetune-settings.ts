// Fine-tuning settings in one place: what a run takes, each numeric field's bounds and words, the paper's
// values (GPT-1 §4.1: lr 6.25e-5, batch 32, 3 epochs, λ 0.5, warm-up over 0.2% of training, classifier
// dropout 0.1), and the check the CLI, the engine and the task tabs' form all run.
import { TASK_FAMILIES, type TaskFamily } from '../../data/tasks/task-types.ts';
import { PRESETS, type PresetName } from '../../model/config.ts';
import { type FieldTable, firstProblem } from './field.ts';
import type { SettingsProblem } from './pretrain-settings.ts';
import { RECIPE_FIELDS, recipeProblem } from './recipe-fields.ts';

/** Where fine-tuning starts: the live pre-training run's weights, an imported checkpoint, or random weights. */
export type FinetuneInitChoice = 'current' | 'imported' | 'scratch';

export interface FinetuneSettings {
  family: TaskFamily;
  init: FinetuneInitChoice;
  /** Model size from scratch (its tokenizer: characters of the training file). */
  preset: PresetName;
  /** Embeddings + the first n blocks come from the pretrained model (null: all of them). */
  transferLayers: number | null;
  /** λ of L3 = L2 + λ·L1; 0: no auxiliary LM. */
  auxLm: number;
  epochs: number;
  batch: number;
  lr: number;
  /** Warm-up as a fraction of the steps (paper 0.002). */
  warmup: number;
  /** Global gradient-norm clip (paper code: 1). */
  clip: number;
  seed: number;
  /** Longest sequence; null: the model's positions. */
  context: number | null;
  /**
   * The recipe (absent: the paper's, as runs recorded before these settings): gradient accumulation, the
   * minimum learning rate, dropout (body and classifier; null: the model's own), AdamW's weight decay.
   */
  accumulation?: number;
  minLr?: number;
  dropout?: number | null;
  weightDecay?: number;
}

/** The paper's fine-tuning recipe (§4.1), and the weight decay and clip of its code. */
export const PAPER_FINETUNE = {
  lr: 6.25e-5,
  batch: 32,
  epochs: 3,
  auxLm: 0.5,
  warmup: 0.002,
  clip: 1,
  classifierDropout: 0.1,
  weightDecay: 0.01,
} as const;

export const FINETUNE_FIELDS = {
  transferLayers: {
    label: 'the number of transferred layers',

    help: 'transfer the embeddings and the first N blocks, re-initialise the rest',
    integer: true,
    min: 0,
    max: 1000,
    emptyMeans: 'all',
  },
  auxLm: {
    label: 'λ (the auxiliary LM weight)',

    help: 'λ of L3 = L2 + λ·L1, 0 = no auxiliary LM',
    min: 0,
    max: 100,
  },
  epochs: {
    label: 'the number of epochs',

    help: `passes over the training file`,
    min: 0,
    max: 1000,
    minExclusive: true,
  },
  batch: {
    label: 'the batch',

    help: `examples per step`,
    integer: true,
    min: 1,
    max: 4096,
  },
  lr: {
    label: 'the learning rate',

    help: `peak learning rate`,
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
  },
  warmup: {
    label: 'the warm-up',

    help: `warm-up as a fraction of the steps, then linear decay`,
    min: 0,
    max: 1,
    maxExclusive: true,
    percent: true,
  },
  clip: {
    label: 'the gradient clip',

    help: `global gradient-norm clip`,
    min: 0,
    max: 1e6,
    minExclusive: true,
  },
  seed: { label: 'the seed', help: 'run seed', integer: true, min: 0, max: 2 ** 32 - 1 },
  context: {
    label: 'the context',

    help: "longest sequence in tokens (default: the model's positions)",
    integer: true,
    min: 4,
    max: 65_536,
    emptyMeans: "the model's",
  },
  ...RECIPE_FIELDS,
  dropout: { ...RECIPE_FIELDS.dropout, emptyMeans: "the model's" },
} satisfies FieldTable<string>;

export type FinetuneField = keyof typeof FINETUNE_FIELDS;

/** Only in the CLI: stop after N steps (quick runs; the schedule then spans these steps). */
export const MAX_STEPS_FIELD = {
  label: 'the step limit',

  help: 'stop after N steps (quick runs)',
  integer: true,
  min: 1,
  max: 10_000_000,
};

export const DEFAULT_FINETUNE_SEED = 0;

/** The paper's recipe for a task tab, starting from the current pre-training run. */
export function paperFinetuneSettings(family: TaskFamily): FinetuneSettings {
  const { auxLm, epochs, batch, lr, warmup, clip } = PAPER_FINETUNE;
  return {
    family,
    init: 'current',
    preset: 'tiny',
    transferLayers: null,
    auxLm,
    epochs,
    batch,
    lr,
    warmup,
    clip,
    seed: DEFAULT_FINETUNE_SEED,
    context: null,
  };
}

const INITS: readonly FinetuneInitChoice[] = ['current', 'imported', 'scratch'];

/** The first problem with the settings, naming its field, or undefined when they are fine. */
export function finetuneSettingsProblem(s: FinetuneSettings): SettingsProblem | undefined {
  if (!TASK_FAMILIES.includes(s.family)) return { where: 'family', message: `unknown task family "${s.family}"` };
  if (!INITS.includes(s.init)) return { where: 'init', message: `unknown start "${s.init}"` };
  if (s.init === 'scratch' && !(s.preset in PRESETS)) {
    return { where: 'preset', message: `the model size must be one of ${Object.keys(PRESETS).join(', ')}` };
  }
  const problem = firstProblem(FINETUNE_FIELDS, s) ?? recipeProblem(s);
  if (problem) return problem;
  if (s.init === 'scratch' && s.transferLayers !== null) {
    return { where: 'transferLayers', message: 'a run from scratch transfers no layers: choose a pretrained start' };
  }
  return undefined;
}
