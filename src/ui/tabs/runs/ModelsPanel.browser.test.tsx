// The Runs tab's model list in a real browser: one row per model with its actions, each sending what it
// names. A fine-tuned model is adopted as the imported one first, and what was asked (pre-train further,
// fine-tune) happens only once the worker says it is imported; a saved run opens paused; Export is off, saying
// why, for a model that came from disk or a run still training.
import { act } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountInPage } from '../../../../test-support/mount.tsx';
import type { EngineCommand, ImportedModelInfo, KeptModelSummary } from '../../../engine/protocol.ts';
import { paperFinetuneSettings } from '../../../train/settings/finetune-settings.ts';
import { setCommandSink } from '../../engine-port.ts';
import { applyEngineEvent } from '../../store/apply-event.ts';
import { useAppStore } from '../../store/index.ts';
import { parseForm } from '../../store/plan-slice.ts';
import { ModelsPanel } from './ModelsPanel.tsx';
import { onModelImported, onModelImportFailed } from './model-actions.ts';

const initial = useAppStore.getState();
let sent: EngineCommand[] = [];
let cleanup: (() => void) | undefined;

beforeEach(() => {
  useAppStore.setState(initial, true);
  setCommandSink((command) => sent.push(command));
  sent = [];
});
afterEach(() => {
  cleanup?.();
  setCommandSink(undefined);
});

function mount(): HTMLElement {
  const mounted = mountInPage(<ModelsPanel />);
  cleanup = mounted.unmount;
  return mounted.host;
}

const button = (host: HTMLElement, name: string) => {
  const found = [...host.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === name);
  if (!found) throw new Error(`no button "${name}"`);
  return found;
};
const click = (b: HTMLButtonElement) => act(() => b.click());

const kept: KeptModelSummary = {
  runId: 'f1',
  savedAt: '2026-12-05T00:00:00Z',
  family: 'entailment',
  step: 6,
  totalSteps: 6,
  settings: paperFinetuneSettings('entailment'),
  dataset: { train: 'train.tsv', dev: 'dev.tsv' },
  lastEval: null,
};

const imported: ImportedModelInfo = {
  name: 'fine-tuned model f1',
  kind: 'gpt1-lab',
  layers: 2,
  dims: 64,
  heads: 2,
  positions: 64,
  vocabSize: 80,
  parameters: 100_000,
  tokenizer: 'characters, 80 tokens',
  warnings: [],
};

describe('the Models list', () => {
  it('adopts a fine-tuned model before pre-training it further, and goes on only once it is imported', () => {
    act(() => applyEngineEvent({ type: 'finetuned-models', models: [kept] }));
    const host = mount();
    const name = 'Fine-tuned entailment model f1 (kept, step 6)';
    expect(host.querySelector('th[scope="row"]')?.textContent).toBe(name);
    click(button(host, `Pre-train ${name} further`));
    expect(sent).toEqual([{ type: 'adopt-model', model: { kind: 'finetune', runId: 'f1' } }]);
    expect(useAppStore.getState().tab).toBe('pretrain'); // the default tab: nothing moved yet
    useAppStore.getState().setTab('runs');
    act(() => {
      applyEngineEvent({ type: 'checkpoint-imported', info: imported });
      onModelImported(); // what reactions.ts does on that event
    });
    const s = useAppStore.getState();
    expect(s.tab).toBe('pretrain');
    expect(s.tokenizer.kind).toBe('model');

    click(button(host, `Fine-tune ${name}`));
    expect(sent.at(-1)).toEqual({ type: 'adopt-model', model: { kind: 'finetune', runId: 'f1' } });
    act(() => onModelImported());
    expect(useAppStore.getState().tab).toBe('entailment');
    expect(useAppStore.getState().finetuneForms.entailment.init).toBe('imported');

    click(button(host, `Attention of ${name}`));
    expect(useAppStore.getState().attention.modelKey).toBe('finetune:f1');
    expect(useAppStore.getState().tab).toBe('attention');
    click(button(host, `Export ${name}`));
    expect(sent.at(-1)).toEqual({ type: 'export-finetuned-model', runId: 'f1' });
  });

  it('drops what an adoption was for when it is refused: a later import does not act on it', () => {
    act(() => applyEngineEvent({ type: 'finetuned-models', models: [kept] }));
    const host = mount();
    useAppStore.getState().setTab('runs');
    click(button(host, 'Pre-train Fine-tuned entailment model f1 (kept, step 6) further'));
    act(() => {
      onModelImportFailed(); // what reactions.ts does on the adoption's 'checkpoint' error
      applyEngineEvent({ type: 'checkpoint-imported', info: imported }); // another import, later
      onModelImported();
    });
    expect(useAppStore.getState().tab).toBe('runs');
    expect(useAppStore.getState().tokenizer.kind).toBe('char');
  });

  it('opens a saved run paused, and says why a model from disk or a training run cannot be exported', () => {
    const s = useAppStore.getState();
    const settings = parseForm(s.form, 64).settings;
    act(() => {
      applyEngineEvent({
        type: 'saved-runs',
        runs: [{ runId: 'old', step: 40, totalSteps: 100, savedAt: '2026-12-04T00:00:00Z', settings }],
      });
      applyEngineEvent({ type: 'checkpoint-imported', info: { ...imported, name: 'openai-gpt' } });
    });
    const host = mount();
    click(button(host, 'Open Saved pre-training run old (step 40)'));
    expect(sent.at(-1)).toEqual({ type: 'resume-saved', runId: 'old', paused: true });

    const exportImported = button(host, 'Export Imported openai-gpt');
    expect(exportImported.disabled).toBe(true);
    expect(exportImported.title).toBe('it came from a folder on your disk');
    act(() => useAppStore.getState().runStateChanged('old', 'running', 41, 100));
    const exportRun = button(host, 'Export Pre-training run old (step 41)');
    expect(exportRun.disabled).toBe(true);
    expect(exportRun.title).toBe('pause or stop the run first');
    expect(button(host, 'Pre-train Imported openai-gpt further').disabled).toBe(true);
    expect(host.textContent).toContain('Pre-training further and fine-tuning wait: pre-training is running');
  });
});
