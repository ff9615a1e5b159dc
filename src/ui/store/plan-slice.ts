// Plan slice: the pre-training form (preset, model shape, training settings, as typed) and the worker's
// memory plan for it. Defaults, bounds and messages are the pre-training schema's (src/train/settings), the
// ones the engine and the CLI check; validation lives here so the form, Start and the shortcuts agree.
import type { StateCreator } from 'zustand';
import type { PlanSummary, PretrainSettings } from '../../engine/protocol.ts';
import { type Gpt1Config, PRESETS, type PresetName } from '../../model/config.ts';
import { fieldText, formProblem, parseFieldText } from '../../train/settings/field.ts';
import {
  DEFAULT_SAMPLE_PROMPT,
  DEFAULT_SEED,
  PRETRAIN_DEFAULTS,
  PRETRAIN_FIELDS,
  type PretrainField,
  pretrainSettingsProblem,
} from '../../train/settings/pretrain-settings.ts';
import { RECIPE_DEFAULTS } from '../../train/settings/recipe-fields.ts';

/** The form's fields and the schema field each one sets. */
const FIELD_OF = {
  nLayer: 'nLayer',
  nEmbd: 'nEmbd',
  nHead: 'nHead',
  context: 'T',
  batch: 'B',
  lr: 'lr',
  steps: 'steps',
  seed: 'seed',
  evalEvery: 'evalEvery',
  sampleEvery: 'sampleEvery',
  probeEvery: 'probeEvery',
  accumulation: 'accumulation',
  warmupSteps: 'warmupSteps',
  minLr: 'minLr',
  dropout: 'dropout',
  weightDecay: 'weightDecay',
} as const satisfies Record<string, PretrainField>;

export type FormField = keyof typeof FIELD_OF;

/** The schema field a form field is checked with. */
export function pretrainFieldSpec(field: FormField) {
  return PRETRAIN_FIELDS[FIELD_OF[field]];
}
export const FORM_FIELDS = Object.keys(FIELD_OF) as FormField[];
/** Fields that change the model's shape (and so make the preset "custom"). */
const SHAPE_FIELDS: readonly FormField[] = ['nLayer', 'nEmbd', 'nHead', 'context'];

export interface PretrainForm {
  preset: PresetName | 'custom';
  fields: Record<FormField, string>;
  samplePrompt: string;
  /** True once the user typed a prompt; until then the corpus's first words fill it. */
  promptEdited: boolean;
}

export function presetFields(preset: PresetName, seed = String(DEFAULT_SEED)): Record<FormField, string> {
  const c = PRESETS[preset];
  const d = PRETRAIN_DEFAULTS[preset];
  const text = (field: FormField, value: number) => fieldText(PRETRAIN_FIELDS[FIELD_OF[field]], value);
  return {
    nLayer: text('nLayer', c.nLayer),
    nEmbd: text('nEmbd', c.nEmbd),
    nHead: text('nHead', c.nHead),
    context: text('context', c.nPositions),
    batch: text('batch', d.B),
    lr: text('lr', d.lr),
    steps: text('steps', d.steps),
    seed,
    evalEvery: text('evalEvery', d.evalEvery),
    sampleEvery: text('sampleEvery', d.sampleEvery),
    probeEvery: text('probeEvery', d.probeEvery),
    accumulation: text('accumulation', RECIPE_DEFAULTS.accumulation),
    warmupSteps: '',
    minLr: text('minLr', RECIPE_DEFAULTS.minLr),
    dropout: text('dropout', c.residPdrop),
    weightDecay: text('weightDecay', RECIPE_DEFAULTS.weightDecay),
  };
}

/** The preset whose shape the fields have, or 'custom'. */
export function matchPreset(fields: Record<FormField, string>): PresetName | 'custom' {
  for (const name of Object.keys(PRESETS) as PresetName[]) {
    const preset = presetFields(name);
    if (SHAPE_FIELDS.every((f) => Number(fields[f]) === Number(preset[f]))) return name;
  }
  return 'custom';
}

type Parsed = { settings: PretrainSettings; problems: Partial<Record<FormField, string>> };

