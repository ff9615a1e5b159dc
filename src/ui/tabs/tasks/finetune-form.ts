// A task tab's fine-tuning settings form: text fields as typed -> FinetuneSettings, with a problem per field
// that the form shows beside it. Bounds and messages are the fine-tuning schema's (src/train/settings), the
// ones the engine and the CLI check; empty optional fields mean "the model's" (context) or "all" (layers).
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { FinetuneSettings, TaskPreviewRequest } from '../../../engine/protocol.ts';
import { fieldAllows, formProblem, parseFieldText } from '../../../train/settings/field.ts';
import { FINETUNE_FIELDS, type FinetuneField } from '../../../train/settings/finetune-settings.ts';
import type { FinetuneForm } from '../../store/finetune-slice.ts';

export type FinetuneFormProblems = Partial<Record<keyof FinetuneForm, string>>;

const NUMBER_FIELDS = Object.keys(FINETUNE_FIELDS) as FinetuneField[];

export function parseFinetuneForm(
  family: TaskFamily,
  form: FinetuneForm,
): { settings: FinetuneSettings; problems: FinetuneFormProblems } {
  const problems: FinetuneFormProblems = {};
  const values = {} as Record<FinetuneField, number | null>;
  for (const key of NUMBER_FIELDS) {
    // A run from scratch transfers no layers, whatever the (hidden) field says.
    if (key === 'transferLayers' && form.init === 'scratch') {
      values[key] = null;
      continue;
    }
    values[key] = parseFieldText(FINETUNE_FIELDS[key], form[key]);
    const problem = formProblem(FINETUNE_FIELDS[key], form[key]);
    if (problem) problems[key] = problem;
  }
  const number = (key: Exclude<FinetuneField, 'transferLayers' | 'context' | 'dropout'>) => values[key] ?? Number.NaN;
  const settings: FinetuneSettings = {
    family,
    init: form.init,
    preset: form.preset,
    transferLayers: values.transferLayers,
    auxLm: number('auxLm'),
    epochs: number('epochs'),
    batch: number('batch'),
    lr: number('lr'),
    warmup: number('warmup'),
    clip: number('clip'),
    seed: number('seed'),
    context: values.context,
    accumulation: number('accumulation'),
    minLr: number('minLr'),
    dropout: values.dropout,
    weightDecay: number('weightDecay'),
  };
  return { settings, problems };
}

/** What the preview tokenises with, from the form (its context when the field holds a usable one). */
export function previewRequestOf(form: FinetuneForm): TaskPreviewRequest {
  const context = parseFieldText(FINETUNE_FIELDS.context, form.context);
  return {
    init: form.init,
    preset: form.preset,
    context: fieldAllows(FINETUNE_FIELDS.context, context) ? context : null,
  };
}
