// The recipe settings pre-training and fine-tuning share: gradient accumulation, the minimum learning rate,
// dropout and AdamW's weight decay, with their bounds and words, their defaults (today's recipe: no
// accumulation, decay to 0, GPT-1's dropout 0.1 and weight decay 0.01) and the checks that span two fields.
import type { FieldTable } from './field.ts';

export const RECIPE_FIELDS = {
  accumulation: {
    label: 'the gradient accumulation',
    help: 'micro-batches per step, each batch / N sequences: the same step in less GPU memory',
    integer: true,
    min: 1,
    max: 1024,
  },
  minLr: {
    label: 'the minimum learning rate',
    help: 'where the decay ends (0: decay to 0)',
    min: 0,
    max: 1,
    maxExclusive: true,
  },
  dropout: {
    label: 'the dropout',
    help: 'dropout probability on embeddings, attention and residuals (GPT-1: 0.1)',
    min: 0,
    max: 1,
    maxExclusive: true,
  },
  weightDecay: {
    label: 'the weight decay',
    help: "AdamW's decoupled weight decay on matrices and embeddings",
    min: 0,
    max: 1,
  },
} satisfies FieldTable<string>;

export type RecipeField = keyof typeof RECIPE_FIELDS;

export const RECIPE_DEFAULTS: Record<RecipeField, number> = {
  accumulation: 1,
  minLr: 0,
  dropout: 0.1,
  weightDecay: 0.01,
};

/** The problems of the recipe that span fields: accumulation must divide the batch, the minimum stay below the peak. */
export function recipeProblem(s: {
  accumulation?: number;
  minLr?: number;
  lr: number;
  batch?: number;
  B?: number;
}): { where: string; message: string } | undefined {
  const batch = s.B ?? s.batch ?? 1;
  const accumulation = s.accumulation ?? 1;
  if (batch % accumulation !== 0) {
    const message = `the gradient accumulation (${accumulation}) must divide the batch (${batch}) into equal micro-batches`;
    return { where: 'accumulation', message };
  }
  if ((s.minLr ?? 0) > s.lr) {
    return { where: 'minLr', message: `the minimum learning rate (${s.minLr}) is above the learning rate (${s.lr})` };
  }
  return undefined;
}
