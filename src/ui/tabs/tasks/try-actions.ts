// Try it from a task tab: which fine-tuned models of the tab's task can be tried (this page's latest run once
// it is finished, stopped or paused, the kept models of the same task, and a fine-tuning checkpoint imported
// of that task), and sending an example to one.
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { ImportedModelInfo, KeptModelSummary, TryInput } from '../../../engine/protocol.ts';
import { sendCommand } from '../../engine-port.ts';
import type { FinetuneRun } from '../../store/finetune-slice.ts';
import { useAppStore } from '../../store/index.ts';

export interface TryableModel {
  runId: string;
  /** In words, for the model chooser. */
  label: string;
}

const TRYABLE = new Set(['done', 'stopped', 'paused']);

/** The models a tab can try: its latest run (`latest`) first, the kept models of its task, an imported one. */
export function tryableModels(
  family: TaskFamily,
  latest: FinetuneRun | undefined,
  kept: readonly KeptModelSummary[],
  imported?: ImportedModelInfo,
): TryableModel[] {
  const out: TryableModel[] = [];
  if (latest && TRYABLE.has(latest.state) && latest.step > 0) {
    out.push({
      runId: latest.runId,
      label: `${latest.runId} (this tab's run, ${latest.state} at step ${latest.step})`,
    });
  }
  for (const m of kept) {
    if (m.family !== family || out.some((o) => o.runId === m.runId)) continue;
    out.push({ runId: m.runId, label: `${m.runId} (kept, step ${m.step} of ${m.totalSteps})` });
  }
  const finetuned = imported?.finetuned;
  if (finetuned?.family === family) out.push({ runId: finetuned.runId, label: `${imported!.name} (imported)` });
  return out;
}

let counter = 0;

/** Sends `input` to model `runId`; attention of its sequence `sequence`. */
export function tryExample(family: TaskFamily, runId: string, input: TryInput, sequence = 0): void {
  const requestId = `try:${family}:${++counter}`;
  useAppStore.getState().tryRequested(family, requestId, runId, input);
  sendCommand({ type: 'try-finetuned', requestId, runId, input, sequence });
}
