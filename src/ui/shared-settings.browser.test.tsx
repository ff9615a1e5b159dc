// Settings in the address, in a real browser: the forms' settings go into the hash and come back from it
// into fresh forms; a link with bad values applies the good ones, refuses each bad one on its own (the form
// keeps its value) and names it in the alert region; the address follows the forms as they change.
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertRegion } from './components/AlertRegion.tsx';
import { setCommandSink } from './engine-port.ts';
import { applySettingsHash, restoreLinkedSettings, settingsHash, watchLinkedSettings } from './shared-settings.ts';
import { useAppStore } from './store/index.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const initial = useAppStore.getState();
const startUrl = location.href;
let cleanup: (() => void) | undefined;

beforeEach(() => {
  useAppStore.setState(initial, true);
  setCommandSink(() => {});
});
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
  setCommandSink(undefined);
  history.replaceState(history.state, '', startUrl);
});

describe('settings in the address', () => {
  it('round-trips the forms through the hash, holding only what differs from the defaults', () => {
    expect(settingsHash()).toBe('');
    const s = useAppStore.getState();
    s.choosePreset('small');
    s.setField('lr', '0.0005');
    s.setField('accumulation', '4');
    s.setSamplePrompt('To be & not', true);
    s.setGenerationPrompt('ROMEO: #1?');
    s.setGenerationField('temperature', '1.2');
    s.setFinetuneForm('entailment', { lr: '0.0001', init: 'scratch', dropout: '0.2' });
    const hash = settingsHash();
    const chosen = useAppStore.getState();

    useAppStore.setState(initial, true);
    const { applied, refused } = applySettingsHash(`#${hash}`);
    expect(refused).toEqual([]);
    expect(applied[0]).toBe('pretrain.preset'); // first, so the fields land on its defaults
    const restored = useAppStore.getState();
    expect(restored.form).toEqual(chosen.form);
    expect(restored.generation.prompt).toBe('ROMEO: #1?');
    expect(restored.generation.fields).toEqual(chosen.generation.fields);
    expect(restored.finetuneForms).toEqual(chosen.finetuneForms);
  });

  it('refuses bad values one by one, keeps the forms as they were for them, and says so', () => {
    history.replaceState(
      history.state,
      '',
      '#pretrain.lr=abc&pretrain.batch=0&generate.topK=5&nonsense.x=1&classification.init=bogus&pretrain.steps=300',
    );
    restoreLinkedSettings();
    const s = useAppStore.getState();
    expect(s.form.fields.lr).toBe(initial.form.fields.lr);
    expect(s.form.fields.batch).toBe(initial.form.fields.batch);
    expect(s.form.fields.steps).toBe('300');
    expect(s.generation.fields.topK).toBe('5');
    expect(s.finetuneForms.classification.init).toBe('current');
    expect(s.errors.map((e) => e.where)).toEqual([
      'link: pretrain.lr',
      'link: pretrain.batch',
      'link: nonsense.x',
      'link: classification.init',
    ]);

    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    act(() => root.render(<AlertRegion />));
    cleanup = () => {
      act(() => root.unmount());
      host.remove();
    };
    const alerts = [...host.querySelectorAll('[role="alert"]')].map((a) => a.textContent);
    expect(alerts[0]).toContain('link: pretrain.lr');
    expect(alerts[0]).toContain('A number above 0 and below 1. (got "abc")');
    expect(alerts[2]).toContain('Not a setting this page has.');
    expect(alerts[3]).toContain('Must be one of current, imported, scratch.');
  });

  it('keeps the address holding the current settings', async () => {
    const stop = watchLinkedSettings();
    cleanup = stop;
    act(() => useAppStore.getState().setGenerationField('seed', '42'));
    await new Promise((resolve) => setTimeout(resolve, 400)); // the address follows after a short debounce
    expect(location.hash).toBe('#generate.seed=42');
  });
});
