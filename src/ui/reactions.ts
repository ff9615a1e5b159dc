// Follow-up commands the UI sends on its own, as TensorFlow Playground does (every change takes effect):
// a corpus the user loaded builds the tokenizer; a built tokenizer, a ready device or an edited form
// re-plans memory; a ready device and a finished run refresh the list of saved runs. On the task tabs, a
// pre-training run that paused or ended and a newly imported checkpoint re-preview the tabs that start from
// them, and a dev file with unknown columns tries the training file's mapping. The kernel-tuning choice is
// saved and sent to the engine at start and on every change.

import type { EngineEvent } from '../engine/protocol.ts';
import { prepareTokenizer, requestNextTokens, requestPlan } from './actions.ts';
import { sendCommand } from './engine-port.ts';
import { DEFAULT_ATTENTION_TEXT } from './store/attention-slice.ts';
import { KERNEL_TUNING_KEY } from './store/device-slice.ts';
import { DEFAULT_PROMPT } from './store/generation-slice.ts';
import { type AppState, useAppStore } from './store/index.ts';
import { onModelImported, onModelImportFailed } from './tabs/runs/model-actions.ts';
import { onTaskFileNeedsMapping, refreshPreviews } from './tabs/tasks/task-file-actions.ts';

const PLAN_DEBOUNCE_MS = 250;
let planTimer: ReturnType<typeof setTimeout> | undefined;

function schedulePlan(): void {
  clearTimeout(planTimer);
  planTimer = setTimeout(requestPlan, PLAN_DEBOUNCE_MS);
}

/** First words of the corpus, for the sample prompt until the user types one. */
function openingWords(preview: string): string {
  const line = preview.split('\n').find((l) => l.trim()) ?? '';
  const words = line.trim().split(/\s+/).slice(0, 2).join(' ');
  return words ? `${words} ` : '\n';
}

/** The first non-empty line, cut at a word boundary near 60 characters: short enough to read in the views. */
function openingLine(preview: string): string {
  const line = (preview.split('\n').find((l) => l.trim()) ?? '').trim();
  if (line.length <= 60) return line || DEFAULT_ATTENTION_TEXT;
  const cut = line.lastIndexOf(' ', 60);
  return line.slice(0, cut > 20 ? cut : 60);
}

/** Reacts to `event`, already applied to the store; `before` is the state it was applied to. */
export function reactToEvent(event: EngineEvent, before: AppState): void {
  const s = useAppStore.getState();
  switch (event.type) {
    case 'device-ready':
      schedulePlan();
      sendCommand({ type: 'list-saved-runs' });
      sendCommand({ type: 'list-finetune-runs' });
      sendCommand({ type: 'list-finetuned-models' });
      break;
    case 'device-unavailable':
      sendCommand({ type: 'list-finetune-runs' }); // kept results need no GPU
      sendCommand({ type: 'list-finetuned-models' });
      break;
    case 'corpus-loaded': {
      const preview = event.stats.preview;
      s.setSamplePrompt(openingWords(preview), false);
      if (s.generation.prompt === DEFAULT_PROMPT) s.setGenerationPrompt(openingWords(preview));
      if (s.attention.text === DEFAULT_ATTENTION_TEXT) s.setAttentionText(openingLine(preview));
      // Only a corpus the user asked for: a resumed run's corpus arrives with its own tokenizer.
      if (before.corpus.status === 'loading') prepareTokenizer();
      break;
    }
    case 'tokenizer-ready':
      schedulePlan();
      break;
    case 'run-state':
      if (event.state === 'done' || event.state === 'stopped' || event.state === 'paused') {
        sendCommand({ type: 'list-saved-runs' });
        // "Current pretrained model" previews can use its tokenizer now.
        refreshPreviews('current');
      }
      break;
    case 'task-file-needs-mapping':
      onTaskFileNeedsMapping(event.family, event.role, event.columns);
      break;
    case 'checkpoint-imported':
      refreshPreviews('imported');
      onModelImported(); // a model adopted from the Runs tab's list goes on to what was asked
      if (s.generation.modelKey === 'imported') scheduleNextTokens(); // another model under the same key
      break;
    case 'error':
      if (event.where === 'checkpoint') onModelImportFailed(); // an adoption refused: nothing waits on it
      break;
  }
}

/** Re-plans when the form changes. Returns the unsubscribe function. */
export function watchForm(): () => void {
  return useAppStore.subscribe((state, previous) => {
    if (state.form.fields !== previous.form.fields || state.form.preset !== previous.form.preset) {
      // The plan on screen no longer matches the form: say so (and hold Start) until the new one arrives.
      if (state.plan.status !== 'planning') state.planRequested();
      schedulePlan();
    }
  });
}

const NEXT_TOKENS_DEBOUNCE_MS = 200;
let nextTokensTimer: ReturnType<typeof setTimeout> | undefined;

function scheduleNextTokens(): void {
  clearTimeout(nextTokensTimer);
  nextTokensTimer = setTimeout(requestNextTokens, NEXT_TOKENS_DEBOUNCE_MS);
}

/**
 * Refreshes the next-token view when the prompt, temperature, top-k or model change, and when the weights settle
 * (a run pauses, stops or ends: not every step while it trains). Returns the unsubscribe function.
 */
export function watchNextTokens(): () => void {
  return useAppStore.subscribe((state, previous) => {
    const g = state.generation;
    const p = previous.generation;
    const settled = (s: AppState) => {
      const run = s.currentRunId ? s.runs[s.currentRunId] : undefined;
      // Paused, stopped or done: a run still preparing has no weights in the worker yet.
      const still = run && (run.state === 'paused' || run.state === 'stopped' || run.state === 'done');
      return still ? `${run.runId}@${run.step}` : undefined;
    };
    const weightsSettled = settled(state) !== undefined && settled(state) !== settled(previous);
    if (
      g.prompt !== p.prompt ||
      g.fields.temperature !== p.fields.temperature ||
      g.fields.topK !== p.fields.topK ||
      g.modelKey !== p.modelKey ||
      weightsSettled
    ) {
      scheduleNextTokens();
    }
  });
}

/** Sends the kernel-tuning choice now, then saves and sends each change. Returns the unsubscribe function. */
export function watchKernelTuning(): () => void {
  sendCommand({ type: 'set-kernel-tuning', enabled: useAppStore.getState().kernelTuning.enabled });
  return useAppStore.subscribe((state, previous) => {
    const { enabled } = state.kernelTuning;
    if (enabled === previous.kernelTuning.enabled) return;
    try {
      localStorage.setItem(KERNEL_TUNING_KEY, enabled ? 'on' : 'off');
    } catch {
      // storage blocked: the choice holds for this page only
    }
    sendCommand({ type: 'set-kernel-tuning', enabled });
  });
}
