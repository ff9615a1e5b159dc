// The colour scheme on <html>: the chosen one ("light", "dark", or "system") is saved, and applied as a
// concrete data-theme ("light" | "dark"). "system" is resolved here from prefers-color-scheme and followed
// while it changes, so the stylesheet has one dark palette and everything that reads colours (charts, canvas
// views; charts/theme-watch.ts) has a single signal to watch: the data-theme attribute.
import type { Theme } from './store/ui-slice.ts';

const STORAGE_KEY = 'gpt1-lab.theme';
export const THEMES: Theme[] = ['system', 'light', 'dark'];

/** The choice saved in this browser, if any. */
export function savedTheme(): Theme | undefined {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved && (THEMES as string[]).includes(saved) ? (saved as Theme) : undefined;
  } catch {
    return undefined; // storage blocked
  }
}

/** Saves `theme` and applies it now; for "system", also on every change of the system scheme until undone. */
export function applyTheme(theme: Theme): () => void {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // storage blocked: the choice holds for this page only
  }
  const root = document.documentElement;
  if (theme !== 'system') {
    root.dataset.theme = theme;
    return () => {};
  }
  const media = window.matchMedia?.('(prefers-color-scheme: dark)');
  const follow = () => {
    root.dataset.theme = media?.matches ? 'dark' : 'light';
  };
  follow();
  media?.addEventListener('change', follow);
  return () => media?.removeEventListener('change', follow);
}
