// What the Runs tab can do with a kept fine-tuned model: resume it (its task tab shows the run, its task files
// come back from storage), export its latest checkpoint as a Hugging Face folder (.zip), or delete it.
import type { KeptModelSummary } from '../../../engine/protocol.ts';
import { sendCommand } from '../../engine-port.ts';
import { type AppState, useAppStore } from '../../store/index.ts';
import { activeFinetuneRun } from '../tasks/finetune-actions.ts';

/** Why no kept model can be resumed now; undefined when one can. */
export function keptModelBlocker(s: AppState): string | undefined {
  const active = activeFinetuneRun(s);
  if (active) return `Fine-tuning run ${active.runId} is in progress: stop it to resume another.`;
  const pretraining = s.currentRunId ? s.runs[s.currentRunId] : undefined;
  if (pretraining && ['starting', 'preparing', 'running', 'pausing'].includes(pretraining.state)) {
    return 'Pre-training is running: pause or stop it to resume a fine-tuned model.';
  }
  return undefined;
}

export function resumeKeptModel(model: KeptModelSummary): void {
  const s = useAppStore.getState();
  if (keptModelBlocker(s)) return;
  s.finetuneRunCreated(model.runId, model.family, 'finetune', model.dataset);
  s.updateFinetuneRun(model.runId, () => ({ step: model.step, totalSteps: model.totalSteps }));
  sendCommand({ type: 'resume-finetuned-model', runId: model.runId });
  s.setTab(model.family); // the run trains in its task tab, with its files back in it
}

export function exportKeptModel(runId: string): void {
  sendCommand({ type: 'export-finetuned-model', runId });
}

/** Deletes the model's folder; the worker answers with the new list. */
export function deleteKeptModel(runId: string): void {
  sendCommand({ type: 'delete-finetuned-model', runId });
}
