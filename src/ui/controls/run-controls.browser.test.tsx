// The pre-training run controls as one set of records, in a real browser: the toolbar's buttons follow the
// run's state (Pause turns into Resume, Step once only while paused), a disabled Start says why, and the
// keyboard (Space, '.') and the shortcuts help act and read from the same records.
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineCommand, RunState } from '../../engine/protocol.ts';
import { RunToolbar } from '../components/RunToolbar.tsx';
import { setCommandSink } from '../engine-port.ts';
import { SHORTCUT_HELP, watchShortcuts } from '../keyboard.ts';
import { useAppStore } from '../store/index.ts';
import { parseForm } from '../store/plan-slice.ts';
import { PRETRAIN_CONTROLS } from './pretrain-controls.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const initial = useAppStore.getState();
let sent: EngineCommand[] = [];
let cleanup: (() => void) | undefined;

beforeEach(() => {
  useAppStore.setState(initial, true);
  setCommandSink((command) => sent.push(command));
  sent = []; // not what earlier tests queued
});
afterEach(() => {
  cleanup?.();
  setCommandSink(undefined);
});

function mount(): HTMLElement {
  const host = document.createElement('div');
  document.body.append(host);
  const root = createRoot(host);
  const stopKeys = watchShortcuts();
  act(() => root.render(<RunToolbar name="Training controls" controls={PRETRAIN_CONTROLS} />));
  cleanup = () => {
    stopKeys();
    act(() => root.unmount());
    host.remove();
  };
  return host;
}

function setRunState(state: RunState): void {
  const s = useAppStore.getState();
  if (!s.runs.r1) s.runCreated('r1', parseForm(s.form, 64).settings);
  act(() => useAppStore.getState().runStateChanged('r1', state, 3, 10));
}

const press = (key: string) =>
  act(() => void document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true })));

/** Each button's text and whether it is enabled. */
const buttons = (host: HTMLElement) =>
  [...host.querySelectorAll('button')].map((b) => `${b.textContent}${b.disabled ? ' (off)' : ''}`);

describe('pre-training run controls', () => {
  it('say why Start is off before anything is loaded', () => {
    const host = mount();
    const start = host.querySelector('button')!;
    expect(start.disabled).toBe(true);
    const why = document.getElementById(start.getAttribute('aria-describedby')!);
    expect(why?.textContent).toBe('Start: waiting for the GPU; load a corpus first.');
    expect(start.getAttribute('aria-keyshortcuts')).toBe('Space');
  });

  it('follow the run: Space pauses and resumes, "." steps once while paused', () => {
    const host = mount();
    setRunState('running');
    expect(buttons(host)).toEqual([
      'Start (off)',
      'Pause',
      'Step once (off)',
      'Stop',
      'Export Hugging Face folder (.zip) (off)',
    ]);
    expect(host.querySelectorAll('p.hint')).toHaveLength(0); // the running run says why Start is off
    press('.');
    expect(sent).toEqual([]);
    press(' ');
    expect(sent.at(-1)).toEqual({ type: 'pause', runId: 'r1' });

    setRunState('paused');
    expect(buttons(host).slice(1, 3)).toEqual(['Resume', 'Step once']);
    press('.');
    expect(sent.at(-1)).toEqual({ type: 'step-once', runId: 'r1' });
    press(' ');
    expect(sent.at(-1)).toEqual({ type: 'resume', runId: 'r1' });

    setRunState('stopped');
    expect(buttons(host).at(-1)).toBe('Export Hugging Face folder (.zip)');
    act(() => host.querySelectorAll('button')[4]!.click());
    expect(sent.at(-1)).toEqual({ type: 'export-checkpoint', runId: 'r1' });
  });

  it('write the shortcuts help from the same records', () => {
    expect(SHORTCUT_HELP.map((r) => `${r.keys}: ${r.help}`)).toEqual([
      'Space: Start training',
      'Space: Pause training at the next step boundary, or resume it',
      '.: Step once (while paused)',
      '1 – 7: Switch tab',
      '?: Show or hide this help',
      'Esc: Close this help',
    ]);
  });
});
