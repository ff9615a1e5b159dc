// The one model list as the engine's events build it: the current pre-training run, the imported model, and
// each fine-tuned model once (finished here and kept, kept only, imported from a fine-tuning checkpoint), a
// training one left out until it settles; and the keys Generate and Attention choose by.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ImportedModelInfo, KeptModelSummary, PretrainSettings } from '../engine/protocol.ts';
import { paperFinetuneSettings } from '../train/settings/finetune-settings.ts';
import { chosenModel, listModels } from './model-list.ts';
import { applyEngineEvent } from './store/apply-event.ts';
import { useAppStore } from './store/index.ts';
import { parseForm } from './store/plan-slice.ts';

const initial = useAppStore.getState();
beforeEach(() => useAppStore.setState(initial, true));

const settings = (): PretrainSettings => parseForm(useAppStore.getState().form, 64).settings;

function kept(runId: string, step: number): KeptModelSummary {
  return {
    runId,
    savedAt: '2026-12-05T00:00:00Z',
    family: 'classification',
    step,
    totalSteps: 6,
    settings: paperFinetuneSettings('classification'),
    dataset: { train: 'train.tsv', dev: 'dev.tsv' },
    lastEval: null,
  };
}

const info = (finetuned?: ImportedModelInfo['finetuned']): ImportedModelInfo => ({
  name: 'openai-gpt',
  kind: 'hugging-face',
  layers: 12,
  dims: 768,
  heads: 12,
  positions: 512,
  vocabSize: 40478,
  parameters: 116_534_784,
  tokenizer: "GPT-1's BPE, 40,478 tokens",
  warnings: [],
  ...(finetuned ? { finetuned } : {}),
});

const rows = () => listModels(useAppStore.getState()).map((m) => [m.key, m.kind, m.label, m.kept]);

describe('the model list', () => {
  it('is empty before anything, then lists the run, the import and each fine-tuned model once', () => {
    expect(rows()).toEqual([]);
    const s = useAppStore.getState();
    s.runCreated('r1', settings());
    expect(rows()).toEqual([]); // starting: no weights yet
    applyEngineEvent({ type: 'run-state', runId: 'r1', state: 'preparing', step: 0, totalSteps: 100 });
    expect(rows()).toEqual([]); // preparing: still none in the worker
    applyEngineEvent({ type: 'run-state', runId: 'r1', state: 'paused', step: 40, totalSteps: 100 });
    applyEngineEvent({ type: 'checkpoint-imported', info: info() });
    s.finetuneRunCreated('f1', 'classification', 'finetune', { train: 'train.tsv', dev: 'dev.tsv' });
    applyEngineEvent({ type: 'finetune-state', runId: 'f1', kind: 'finetune', state: 'done', step: 6, totalSteps: 6 });
    s.finetuneRunCreated('f3', 'classification', 'finetune', { train: 'train.tsv', dev: 'dev.tsv' });
    applyEngineEvent({
      type: 'finetune-state',
      runId: 'f3',
      kind: 'finetune',
      state: 'running',
      step: 2,
      totalSteps: 6,
    });
    applyEngineEvent({ type: 'finetuned-models', models: [kept('f3', 2), kept('f2', 3), kept('f1', 6)] });
    expect(rows()).toEqual([
      ['pretrain', 'pre-training', 'Pre-training run r1 (step 40)', false],
      ['imported', 'imported', 'Imported openai-gpt', false],
      ['finetune:f1', 'fine-tuned', 'Fine-tuned classification model f1', true],
      ['finetune:f2', 'fine-tuned', 'Fine-tuned classification model f2 (kept, step 3)', true],
    ]);
    expect(chosenModel(useAppStore.getState(), undefined)?.key).toBe('pretrain');
    expect(chosenModel(useAppStore.getState(), 'finetune:f2')?.ref).toEqual({ kind: 'finetune', runId: 'f2' });
    expect(chosenModel(useAppStore.getState(), 'finetune:gone')).toBeUndefined();
  });

  it('lists a fine-tuning checkpoint imported as both the imported model and a fine-tuned one', () => {
    const finetuned = { runId: 'imported:sst2-model', family: 'classification' as const, labels: ['neg', 'pos'] };
    applyEngineEvent({ type: 'checkpoint-imported', info: { ...info(finetuned), name: 'sst2-model' } });
    expect(rows()).toEqual([
      ['imported', 'imported', 'Imported sst2-model', false],
      ['finetune:imported:sst2-model', 'fine-tuned', 'Fine-tuned classification model sst2-model (imported)', false],
    ]);
  });
});
