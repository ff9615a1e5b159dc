// The pre-training run's controls: Start, Pause/Resume, Step once, Stop and Export, following the worker's
// run-state machine (starting → preparing → running ⇄ pausing → paused → stopped | done | error).
// Space starts, pauses or resumes (whichever of Start and Pause/Resume is enabled); '.' steps once.
import { currentRun, isActive, plannedVocab, startBlockers } from '../actions.ts';
import { sendCommand } from '../engine-port.ts';
import type { AppState } from '../store/index.ts';
import { parseForm } from '../store/plan-slice.ts';
import { probeSetsAtStart } from '../store/probe-files-slice.ts';
import { DISABLED, ENABLED, type RunControl, unlessBlocked } from './run-control.ts';

const state = (s: AppState) => currentRun(s)?.state;
const canResume = (s: AppState) => state(s) === 'paused' || state(s) === 'pausing';
const available = (yes: boolean) => (yes ? ENABLED : DISABLED);

function newRunId(preset: string): string {
  return `${preset}-${Date.now().toString(36).slice(-6)}`;
}

/**
 * Starts a new run from the form; `paused` opens it at step 0 without training (a model imported to pre-train
 * further can then be generated from, inspected and exported before any step).
 */
export function startRun(s: AppState, paused: boolean): void {
  const { settings } = parseForm(s.form, plannedVocab(s));
  const runId = newRunId(settings.preset);
  s.clearErrors('run');
  s.clearErrors('training');
  s.runCreated(runId, settings, 0, probeSetsAtStart(s, settings));
  sendCommand({ type: 'start-pretrain', runId, settings, ...(paused ? { paused } : {}) });
}

/** Whether a new run can start now (the Start control's guard, without its hint). */
export function canStartRun(s: AppState): boolean {
  return startBlockers(s).length === 0 && !isActive(currentRun(s));
}

/** Sends `command` for the current run (the guards have checked there is one). */
function command(type: 'pause' | 'resume' | 'step-once' | 'stop' | 'export-checkpoint', s: AppState): void {
  const run = currentRun(s);
  if (run) sendCommand({ type, runId: run.runId });
}

export const PRETRAIN_CONTROLS: readonly RunControl[] = [
  {
    id: 'start',
    label: 'Start',
    icon: 'play',
    tone: 'primary',
    shortcut: { key: ' ', keys: 'Space', help: 'Start training' },
    // While a run is active, "a run is in progress" is plain to see: no hint for it.
    guard: (s) => unlessBlocked(startBlockers(s), isActive(currentRun(s))),
    perform: (s) => startRun(s, false),
  },
  {
    id: 'pause-resume',
    label: (s) => (canResume(s) ? 'Resume' : 'Pause'),
    icon: (s) => (canResume(s) ? 'play' : 'pause'),
    shortcut: { key: ' ', keys: 'Space', help: 'Pause training at the next step boundary, or resume it' },
    guard: (s) => available(canResume(s) || state(s) === 'running'),
    perform: (s) => command(canResume(s) ? 'resume' : 'pause', s),
  },
  {
    id: 'step-once',
    label: 'Step once',
    icon: 'step',
    shortcut: { key: '.', keys: '.', help: 'Step once (while paused)' },
    guard: (s) => available(state(s) === 'paused'),
    perform: (s) => command('step-once', s),
  },
  {
    id: 'stop',
    label: 'Stop',
    icon: 'stop',
    tone: 'danger',
    guard: (s) => available(isActive(currentRun(s))),
    perform: (s) => command('stop', s),
  },
  {
    id: 'export',
    label: 'Export Hugging Face folder (.zip)',
    title: 'config.json, model.safetensors, optimizer state and a model card: loads in transformers',
    guard: (s) => available(['paused', 'stopped', 'done'].includes(state(s) ?? '')),
    // The worker answers with the folder's files; apply-event.ts zips and downloads them.
    perform: (s) => command('export-checkpoint', s),
  },
];
