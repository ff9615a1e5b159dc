// The next-token view in a real browser: a table whose rows name each token (whitespace made visible) and
// give its probability in text, most likely first, with bars scaled to the most likely; the worker's
// answer for an older request is ignored, and the panel says what it waits for before a model exists.
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { mountInPage } from '../../../../test-support/mount.tsx';
import { useAppStore } from '../../store/index.ts';
import { NextTokenView } from './NextTokenView.tsx';

const initial = useAppStore.getState();
let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  useAppStore.setState(initial, true);
});

function mount(): HTMLElement {
  const mounted = mountInPage(<NextTokenView />);
  cleanup = mounted.unmount;
  return mounted.host;
}

describe('NextTokenView', () => {
  it('lists the tokens with their probabilities as text, and bars relative to the most likely', () => {
    const host = mount();
    expect(host.textContent).toContain('Shown once a run has a model.');
    const s = useAppStore.getState();
    act(() => s.nextTokensRequested('old', { prompt: 'The', temperature: 1, topK: 0 }));
    act(() => s.nextTokensRequested('new', { prompt: 'The ', temperature: 0.5, topK: 3 }));
    act(() => s.nextTokensReceived('old', [{ id: 9, text: 'x', probability: 1 }])); // superseded: ignored
    expect(host.querySelectorAll('tbody tr')).toHaveLength(0);
    const tokens = [
      { id: 4, text: ' ', probability: 0.6 },
      { id: 7, text: 'e\n', probability: 0.3 },
      { id: 2, text: 'a', probability: 0.1 },
    ];
    act(() => s.nextTokensReceived('new', tokens));

    const figure = host.querySelector('figure')!;
    expect(figure.getAttribute('aria-labelledby')).toBe(figure.querySelector('figcaption')!.id);
    expect(figure.querySelector('figcaption')!.textContent).toBe(
      'Next token after the prompt, temperature 0.5, top-k 3',
    );
    const rows = [...host.querySelectorAll('tbody tr')].map((row) => [
      row.querySelector('th')!.textContent,
      row.querySelector('.next-token-value')!.textContent,
      Math.round(Number.parseFloat((row.querySelector('.next-token-bar') as HTMLElement).style.width)),
    ]);
    expect(rows).toEqual([
      ['␣', '60.0 %', 100], // bar widths in percent of the most likely's
      ['e↵', '30.0 %', 50],
      ['a', '10.0 %', 17],
    ]);
    expect(host.querySelectorAll('thead th[scope="col"]')).toHaveLength(2);
    expect(host.querySelector('.next-token-bar')!.getAttribute('aria-hidden')).toBe('true');
  });
});