/** Parses the typed form into settings; `problems` names each field that is wrong and why. */
export function parseForm(form: PretrainForm, vocabSize: number): Parsed {
  const problems: Partial<Record<FormField, string>> = {};
  const num: Partial<Record<FormField, number>> = {};
  for (const field of FORM_FIELDS) {
    const spec = PRETRAIN_FIELDS[FIELD_OF[field]];
    const problem = formProblem(spec, form.fields[field]);
    if (problem) problems[field] = problem;
    num[field] = parseFieldText(spec, form.fields[field]) ?? Number.NaN;
  }
  if (!problems.nEmbd && !problems.nHead && num.nEmbd! % num.nHead! !== 0) {
    problems.nHead = `Must divide the width (${num.nEmbd}).`;
  }
  const base = form.preset === 'custom' ? PRESETS.tiny : PRESETS[form.preset];
  const defaults = PRETRAIN_DEFAULTS[form.preset === 'custom' ? 'tiny' : form.preset];
  const valid = (field: FormField, fallback: number) => (problems[field] ? fallback : num[field]!);
  const nEmbd = valid('nEmbd', base.nEmbd);
  const dropout = valid('dropout', base.residPdrop);
  const config: Gpt1Config = {
    ...base,
    embdPdrop: dropout,
    attnPdrop: dropout,
    residPdrop: dropout,
    vocabSize,
    nLayer: valid('nLayer', base.nLayer),
    nEmbd,
    nHead: valid('nHead', base.nHead),
    nInner: 4 * nEmbd,
    nPositions: valid('context', base.nPositions),
  };
  const settings: PretrainSettings = {
    preset: form.preset,
    config,
    B: valid('batch', defaults.B),
    T: config.nPositions,
    steps: valid('steps', defaults.steps),
    lr: valid('lr', defaults.lr),
    seed: valid('seed', DEFAULT_SEED),
    evalEvery: valid('evalEvery', defaults.evalEvery),
    sampleEvery: valid('sampleEvery', defaults.sampleEvery),
    probeEvery: valid('probeEvery', defaults.probeEvery),
    samplePrompt: form.samplePrompt,
    accumulation: valid('accumulation', RECIPE_DEFAULTS.accumulation),
    // Empty: the schedule's own warm-up (1% of the steps).
    warmupSteps: form.fields.warmupSteps.trim() === '' ? null : valid('warmupSteps', Number.NaN),
    minLr: valid('minLr', RECIPE_DEFAULTS.minLr),
    weightDecay: valid('weightDecay', RECIPE_DEFAULTS.weightDecay),
  };
  // The checks that span fields (accumulation and batch, minimum and peak rate, warm-up and steps), shown on
  // the field they name, in the form's words.
  const across = pretrainSettingsProblem(settings, vocabSize);
  if (across && across.where in FIELD_OF && !problems[across.where as FormField]) {
    problems[across.where as FormField] = `${across.message[0]!.toUpperCase()}${across.message.slice(1)}.`;
  }
  return { problems, settings };
}

export interface PlanSlice {
  form: PretrainForm;
  plan: { status: 'idle' | 'planning' | 'ready'; summary?: PlanSummary };
  choosePreset: (preset: PresetName) => void;
  setField: (field: FormField, value: string) => void;
  setSamplePrompt: (text: string, byUser: boolean) => void;
  planRequested: () => void;
  /** The form cannot be planned (invalid, or no device yet): drop the stale plan. */
  planCancelled: () => void;
  planReceived: (summary: PlanSummary) => void;
  /** A run that starts from an imported model takes its shape (and at most its positions as context). */
  adoptModelShape: (shape: { nLayer: number; nEmbd: number; nHead: number; nPositions: number }) => void;
}

export const createPlanSlice: StateCreator<PlanSlice, [], [], PlanSlice> = (set) => ({
  form: { preset: 'tiny', fields: presetFields('tiny'), samplePrompt: DEFAULT_SAMPLE_PROMPT, promptEdited: false },
  plan: { status: 'idle' },
  choosePreset: (preset) =>
    set((s) => ({ form: { ...s.form, preset, fields: presetFields(preset, s.form.fields.seed) } })),
  setField: (field, value) =>
    set((s) => ({
      form: {
        ...s.form,
        preset: SHAPE_FIELDS.includes(field) ? matchPreset({ ...s.form.fields, [field]: value }) : s.form.preset,
        fields: { ...s.form.fields, [field]: value },
      },
    })),
  setSamplePrompt: (samplePrompt, byUser) =>
    set((s) =>
      byUser || !s.form.promptEdited
        ? { form: { ...s.form, samplePrompt, promptEdited: byUser || s.form.promptEdited } }
        : {},
    ),
  planRequested: () => set((s) => ({ plan: { ...s.plan, status: 'planning' } })),
  planReceived: (summary) => set({ plan: { status: 'ready', summary } }),
  planCancelled: () => set({ plan: { status: 'idle' } }),
  adoptModelShape: (shape) =>
    set((s) => {
      const context = Math.min(Number(s.form.fields.context) || shape.nPositions, shape.nPositions);
      const fields = {
        ...s.form.fields,
        nLayer: String(shape.nLayer),
        nEmbd: String(shape.nEmbd),
        nHead: String(shape.nHead),
        context: String(context),
      };
      return { form: { ...s.form, preset: matchPreset(fields), fields } };
    }),
});
