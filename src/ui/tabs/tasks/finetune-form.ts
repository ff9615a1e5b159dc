// A task tab's fine-tuning settings form: text fields as typed -> FinetuneSettings, with a problem per field
// that the form shows beside it. Blank optional fields mean "the model's" (context) or "all" (transferred layers).
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { FinetuneSettings, TaskPreviewRequest } from '../../../engine/protocol.ts';
import type { FinetuneForm } from '../../store/finetune-slice.ts';

export type FinetuneFormProblems = Partial<Record<keyof FinetuneForm, string>>;

function num(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text.trim());
}

function optionalInt(text: string): number | null {
  return text.trim() === '' ? null : num(text);
}

export function parseFinetuneForm(
  family: TaskFamily,
  form: FinetuneForm,
): { settings: FinetuneSettings; problems: FinetuneFormProblems } {
  const problems: FinetuneFormProblems = {};
  const settings: FinetuneSettings = {
    family,
    init: form.init,
    preset: form.preset,
    transferLayers: form.init === 'scratch' ? null : optionalInt(form.transferLayers),
    auxLm: num(form.auxLm),
    epochs: num(form.epochs),
    batch: num(form.batch),
    lr: num(form.lr),
    warmup: num(form.warmup) / 100,
    clip: num(form.clip),
    seed: num(form.seed),
    context: optionalInt(form.context),
  };
  if (!(settings.auxLm >= 0)) problems.auxLm = 'λ is 0 (no auxiliary LM) or more';
  if (!(settings.epochs > 0 && settings.epochs <= 1000)) problems.epochs = 'above 0, at most 1000';
  if (!(Number.isInteger(settings.batch) && settings.batch >= 1 && settings.batch <= 4096)) {
    problems.batch = 'a whole number 1 to 4096';
  }
  if (!(settings.lr > 0 && Number.isFinite(settings.lr))) problems.lr = 'a positive number, e.g. 6.25e-5';
  if (!(settings.warmup >= 0 && settings.warmup < 1)) problems.warmup = 'a percentage from 0 to below 100';
  if (!(settings.clip > 0 && Number.isFinite(settings.clip))) problems.clip = 'a positive number';
  if (!(Number.isInteger(settings.seed) && settings.seed >= 0 && settings.seed <= 0xffffffff)) {
    problems.seed = 'a whole number 0 to 4294967295';
  }
  const t = settings.transferLayers;
  if (t !== null && !(Number.isInteger(t) && t >= 0)) problems.transferLayers = 'blank (all) or a whole number';
  const c = settings.context;
  if (c !== null && !(Number.isInteger(c) && c >= 4)) problems.context = "blank (the model's) or at least 4";
  return { settings, problems };
}

/** What the preview tokenises with, from the form. */
export function previewRequestOf(form: FinetuneForm): TaskPreviewRequest {
  const context = optionalInt(form.context);
  return {
    init: form.init,
    preset: form.preset,
    context: context !== null && Number.isInteger(context) && context >= 4 ? context : null,
  };
}
