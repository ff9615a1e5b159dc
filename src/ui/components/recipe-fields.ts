// The recipe settings' form fields (gradient accumulation, minimum learning rate, dropout, weight decay) as
// the pre-training and fine-tuning forms both show them: labels and hints over the schema's fields
// (src/train/settings/recipe-fields.ts), whose bounds and messages the forms check.
import { RECIPE_DEFAULTS } from '../../train/settings/recipe-fields.ts';
import type { NumberFieldSpec } from './NumberFieldGrid.tsx';

export type RecipeFormField = 'accumulation' | 'minLr' | 'dropout' | 'weightDecay';

export function recipeFieldSpecs(dropoutHint: string): NumberFieldSpec<RecipeFormField>[] {
  return [
    {
      field: 'accumulation',
      label: 'Gradient accumulation',
      hint: 'micro-batches per step: the same step, less memory',
    },
    { field: 'minLr', label: 'Minimum learning rate', hint: 'where the decay ends; 0 = to zero', decimal: true },
    { field: 'dropout', label: 'Dropout', hint: dropoutHint, decimal: true },
    {
      field: 'weightDecay',
      label: 'Weight decay',
      hint: `AdamW, matrices and embeddings; GPT-1 ${RECIPE_DEFAULTS.weightDecay}`,
      decimal: true,
    },
  ];
}
