// The Compare panel in a real browser, fed the engine's events through the store: over 3 seeds with a
// learning-rate sweep its table has mean and min–max columns and the tuned columns with the chosen rate, the
// recipe's rate and the held-out split are said, and the verdict is in words; a layers sweep draws the line
// chart (a point and an error bar per n, the paper's ends only); the form's fields show the schema's words.
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComparePlan, CompareRow, EngineEvent } from '../../../engine/protocol.ts';
import { applyEngineEvent } from '../../store/apply-event.ts';
import { useAppStore } from '../../store/index.ts';
import { ComparePanel } from './ComparePanel.tsx';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const initial = useAppStore.getState();
let cleanup: (() => void) | undefined;
beforeEach(() => useAppStore.setState(initial, true));
afterEach(() => cleanup?.());

function mount(): HTMLElement {
  const host = document.createElement('div');
  host.style.width = '900px';
  document.body.append(host);
  const root = createRoot(host);
  act(() => root.render(<ComparePanel family="classification" />));
  cleanup = () => {
    act(() => root.unmount());
    host.remove();
  };
  return host;
}

const chance = {
  metric: 'accuracy' as const,
  value: 0.5,
  band: 0.1,
  examples: 100,
  how: 'always answering the commonest class',
};

function row(variant: CompareRow['variant'], stage: CompareRow['stage'], seed: number, lr: number, value: number) {
  return {
    variant,
    description: variant,
    auxLm: 0.5,
    stage,
    seed,
    lr,
    metric: 'accuracy',
    value,
    accuracy: value,
    finalTaskLoss: 0.6,
    steps: 3,
    seconds: 2,
  } satisfies CompareRow;
}

/** A finished comparison: its plan, its runs and the end, as the engine sends them. */
function finished(runId: string, plan: ComparePlan, rows: CompareRow[]): void {
  act(() => {
    useAppStore
      .getState()
      .finetuneRunCreated(runId, 'classification', 'compare', { train: 'train.tsv', dev: 'dev.tsv' });
    const events: EngineEvent[] = [
      { type: 'finetune-state', runId, kind: 'compare', state: 'running', step: 0, totalSteps: 10 },
      { type: 'compare-plan', runId, plan },
      ...rows.map((r): EngineEvent => ({ type: 'compare-row', runId, row: r })),
      { type: 'compare-done', runId, metric: 'accuracy', rows: 2, stopped: false },
      { type: 'finetune-state', runId, kind: 'compare', state: 'done', step: 10, totalSteps: 10 },
    ];
    for (const event of events) applyEngineEvent(event);
  });
}

const cells = (tr: Element) => [...tr.children].map((c) => c.textContent);

