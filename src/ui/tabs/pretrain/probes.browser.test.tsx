// The Pretrain tab's zero-shot probes in a real browser: probe files chosen through the file input go to the
// engine's probe-file reader (the real one, answering through the store) and come back listed with their
// kind and items or their error, Remove and the built-in checkbox resend the list; the probe chart has the
// series of the sets a run started with before its first round (a round never rebuilds it), draws each
// set's normalised score by step, its caption carries the latest values, and on the log step axis the
// step-0 round, drawn at step 1, is still read as step 0.
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProbeFiles } from '../../../engine/pretraining/probe-files.ts';
import type { EngineCommand } from '../../../engine/protocol.ts';
import type { ProbePoint } from '../../../train/probes/zero-shot.ts';
import { setCommandSink } from '../../engine-port.ts';
import { applyEngineEvent } from '../../store/apply-event.ts';
import { useAppStore } from '../../store/index.ts';
import { parseForm } from '../../store/plan-slice.ts';
import { ProbeChart } from './ProbeChart.tsx';
import { ProbeFilesPanel } from './ProbeFilesPanel.tsx';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const initial = useAppStore.getState();
let sent: Extract<EngineCommand, { type: 'set-probe-files' }>[] = [];
let cleanup: (() => void) | undefined;

beforeEach(() => {
  useAppStore.setState(initial, true);
  sent = [];
  // The engine's own reader answers each list, as the worker would (no GPU is involved in reading files).
  const reader = new ProbeFiles((event) => applyEngineEvent(event));
  setCommandSink((command) => {
    if (command.type !== 'set-probe-files') return;
    sent.push(command);
    const files = command.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) }));
    queueMicrotask(() => act(() => reader.set(command.builtin, files)));
  });
});
afterEach(() => {
  cleanup?.();
  setCommandSink(undefined);
});

function mount(element: React.ReactElement, width = 640): HTMLElement {
  const host = document.createElement('div');
  host.style.width = `${width}px`;
  document.body.append(host);
  const root = createRoot(host);
  act(() => root.render(element));
  cleanup = () => {
    act(() => root.unmount());
    host.remove();
  };
  return host;
}

const waitFor = async (check: () => boolean, ms = 3000) => {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error('timed out');
    await act(() => new Promise((r) => setTimeout(r, 20)));
  }
};

function choose(input: HTMLInputElement, files: File[]): void {
  const transfer = new DataTransfer();
  for (const file of files) transfer.items.add(file);
  input.files = transfer.files;
  act(() => void input.dispatchEvent(new Event('change', { bubbles: true })));
}

const winograd = (sentence: string, answer: number) =>
  JSON.stringify({ sentence, candidates: ['Ada', 'the lamp'], answer });
const GOOD = `${winograd('Ada looked at the lamp because _ was curious.', 0)}\n${winograd('Ada fixed the lamp until _ was repaired.', 1)}\n`;

describe('probe files', () => {
  it('lists each file as read (kind and items, or the error with its line); Remove and the built-in sets resend the list', async () => {
    const host = mount(<ProbeFilesPanel />);
    const input = host.querySelector<HTMLInputElement>('input[type="file"]')!;
    expect(input.multiple).toBe(true);
    expect(input.closest('label')!.textContent).toContain('Probe files');
    choose(input, [new File([GOOD], 'mine.jsonl'), new File(['sentence\tlabel\nfine\t1\nno tab here\n'], 'bad.tsv')]);

    await waitFor(() => host.querySelectorAll('li[data-status="ok"], li[data-status="error"]').length === 2);
    expect(sent.at(-1)).toMatchObject({ builtin: true, files: [{ name: 'mine.jsonl' }, { name: 'bad.tsv' }] });
    const items = [...host.querySelectorAll('li')];
    expect(items[0]!.textContent).toMatch(/^mine\.jsonl Winograd probe .*, 2 items/);
    expect(items[1]!.textContent).toBe('bad.tsv ⚠ bad.tsv, line 3: expected 2 tab-separated fields, found 1 Remove');
    expect(host.textContent).toContain('The next run scores 5 probe sets');

    act(() => host.querySelector<HTMLButtonElement>('button[aria-label="Remove probe file bad.tsv"]')!.click());
    await waitFor(() => host.querySelectorAll('li').length === 1);
    expect(sent.at(-1)!.files.map((f) => f.name)).toEqual(['mine.jsonl']);

    const builtin = host.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    act(() => builtin.click());
    await waitFor(() => !useAppStore.getState().probeFiles.builtin);
    expect(sent.at(-1)).toMatchObject({ builtin: false, files: [{ name: 'mine.jsonl' }] });
    expect(host.textContent).toContain('The next run scores 1 probe set;');
    act(() => host.querySelector<HTMLButtonElement>('button[aria-label="Remove probe file mine.jsonl"]')!.click());
    await waitFor(() => host.textContent!.includes('No probe sets: the next run skips its probe rounds.'));
  });
});

