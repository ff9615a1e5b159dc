// Where kept fine-tuned models live: the checkpoint store's folder protocol (folder-store.ts: a checkpoint is
// complete or invisible, the previous one stays until its successor is committed) under its own folder, in
// OPFS in the browser and in memory in tests and where there is no OPFS. Their fixed files and summaries are
// finetuned-model-files.ts's.
import type { CheckpointStore } from './checkpoint-store.ts';
import type { KeptModelSummary } from './finetuned-model-files.ts';
import { memoryCheckpointStore } from './memory-store.ts';
import { opfsCheckpointStore } from './opfs-store.ts';

export type FinetunedModelStore = CheckpointStore<KeptModelSummary>;

export const FINETUNED_MODELS_FOLDER = 'gpt1-lab-finetuned-models';

export function memoryFinetunedModelStore(): FinetunedModelStore {
  return memoryCheckpointStore<KeptModelSummary>();
}

/** The OPFS store, or undefined where the browser has no OPFS. */
export function opfsFinetunedModelStore(
  folderName = FINETUNED_MODELS_FOLDER,
): Promise<FinetunedModelStore | undefined> {
  return opfsCheckpointStore<KeptModelSummary>(folderName);
}
