// A run control as data: what a button of a run's toolbar shows, when it can be pressed (and why not), its
// keyboard shortcut with the line the shortcuts help shows for it, and what it does. The toolbar
// (components/RunToolbar.tsx), the keyboard handler (keyboard.ts) and the help (ShortcutsHelp.tsx) are all
// generated from these records, so a control's guard is written once and the three cannot disagree.
import type { IconName } from '../components/Icon.tsx';
import { type AppState, useAppStore } from '../store/index.ts';

/** Whether a control can be pressed now; when not, optionally why (shown under the toolbar). */
export type Availability = { enabled: true } | { enabled: false; why?: string };

export const ENABLED: Availability = { enabled: true };
export const DISABLED: Availability = { enabled: false };

export interface ControlShortcut {
  /** KeyboardEvent.key. */
  key: string;
  /** As the help and aria-keyshortcuts write it. */
  keys: string;
  /** The line of the shortcuts help. */
  help: string;
}

/** A value fixed for the control, or one that follows the store (a toggle names what it will do now). */
type OrFromState<T> = T | ((s: AppState) => T);

export interface RunControl {
  id: string;
  /** The button's text and so its accessible name (icons are decorative). */
  label: OrFromState<string>;
  icon?: OrFromState<IconName>;
  tone?: 'primary' | 'danger';
  /** A tooltip for what the label cannot say. */
  title?: string;
  shortcut?: ControlShortcut;
  guard: (s: AppState) => Availability;
  /** Called only when the guard allows it. */
  perform: (s: AppState) => void;
}

export function resolve<T>(value: OrFromState<T>, s: AppState): T {
  return typeof value === 'function' ? (value as (s: AppState) => T)(s) : value;
}

/** Availability from a list of reasons: enabled when empty, else disabled saying why (unless `quiet`). */
export function unlessBlocked(reasons: readonly string[], quiet = false): Availability {
  if (!reasons.length) return ENABLED;
  return quiet ? DISABLED : { enabled: false, why: reasons.join('; ') };
}

/** Performs a control if its guard allows it now; returns whether it did. */
export function invokeControl(control: RunControl): boolean {
  const s = useAppStore.getState();
  if (!control.guard(s).enabled) return false;
  control.perform(s);
  return true;
}
