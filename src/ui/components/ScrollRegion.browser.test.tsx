// ScrollRegion in a real browser: a table wider than its region is announced (the hint) and reachable by
// keyboard (the region takes focus and the arrow keys scroll it); a table that fits gets neither.
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { ScrollRegion } from './ScrollRegion.tsx';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function mount(width: number, tableWidth: number): HTMLElement {
  const host = document.createElement('div');
  host.style.width = `${width}px`;
  document.body.append(host);
  const root = createRoot(host);
  act(() =>
    root.render(
      <ScrollRegion label="Wide table">
        <table style={{ width: `${tableWidth}px` }}>
          <tbody>
            <tr>
              <td>cell</td>
            </tr>
          </tbody>
        </table>
      </ScrollRegion>,
    ),
  );
  cleanup = () => {
    act(() => root.unmount());
    host.remove();
  };
  return host;
}

const settle = () => act(() => new Promise((r) => setTimeout(r, 50)));

describe('ScrollRegion', () => {
  it('says when its table is wider than the page, and takes focus to scroll it', async () => {
    const host = mount(300, 900);
    await settle();
    const region = host.querySelector<HTMLElement>('section[aria-label="Wide table"]')!;
    expect(host.querySelector('.scroll-hint')!.textContent).toMatch(/Wide table is wider than the page: scroll it/);
    expect(region.tabIndex).toBe(0);
    expect(region.scrollWidth).toBeGreaterThan(region.clientWidth);
  });

  it('adds nothing when the table fits', async () => {
    const host = mount(900, 300);
    await settle();
    expect(host.querySelector('.scroll-hint')).toBeNull();
    expect(host.querySelector('section')!.hasAttribute('tabindex')).toBe(false);
  });
});
