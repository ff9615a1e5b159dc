// The one list of models a person can use: the current pre-training run, the imported model, and every
// fine-tuned model (finished in this page, kept in storage, or imported from a fine-tuning checkpoint). Each
// is generated from, looked into in Attention, pre-trained further and fine-tuned; the Runs tab lists them
// with those actions, and Generate and Attention choose among them by key.

import { useShallow } from 'zustand/react/shallow';
import type { TaskFamily } from '../data/tasks/task-types.ts';
import type { ModelRef } from '../engine/protocol.ts';
import { finetunedModels, modelRun } from './actions.ts';
import { type AppState, useAppStore } from './store/index.ts';
import { ACTIVE_FINETUNE_STATES } from './tabs/tasks/finetune-actions.ts';

/** The key of the current pre-training run in a model choice (the default). */
export const PRETRAIN_MODEL = 'pretrain';

export interface ListedModel {
  /** What Generate and Attention store to choose it. */
  key: string;
  kind: 'pre-training' | 'imported' | 'fine-tuned';
  /** In words, for choosers and the list. */
  label: string;
  /** What the engine is sent for it; absent: the current pre-training run (`runId`). */
  ref?: ModelRef;
  runId?: string;
  /** A fine-tuned model's task. */
  family?: TaskFamily;
  /** Kept in storage: it can be exported (and resumed, deleted) from the Runs tab. */
  kept: boolean;
}

export const modelKey = (ref: ModelRef): string => (ref.kind === 'imported' ? 'imported' : `finetune:${ref.runId}`);

/** Every model of the page, the current pre-training run first, then the imported model, then fine-tuned ones. */
export function listModels(s: AppState): ListedModel[] {
  const out: ListedModel[] = [];
  const run = modelRun(s);
  if (run && run.state !== 'preparing') {
    // A run still preparing has no weights in the worker yet.
    out.push({
      key: PRETRAIN_MODEL,
      kind: 'pre-training',
      label: `Pre-training run ${run.runId} (step ${run.step})`,
      runId: run.runId,
      kept: false,
    });
  }
  const info = s.imported.status === 'ready' ? s.imported.info : undefined;
  if (info) {
    out.push({
      key: 'imported',
      kind: 'imported',
      label: `Imported ${info.name}`,
      ref: { kind: 'imported' },
      kept: false,
    });
  }
  const finetuned = (runId: string, family: TaskFamily, label: string, kept: boolean) => {
    if (out.some((m) => m.runId === runId && m.kind === 'fine-tuned')) return;
    const ref = { kind: 'finetune' as const, runId };
    out.push({ key: modelKey(ref), kind: 'fine-tuned', label, ref, runId, family, kept });
  };
  const keptIds = new Set(s.keptModels.map((m) => m.runId));
  for (const r of finetunedModels(s)) {
    finetuned(r.runId, r.family, `Fine-tuned ${r.family} model ${r.runId}`, keptIds.has(r.runId));
  }
  for (const m of s.keptModels) {
    // A run training now has no settled model to look at; its kept checkpoint comes back when it pauses or ends.
    if (ACTIVE_FINETUNE_STATES.has(s.finetuneRuns[m.runId]?.state ?? 'done')) continue;
    finetuned(m.runId, m.family, `Fine-tuned ${m.family} model ${m.runId} (kept, step ${m.step})`, true);
  }
  const imported = info?.finetuned;
  if (imported) {
    finetuned(imported.runId, imported.family, `Fine-tuned ${imported.family} model ${info!.name} (imported)`, false);
  }
  return out;
}

/** The listed model chosen by `key`, if it is still there. */
export function chosenModel(s: AppState, key: string | undefined): ListedModel | undefined {
  const models = listModels(s);
  return models.find((m) => m.key === (key ?? PRETRAIN_MODEL));
}

/**
 * The model list for a component. Listing builds new objects on every call, so the component subscribes to what
 * it shows (each model's key, label and whether it is kept) and re-renders when that changes, not on every store
 * update.
 */
export function useModelList(): ListedModel[] {
  useAppStore(useShallow((s) => listModels(s).map((m) => `${m.key} ${m.label} ${m.kept}`)));
  return listModels(useAppStore.getState());
}
