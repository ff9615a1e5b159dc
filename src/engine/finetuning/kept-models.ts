// A kept fine-tuned model read back from its store folder for resuming: its manifest (settings, task family,
// task files' names and mappings), its task files parsed again into the tab they belong to (the same text
// and mapping give the same examples and label map), its checkpoint (which must be a fine-tuning one of that
// family) and its history. Any problem is an error naming the file; nothing is changed then.
import type { SavedRun } from '../../storage/checkpoint-store.ts';
import {
  FINETUNED_HISTORY_FILE,
  type KeptModelSummary,
  parseFinetuneHistory,
  parseKeptModelFiles,
} from '../../storage/finetuned-model-files.ts';
import { tokenizerFromJSON } from '../../tokenizer/from-json.ts';
import { type Checkpoint, readCheckpoint } from '../../train/checkpoint.ts';
import { isTaskFamily } from '../../train/finetune-card.ts';
import type { RunTaskFile } from './finetune-keeper.ts';
import { TaskFiles } from './task-files.ts';
import type { TriedModel } from './try-model.ts';

/** The kept model's run, ready to resume; `tab` holds its task files for the tab to adopt. */
export function restoreKeptModel(saved: SavedRun<KeptModelSummary>) {
  const { manifest, train, dev } = parseKeptModelFiles(saved.run);
  const ckpt = readCheckpoint(saved.checkpoint);
  const { family, settings } = manifest;
  if (ckpt.state.kind !== 'finetune' || ckpt.state.notes.family !== family) {
    throw new Error(`its checkpoint is not a ${family} fine-tuning checkpoint (training_state.json)`);
  }
  // Read as the person would drop them, apart from the tab's own files until everything is read.
  const tabs = new TaskFiles();
  const changed = [
    ...tabs.load(family, 'train', manifest.train.name, train, manifest.train.mapping),
    ...tabs.load(family, 'dev', manifest.dev.name, dev, manifest.dev.mapping),
  ];
  const data = tabs.ready(family);
  const loaded = tabs.get(family);
  const taskFile = (file: NonNullable<typeof loaded.train>): RunTaskFile => ({
    name: file.name,
    text: file.text,
    ...(file.mapping ? { mapping: file.mapping } : {}),
  });
  const files = { train: taskFile(loaded.train!), dev: taskFile(loaded.dev!) };
  const history = parseFinetuneHistory(saved.checkpoint.get(FINETUNED_HISTORY_FILE));
  return { settings, data, ckpt, files, history, changed, tab: loaded, init: manifest.init };
}

/** A kept model's latest checkpoint as a model to try: its task from the training state, labels from id2label. */
export function keptTriedModel(saved: SavedRun<KeptModelSummary>): TriedModel {
  const tried = finetunedCheckpointModel(readCheckpoint(saved.checkpoint));
  if (!tried) {
    throw new Error(`Kept model ${saved.summary.runId} is not a fine-tuning checkpoint (training_state.json).`);
  }
  return tried;
}

/** A fine-tuning checkpoint's model (its task, tokenizer, context, weights and labels); undefined for another. */
export function finetunedCheckpointModel(ckpt: Checkpoint): TriedModel | undefined {
  const { notes } = ckpt.state;
  if (ckpt.state.kind !== 'finetune' || !isTaskFamily(notes.family)) return undefined;
  return {
    config: ckpt.config,
    task: { family: notes.family, regression: Number(notes.regression) === 1, numLabels: Number(notes.numLabels) },
    tokenizer: tokenizerFromJSON(ckpt.state.tokenizer),
    T: ckpt.state.T,
    params: ckpt.params,
    ...(ckpt.labels ? { classNames: ckpt.labels } : {}),
  };
}
