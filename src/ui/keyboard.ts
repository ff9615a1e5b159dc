// Global keyboard shortcuts (Space run/pause, '.' step once, '?' help, 1–7 tabs). They never fire while the
// user types in a field or when a modifier is held; Space is left to buttons and other controls it activates.
import { stepOnce, toggleRun } from './actions.ts';
import { useAppStore } from './store/index.ts';
import { TABS } from './store/ui-slice.ts';

export interface Shortcut {
  keys: string;
  action: string;
}

export const SHORTCUTS: Shortcut[] = [
  { keys: 'Space', action: 'Start, pause or resume training' },
  { keys: '.', action: 'Step once (while paused)' },
  { keys: '1 – 7', action: 'Switch tab' },
  { keys: '?', action: 'Show or hide this help' },
  { keys: 'Esc', action: 'Close this help' },
];

/** Whether keys typed at `target` belong to it (text entry, or a control that Space activates). */
export function ownsKeys(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    // Checkboxes, radios and sliders take Space / arrows but not '.', '?' or digits.
    if (['checkbox', 'radio', 'range', 'button', 'submit', 'file'].includes(type)) return key === ' ';
    return true;
  }
  if (
    key === ' ' &&
    (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY' || target.getAttribute('role') === 'button')
  ) {
    return true;
  }
  return false;
}

export function handleShortcut(event: KeyboardEvent): void {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (ownsKeys(event.target, event.key)) return;
  const s = useAppStore.getState();
  if (s.helpOpen && event.key !== '?') return; // the dialog handles its own keys
  const digit = Number(event.key);
  if (event.key === ' ') {
    event.preventDefault();
    toggleRun();
  } else if (event.key === '.') {
    stepOnce();
  } else if (event.key === '?') {
    event.preventDefault();
    s.setHelpOpen(!s.helpOpen);
  } else if (Number.isInteger(digit) && digit >= 1 && digit <= TABS.length) {
    s.setTab(TABS[digit - 1]!.id);
  }
}

export function watchShortcuts(): () => void {
  window.addEventListener('keydown', handleShortcut);
  return () => window.removeEventListener('keydown', handleShortcut);
}
