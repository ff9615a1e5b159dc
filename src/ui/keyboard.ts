// Global keyboard shortcuts: those of the pre-training run's controls (Space, '.'; records in
// controls/pretrain-controls.ts) and the page's own (1–7 tabs, '?' help). They never fire while the user
// types in a field or when a modifier is held; Space is left to buttons and other controls it activates.
// The shortcuts help is generated from the same records (SHORTCUT_HELP).
import { PRETRAIN_CONTROLS } from './controls/pretrain-controls.ts';
import { useAppStore } from './store/index.ts';
import { TABS } from './store/ui-slice.ts';

export interface ShortcutHelp {
  keys: string;
  help: string;
}

/** A shortcut of the page itself rather than of a run control. */
interface PageShortcut extends ShortcutHelp {
  /** Whether it takes this key; absent for keys the help dialog handles itself. */
  takes?: (key: string) => boolean;
  perform?: (key: string) => void;
}

const tabNumber = (key: string) => (/^[1-9]$/.test(key) && Number(key) <= TABS.length ? Number(key) : 0);

const PAGE_SHORTCUTS: PageShortcut[] = [
  {
    keys: `1 – ${TABS.length}`,
    help: 'Switch tab',
    takes: (key) => tabNumber(key) > 0,
    perform: (key) => useAppStore.getState().setTab(TABS[tabNumber(key) - 1]!.id),
  },
  {
    keys: '?',
    help: 'Show or hide this help',
    takes: (key) => key === '?',
    perform: () => useAppStore.getState().setHelpOpen(!useAppStore.getState().helpOpen),
  },
  { keys: 'Esc', help: 'Close this help' }, // the native <dialog> closes itself
];

/** The rows of the shortcuts help: the run controls' shortcuts, then the page's. */
export const SHORTCUT_HELP: readonly ShortcutHelp[] = [
  ...PRETRAIN_CONTROLS.flatMap((c) => (c.shortcut ? [{ keys: c.shortcut.keys, help: c.shortcut.help }] : [])),
  ...PAGE_SHORTCUTS.map(({ keys, help }) => ({ keys, help })),
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
  const page = PAGE_SHORTCUTS.find((p) => p.takes?.(event.key));
  if (page) {
    event.preventDefault();
    page.perform?.(event.key);
    return;
  }
  // Several controls may share a key (Space: Start, Pause/Resume): the one enabled now acts.
  const controls = PRETRAIN_CONTROLS.filter((c) => c.shortcut?.key === event.key);
  if (!controls.length) return;
  event.preventDefault();
  controls.find((c) => c.guard(s).enabled)?.perform(s);
}

export function watchShortcuts(): () => void {
  window.addEventListener('keydown', handleShortcut);
  return () => window.removeEventListener('keydown', handleShortcut);
}
