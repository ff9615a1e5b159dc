// What a task tab can ask for about fine-tuning: edit the settings (re-previewing the example when what it is
// tokenised with changes) and say why a fine-tuning run or the comparison cannot start. Importing a checkpoint
// is checkpoint-import.ts. Starting and stopping are run controls (controls/finetune-controls.ts).
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { FinetuneInitChoice } from '../../../engine/protocol.ts';
import type { FinetuneForm, FinetuneRun } from '../../store/finetune-slice.ts';
import { type AppState, useAppStore } from '../../store/index.ts';
import { parseCompareForm } from './compare-form.ts';
import { parseFinetuneForm } from './finetune-form.ts';
import { refreshPreview } from './task-file-actions.ts';

const get = () => useAppStore.getState();

export function setFinetuneForm(family: TaskFamily, patch: Partial<FinetuneForm>): void {
  const before = get().finetuneForms[family];
  get().setFinetuneForm(family, patch);
  const after = get().finetuneForms[family];
  if (before.init !== after.init || before.preset !== after.preset || before.context !== after.context) {
    refreshPreview(family);
  }
}

export function setInit(family: TaskFamily, init: FinetuneInitChoice): void {
  setFinetuneForm(family, { init });
}

/** The pre-training run whose weights "Current pretrained model" would use, and whether it can be used now. */
export function currentModel(s: AppState = get()): { usable: boolean; text: string } {
  const run = s.currentRunId ? s.runs[s.currentRunId] : undefined;
  if (!run) return { usable: false, text: 'none yet: pretrain one on the Pretrain tab' };
  const what = `run ${run.runId}, step ${run.step} of ${run.totalSteps}`;
  if (run.state === 'paused' || run.state === 'stopped' || run.state === 'done') {
    return run.step > 0
      ? { usable: true, text: `${what} (${run.state})` }
      : { usable: false, text: `${what}: no steps yet` };
  }
  if (run.state === 'error') return { usable: false, text: `${what} ended in an error` };
  return { usable: false, text: `${what} is ${run.state}: pause or stop it to fine-tune from it` };
}

/** States in which a fine-tuning run holds the GPU and can be stopped. */
export const ACTIVE_FINETUNE_STATES: ReadonlySet<FinetuneRun['state']> = new Set([
  'starting',
  'preparing',
  'running',
  'pausing',
  'paused',
]);

export function activeFinetuneRun(s: AppState = get()): FinetuneRun | undefined {
  return Object.values(s.finetuneRuns).find((r) => ACTIVE_FINETUNE_STATES.has(r.state));
}

/** Why Train (or Compare) cannot start now; empty when it can. */
export function finetuneStartBlockers(family: TaskFamily, kind: FinetuneRun['kind'], s: AppState = get()): string[] {
  const tab = s.tasks[family];
  const form = s.finetuneForms[family];
  const reasons: string[] = [];
  if (!tab.train.summary) reasons.push('add a training file');
  if (!tab.dev.summary) reasons.push('add a dev file');
  else if (tab.dev.summary.problem) reasons.push('the dev file does not fit the training file');
  const { problems } = parseFinetuneForm(family, form);
  const compareProblems = kind === 'compare' ? parseCompareForm(form).problems : {};
  if (Object.keys(problems).length || Object.keys(compareProblems).length) reasons.push('fix the highlighted settings');
  const init = form.init;
  const needsCurrent = init === 'current' || (kind === 'compare' && init === 'scratch');
  if (needsCurrent && !currentModel(s).usable) {
    reasons.push(
      kind === 'compare'
        ? 'Compare needs a pretrained model: pretrain one or import a checkpoint'
        : 'no usable pretrained model',
    );
  }
  if (init === 'imported' && s.imported.status !== 'ready') reasons.push('import a checkpoint');
  if (activeFinetuneRun(s)) reasons.push('a fine-tuning run is in progress');
  const pretraining = s.currentRunId ? s.runs[s.currentRunId] : undefined;
  if (pretraining && ['starting', 'preparing', 'running', 'pausing'].includes(pretraining.state)) {
    reasons.push('pre-training is running (pause or stop it)');
  }
  return reasons;
}