const round = (step: number, sentiment: number, winogradScore?: number): ProbePoint => ({
  step,
  results: [
    {
      kind: 'sentiment',
      name: 'built-in sentiment',
      metric: 'accuracy',
      value: 0.5,
      chance: 0.5,
      normalized: sentiment,
      items: 24,
    },
    ...(winogradScore === undefined
      ? []
      : [
          {
            kind: 'winograd' as const,
            name: 'mine.jsonl',
            metric: 'accuracy' as const,
            value: 0.5,
            chance: 0.5,
            normalized: winogradScore,
            items: 2,
          },
        ]),
  ],
});

describe('the probe chart', () => {
  it('draws a series per probe set; its caption carries the latest values; log steps still read step 0 as 0', async () => {
    const s = useAppStore.getState();
    // Started with the built-in sentiment set and a file: the chart has their series before any round.
    s.runCreated('probe-run', parseForm(s.form, 64).settings, 0, ['built-in sentiment', 'mine.jsonl']);
    const host = mount(<ProbeChart />);
    const caption = host.querySelector('[data-testid="probes-latest"]')!;
    expect(caption.textContent).toBe('no data yet');
    const legend = () => [...host.querySelectorAll('.u-legend .u-series .u-label')].map((l) => l.textContent);
    expect(legend()).toEqual(['step', 'built-in sentiment', 'mine.jsonl']);
    const chart = host.querySelector('.uplot');

    act(() => {
      applyEngineEvent({ type: 'probes', runId: 'probe-run', ...round(0, 0, -0.5) });
      applyEngineEvent({ type: 'probes', runId: 'probe-run', ...round(100, 0.25, 0) });
      applyEngineEvent({ type: 'probes', runId: 'probe-run', ...round(200, 0.75) });
    });
    await waitFor(() => caption.getAttribute('data-step') === '200');
    expect(caption.getAttribute('data-latest-built-in-sentiment')).toBe('0.75');
    expect(caption.getAttribute('data-latest-mine-jsonl')).toBe('0'); // its last round that has it
    expect(caption.textContent).toBe('built-in sentiment 0.75 · mine.jsonl 0.00 @ 200');
    expect(legend()).toEqual(['step', 'built-in sentiment', 'mine.jsonl']);
    expect(host.querySelector('.uplot')).toBe(chart); // rounds add points; the chart is not rebuilt

    const log = host.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    expect(log.closest('label')!.textContent).toBe('Zero-shot probes: log steps');
    act(() => log.click());
    await waitFor(() => host.querySelectorAll('.uplot').length === 1 && !!host.querySelector('.u-over'));
    const over = host.querySelector<HTMLElement>('.u-over')!;
    const box = over.getBoundingClientRect();
    const hover = (x: number) =>
      act(() => {
        over.dispatchEvent(
          new MouseEvent('mousemove', { clientX: box.left + x, clientY: box.top + box.height / 2, bubbles: true }),
        );
      });
    const stepShown = () => host.querySelector('.u-legend .u-series .u-value')!.textContent;
    hover(1);
    await waitFor(() => stepShown() === '0');
    hover(box.width - 1);
    await waitFor(() => stepShown() === '200');
  });
});