describe('Compare over seeds', () => {
  it('shows mean, min–max and the tuned columns, and the verdict in words', () => {
    const host = mount();
    const plan: ComparePlan = {
      rows: 'table5',
      seeds: 3,
      lrSweep: [1e-3, 2e-3],
      variants: ['pretrained', 'scratch'],
      lr: 6.25e-5,
      layers: 2,
      auxLm: 0.5,
      chance,
      heldOut:
        'learning rate chosen on every 5th example of train.tsv (9 held out, trained on the other 36; the dev file is never read for it)',
    };
    finished('c1', plan, [
      ...[0.5, 0.55, 0.52].map((v, seed) => row('pretrained', 'recipe', seed, 6.25e-5, v)),
      row('pretrained', 'trial', 0, 1e-3, 0.9),
      row('pretrained', 'trial', 0, 2e-3, 0.7),
      ...[0.9, 0.95, 0.92].map((v, seed) => row('pretrained', 'tuned', seed, 1e-3, v)),
      ...[0.5, 0.48, 0.53].map((v, seed) => row('scratch', 'recipe', seed, 6.25e-5, v)),
      row('scratch', 'trial', 0, 1e-3, 0.6),
      row('scratch', 'trial', 0, 2e-3, 0.8),
      ...[0.7, 0.75, 0.8].map((v, seed) => row('scratch', 'tuned', seed, 2e-3, v)),
    ]);
    const table = host.querySelector('table')!;
    expect(cells(table.querySelector('thead tr')!)).toEqual([
      'Variant',
      'λ',
      'Dev accuracy (mean)',
      'Min – max',
      'Final L2',
      'Steps',
      'Time',
      'Tuned lr',
      'Tuned dev accuracy (mean)',
      'Tuned min – max',
      'Paper',
    ]);
    const [pretrained, scratch] = [...table.querySelectorAll('tbody tr')];
    expect(cells(pretrained!)).toEqual([
      'Pretrained, no aux LM',
      '0.5',
      '52.3 %',
      '50.0 % – 55.0 %',
      '0.6000',
      '3',
      expect.any(String),
      '0.001',
      '92.3 %',
      '90.0 % – 95.0 %',
      '–',
    ]);
    expect(cells(scratch!).slice(7, 10)).toEqual(['0.002', '75.0 %', '70.0 % – 80.0 %']);
    expect(host.textContent).toContain(
      "Recipe columns: learning rate 0.0000625, the settings'. Tuned columns: the learning rate chosen on every 5th example of train.tsv",
    );
    const verdict = host.querySelector('[role="note"][aria-label="Verdict"]')!;
    const [recipe, tuned] = [...verdict.querySelectorAll('p')].map((p) => p.textContent);
    expect(recipe).toMatch(/^Paper recipe: Every row is at chance: no run scored above 0\.600/);
    expect(tuned).toBe(
      'Tuned learning rate: Apart beyond seed noise (ranges over 3 seeds do not overlap): Pretrained, no aux LM above No pre-training.',
    );
    // Error bars: one min–max line per row across its bar.
    expect(host.querySelectorAll('.compare-bars .error-bar')).toHaveLength(2);
  });

  it('draws the layers sweep: a point and an error bar per n, the paper only at its ends', () => {
    const host = mount();
    const plan: ComparePlan = {
      rows: 'layers',
      seeds: 2,
      lrSweep: [],
      variants: ['transfer-0', 'transfer-1', 'transfer-2'],
      lr: 1e-3,
      layers: 2,
      auxLm: 0.5,
      chance,
    };
    finished('c2', plan, [
      row('transfer-0', 'recipe', 0, 1e-3, 0.6),
      row('transfer-0', 'recipe', 1, 1e-3, 0.62),
      row('transfer-1', 'recipe', 0, 1e-3, 0.7),
      row('transfer-1', 'recipe', 1, 1e-3, 0.75),
      row('transfer-2', 'recipe', 0, 1e-3, 0.8),
      row('transfer-2', 'recipe', 1, 1e-3, 0.9),
    ]);
    const chart = host.querySelector('svg[aria-label^="Layers transferred chart"]')!;
    expect(chart.getAttribute('aria-label')).toBe(
      'Layers transferred chart, dev accuracy × 100 against the blocks transferred: 0 layers: 61.0 % (60.0 % – 62.0 %); 1 layers: 72.5 % (70.0 % – 75.0 %); 2 layers: 85.0 % (80.0 % – 90.0 %)',
    );
    expect(chart.querySelectorAll('.ours-point')).toHaveLength(3);
    expect(chart.querySelectorAll('.error-bar')).toHaveLength(3);
    // MultiNLI and RACE: two points each (0 and all layers), no line between them.
    expect(chart.querySelectorAll('.paper-point')).toHaveLength(4);
    expect(host.querySelector('.compare-bars')).toBeNull();
    const verdict = host.querySelector('[role="note"][aria-label="Verdict"]')!.textContent;
    expect(verdict).toBe(
      'Paper recipe: Apart beyond seed noise (ranges over 2 seeds do not overlap): First 1 blocks transferred above ' +
        'First 0 blocks transferred; First 2 blocks transferred above First 0 blocks transferred and First 2 blocks ' +
        'transferred above First 1 blocks transferred.',
    );
  });

  it("the form's fields are labelled and say what is wrong", () => {
    const host = mount();
    const seeds = host.querySelector<HTMLInputElement>('input[inputmode="numeric"]')!;
    expect(host.querySelector(`label[for="${seeds.id}"]`)!.textContent).toBe('Seeds per row');
    act(() => useAppStore.getState().setFinetuneForm('classification', { seeds: '0', lrSweep: '1e-3, 5' }));
    expect(host.textContent).toContain('A whole number from 1 to 20.');
    expect(host.textContent).toContain(
      'Each rate of the learning-rate sweep must be a number above 0 and below 1 (got 5).',
    );
    const rows = host.querySelector('select')!;
    expect(host.querySelector(`label[for="${rows.id}"]`)!.textContent).toBe('Rows');
  });
});
