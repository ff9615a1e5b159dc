// The workspace's settings in the page's address: the pre-training form, the generation box and each task
// tab's fine-tuning form (never data, never weights), as the hash `#pretrain.lr=0.002&generate.topK=5&...`
// holding only what differs from the defaults. Opening such a link restores them; each value is checked with
// its field's schema (the same bounds and words as the forms), and one that is not allowed, or a name that
// is not a setting, is refused on its own with a message in the alert region, while the rest still apply.
import { TASK_FAMILIES, type TaskFamily } from '../data/tasks/task-types.ts';
import { PRESETS, type PresetName } from '../model/config.ts';
import { formProblem, type NumberField } from '../train/settings/field.ts';
import { FINETUNE_FIELDS, type FinetuneField } from '../train/settings/finetune-settings.ts';
import { GENERATE_FIELDS } from '../train/settings/generate-settings.ts';
import { DEFAULT_SAMPLE_PROMPT } from '../train/settings/pretrain-settings.ts';
import { DEFAULT_FINETUNE_FORM, type FinetuneForm } from './store/finetune-slice.ts';
import { DEFAULT_GENERATION_FIELDS, DEFAULT_PROMPT, GENERATION_FIELDS } from './store/generation-slice.ts';
import { type AppState, useAppStore } from './store/index.ts';
import { FORM_FIELDS, type FormField, presetFields, pretrainFieldSpec } from './store/plan-slice.ts';
import { setFinetuneForm } from './tabs/tasks/finetune-actions.ts';

/** The longest prompt a link may carry (a link is not a corpus). */
const MAX_LINK_TEXT = 2000;
const INITS = ['current', 'imported', 'scratch'] as const;
const FINETUNE_NUMBER_FIELDS = Object.keys(FINETUNE_FIELDS) as FinetuneField[];

/** One setting a link can carry: how to read the current value, check a linked one and apply it. */
interface LinkSetting {
  current: (s: AppState) => string;
  fallback: (s: AppState) => string;
  /** Why `text` is not allowed (undefined: it is). */
  problem: (text: string) => string | undefined;
  apply: (text: string) => void;
}

const numberProblem = (field: NumberField) => (text: string) => formProblem(field, text);
const oneOf = (allowed: readonly string[]) => (text: string) =>
  allowed.includes(text) ? undefined : `Must be one of ${allowed.join(', ')}.`;
const textProblem = (text: string) =>
  text.length > MAX_LINK_TEXT ? `At most ${MAX_LINK_TEXT} characters in a link.` : undefined;

/** The pre-training form's defaults for the preset it is on (tiny's when custom). */
const presetDefaults = (s: AppState) => presetFields(s.form.preset === 'custom' ? 'tiny' : s.form.preset);

function linkSettings(): Map<string, LinkSetting> {
  const store = () => useAppStore.getState();
  const settings = new Map<string, LinkSetting>();
  settings.set('pretrain.preset', {
    current: (s) => s.form.preset,
    fallback: () => 'tiny',
    problem: oneOf(Object.keys(PRESETS)),
    apply: (text) => store().choosePreset(text as PresetName),
  });
  for (const field of FORM_FIELDS) {
    settings.set(`pretrain.${field}`, {
      current: (s) => s.form.fields[field],
      fallback: (s) => presetDefaults(s)[field],
      problem: numberProblem(pretrainFieldSpec(field)),
      apply: (text) => store().setField(field as FormField, text),
    });
  }
  settings.set('pretrain.samplePrompt', {
    current: (s) => s.form.samplePrompt,
    fallback: () => DEFAULT_SAMPLE_PROMPT,
    problem: textProblem,
    apply: (text) => store().setSamplePrompt(text, true),
  });
  settings.set('generate.prompt', {
    current: (s) => s.generation.prompt,
    fallback: () => DEFAULT_PROMPT,
    problem: textProblem,
    apply: (text) => store().setGenerationPrompt(text),
  });
  for (const field of GENERATION_FIELDS) {
    settings.set(`generate.${field}`, {
      current: (s) => s.generation.fields[field],
      fallback: () => DEFAULT_GENERATION_FIELDS[field],
      problem: numberProblem(GENERATE_FIELDS[field]),
      apply: (text) => store().setGenerationField(field, text),
    });
  }
  for (const family of TASK_FAMILIES) {
    const finetune = (key: keyof FinetuneForm, problem: (text: string) => string | undefined): LinkSetting => ({
      current: (s) => s.finetuneForms[family][key],
      fallback: () => DEFAULT_FINETUNE_FORM[key],
      problem,
      apply: (text) => setFinetuneForm(family as TaskFamily, { [key]: text }),
    });
    settings.set(`${family}.init`, finetune('init', oneOf(INITS)));
    settings.set(`${family}.preset`, finetune('preset', oneOf(Object.keys(PRESETS))));
    for (const key of FINETUNE_NUMBER_FIELDS) {
      settings.set(`${family}.${key}`, finetune(key, numberProblem(FINETUNE_FIELDS[key])));
    }
  }
  return settings;
}

/** The hash (without '#') holding the settings of `state` that differ from their defaults. */
export function settingsHash(state: AppState = useAppStore.getState()): string {
  const params = new URLSearchParams();
  for (const [key, setting] of linkSettings()) {
    const value = setting.current(state);
    if (value !== setting.fallback(state)) params.set(key, value);
  }
  return params.toString();
}

/** A value refused from a link: which setting, and why. */
export interface RefusedSetting {
  key: string;
  message: string;
}

/**
 * Applies the settings a link's hash carries, each checked on its own: an allowed value goes into its form
 * (the preset first, so the fields it carries land on it); a refused one changes nothing and is returned.
 */
export function applySettingsHash(hash: string): { applied: string[]; refused: RefusedSetting[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const settings = linkSettings();
  const entries = [...params.entries()].sort(
    ([a], [b]) => Number(b === 'pretrain.preset') - Number(a === 'pretrain.preset'),
  );
  const applied: string[] = [];
  const refused: RefusedSetting[] = [];
  for (const [key, text] of entries) {
    const setting = settings.get(key);
    const problem = setting ? setting.problem(text) : 'Not a setting this page has.';
    if (problem || !setting) {
      refused.push({ key, message: `${problem} (got "${text.slice(0, 80)}")` });
      continue;
    }
    setting.apply(text);
    applied.push(key);
  }
  return { applied, refused };
}

/** Restores the settings of the page's own link, each refused value shown in the alert region. */
export function restoreLinkedSettings(): void {
  if (!location.hash || location.hash === '#') return;
  const { refused } = applySettingsHash(location.hash);
  for (const { key, message } of refused) {
    useAppStore.getState().pushError({ where: `link: ${key}`, message, target: 'other' });
  }
}

const SYNC_MS = 300;

/**
 * Keeps the page's address holding the current settings (replaceState: no history entry per keystroke), so
 * the address is always a link to them. Returns the unsubscribe function.
 */
export function watchLinkedSettings(): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = useAppStore.subscribe((state, previous) => {
    if (
      state.form === previous.form &&
      state.generation.prompt === previous.generation.prompt &&
      state.generation.fields === previous.generation.fields &&
      state.finetuneForms === previous.finetuneForms
    ) {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      const hash = settingsHash();
      const url = `${location.pathname}${location.search}${hash ? `#${hash}` : ''}`;
      history.replaceState(history.state, '', url);
    }, SYNC_MS);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
