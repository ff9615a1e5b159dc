// What the Runs tab's model list does with a model (model-list.ts): generate from it (Pretrain tab's Generate
// panel), look into it (Attention tab), try it (its task tab), pre-train it further on the loaded corpus (the
// Pretrain tab with the imported model's tokenizer and weights), fine-tune it (a task tab starting from it),
// or export it. A fine-tuned model is first made the imported model ('adopt-model'); what comes next waits for
// the worker's 'checkpoint-imported', so the tokenizer and previews are never prepared from the model before.
import { TASK_FAMILIES, type TaskFamily } from '../../../data/tasks/task-types.ts';
import { prepareTokenizer } from '../../actions.ts';
import { PRETRAIN_CONTROLS } from '../../controls/pretrain-controls.ts';
import { sendCommand } from '../../engine-port.ts';
import { type ListedModel, PRETRAIN_MODEL } from '../../model-list.ts';
import { useAppStore } from '../../store/index.ts';
import { exportKeptModel } from './kept-model-actions.ts';

const get = () => useAppStore.getState();

/** What to do once an adopted model is the imported one. */
let afterAdopt: (() => void) | undefined;

/** Called on 'checkpoint-imported': the step after an adoption, if one waits. */
export function onModelImported(): void {
  const next = afterAdopt;
  afterAdopt = undefined;
  next?.();
}

/** Called on an import's or adoption's error: what waited for it is dropped (the error says why). */
export function onModelImportFailed(): void {
  afterAdopt = undefined;
}

/** Runs `then` with `model` as the imported model (at once for the imported model itself). */
function asImported(model: ListedModel, then: () => void): void {
  if (model.kind === 'imported') {
    then();
    return;
  }
  if (!model.ref) return;
  afterAdopt = then;
  sendCommand({ type: 'adopt-model', model: model.ref });
}

const exportControl = PRETRAIN_CONTROLS.find((c) => c.id === 'export')!;

const keyOf = (model: ListedModel) => (model.key === PRETRAIN_MODEL ? undefined : model.key);

export function generateFrom(model: ListedModel): void {
  const s = get();
  s.setGenerationModel(keyOf(model));
  s.setTab('pretrain');
}

export function inspectAttention(model: ListedModel): void {
  const s = get();
  s.setAttentionModel(keyOf(model));
  s.setTab('attention');
}

export function tryInTab(family: TaskFamily): void {
  get().setTab(family);
}

/** Pre-trains the model further: the Pretrain tab with its tokenizer and weights ("Imported model"). */
export function pretrainFurther(model: ListedModel): void {
  asImported(model, () => {
    const s = get();
    s.setTokenizerKind('model');
    prepareTokenizer(); // once a corpus is loaded; until then the choice waits for it
    s.setTab('pretrain');
  });
}

/** Fine-tunes the model: its task tab (the first task for a pre-trained one) starting from it. */
export function finetuneFrom(model: ListedModel): void {
  const go = (init: 'current' | 'imported') => {
    const s = get();
    for (const family of TASK_FAMILIES) s.setFinetuneForm(family, { init });
    s.setTab(model.family ?? 'classification');
  };
  if (model.kind === 'pre-training') go('current');
  else asImported(model, () => go('imported'));
}

/** Exports the model as a Hugging Face folder: the run's current weights, or a kept model's checkpoint. */
export function exportModel(model: ListedModel): void {
  if (model.kind === 'pre-training') exportControl.perform(get());
  else if (model.kept && model.runId) exportKeptModel(model.runId);
}

/** Why `model` cannot be exported here; undefined when it can. */
export function exportBlocker(model: ListedModel): string | undefined {
  if (model.kind === 'imported' || (model.kind === 'fine-tuned' && !model.kept)) {
    return 'it came from a folder on your disk';
  }
  if (model.kind === 'pre-training' && !exportControl.guard(get()).enabled) {
    return 'pause or stop the run first';
  }
  return undefined;
}
