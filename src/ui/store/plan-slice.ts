// Plan slice: the pre-training form (preset, model shape, training settings, as typed) and the worker's
// memory plan for it. Validation lives here so the form, Start and the keyboard shortcuts agree.
import type { StateCreator } from 'zustand';
import type { PlanSummary, PretrainSettings } from '../../engine/protocol.ts';
import { type Gpt1Config, PRESETS, type PresetName } from '../../model/config.ts';

export const FORM_FIELDS = [
  'nLayer',
  'nEmbd',
  'nHead',
  'context',
  'batch',
  'lr',
  'steps',
  'seed',
  'evalEvery',
  'sampleEvery',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];
/** Fields that change the model's shape (and so make the preset "custom"). */
const SHAPE_FIELDS: readonly FormField[] = ['nLayer', 'nEmbd', 'nHead', 'context'];

export interface PretrainForm {
  preset: PresetName | 'custom';
  fields: Record<FormField, string>;
  samplePrompt: string;
  /** True once the user typed a prompt; until then the corpus's first words fill it. */
  promptEdited: boolean;
}

const TRAINING_DEFAULTS: Record<
  PresetName,
  Pick<Record<FormField, string>, 'batch' | 'lr' | 'steps' | 'evalEvery' | 'sampleEvery'>
> = {
  tiny: { batch: '8', lr: '0.001', steps: '1000', evalEvery: '50', sampleEvery: '50' },
  small: { batch: '16', lr: '0.001', steps: '5000', evalEvery: '250', sampleEvery: '250' },
  gpt1: { batch: '64', lr: '0.00025', steps: '100000', evalEvery: '1000', sampleEvery: '1000' },
};

export function presetFields(preset: PresetName, seed = '1234'): Record<FormField, string> {
  const c = PRESETS[preset];
  return {
    nLayer: String(c.nLayer),
    nEmbd: String(c.nEmbd),
    nHead: String(c.nHead),
    context: String(c.nPositions),
    seed,
    ...TRAINING_DEFAULTS[preset],
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

const INTEGER_RANGES: Partial<Record<FormField, [number, number]>> = {
  nLayer: [1, 48],
  nEmbd: [8, 4096],
  nHead: [1, 64],
  context: [2, 2048],
  batch: [1, 1024],
  steps: [1, 10_000_000],
  seed: [0, 2 ** 32 - 1],
  evalEvery: [0, 1_000_000],
  sampleEvery: [0, 1_000_000],
};

/** Parses the typed form into settings; `problems` names each field that is wrong and why. */
export function parseForm(form: PretrainForm, vocabSize: number): Parsed {
  const problems: Partial<Record<FormField, string>> = {};
  const num: Partial<Record<FormField, number>> = {};
  for (const field of FORM_FIELDS) {
    const text = form.fields[field].trim();
    const value = Number(text);
    const range = INTEGER_RANGES[field];
    if (text === '' || !Number.isFinite(value)) problems[field] = 'Enter a number.';
    else if (range && (!Number.isInteger(value) || value < range[0] || value > range[1])) {
      problems[field] = `A whole number from ${range[0]} to ${range[1].toLocaleString('en-US')}.`;
    } else if (field === 'lr' && !(value > 0 && value < 1)) problems[field] = 'Between 0 and 1, e.g. 0.001.';
    num[field] = value;
  }
  if (!problems.nEmbd && !problems.nHead && num.nEmbd! % num.nHead! !== 0) {
    problems.nHead = `Must divide the width (${num.nEmbd}).`;
  }
  const base = form.preset === 'custom' ? PRESETS.tiny : PRESETS[form.preset];
  const config: Gpt1Config = {
    ...base,
    vocabSize,
    nLayer: num.nLayer ?? base.nLayer,
    nEmbd: num.nEmbd ?? base.nEmbd,
    nHead: num.nHead ?? base.nHead,
    nInner: 4 * (num.nEmbd ?? base.nEmbd),
    nPositions: num.context ?? base.nPositions,
  };
  return {
    problems,
    settings: {
      preset: form.preset,
      config,
      B: num.batch ?? 1,
      T: config.nPositions,
      steps: num.steps ?? 1,
      lr: num.lr ?? 1e-3,
      seed: num.seed ?? 0,
      evalEvery: num.evalEvery ?? 50,
      sampleEvery: num.sampleEvery ?? 50,
      samplePrompt: form.samplePrompt,
    },
  };
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
}

export const createPlanSlice: StateCreator<PlanSlice, [], [], PlanSlice> = (set) => ({
  form: { preset: 'tiny', fields: presetFields('tiny'), samplePrompt: 'The ', promptEdited: false },
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
});
