// The two-press delete in a real browser: the first press only arms it, the second deletes once, and losing
// focus disarms it; the accessible names say which item and which step.
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfirmDeleteButton } from './ConfirmDeleteButton.tsx';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('ConfirmDeleteButton', () => {
  it('deletes on the second press only, and disarms when focus leaves', () => {
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    cleanup = () => {
      act(() => root.unmount());
      host.remove();
    };
    const deleted: string[] = [];
    act(() =>
      root.render(
        <>
          <ConfirmDeleteButton what="r1" kind="saved run" onDelete={() => deleted.push('r1')} />
          <button type="button">elsewhere</button>
        </>,
      ),
    );
    const [button, elsewhere] = [...host.querySelectorAll('button')] as HTMLButtonElement[];
    const name = () => button!.getAttribute('aria-label');
    expect(name()).toBe('Delete saved run r1');

    act(() => button!.focus());
    act(() => button!.click());
    expect(deleted).toEqual([]);
    expect(name()).toBe('Really delete r1?');
    expect(button!.textContent).toBe('Really delete?');

    act(() => elsewhere!.focus()); // blur disarms
    expect(name()).toBe('Delete saved run r1');
    act(() => button!.focus());
    act(() => button!.click());
    expect(deleted).toEqual([]);

    act(() => button!.click());
    expect(deleted).toEqual(['r1']);
    expect(name()).toBe('Delete saved run r1');
  });
});
