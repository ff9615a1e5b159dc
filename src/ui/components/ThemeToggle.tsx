// Light / dark / system colour scheme, persisted and applied as data-theme on <html>.
import { useEffect } from 'react';
import { useAppStore } from '../store/index.ts';
import type { Theme } from '../store/ui-slice.ts';

const STORAGE_KEY = 'gpt1-lab.theme';
const THEMES: Theme[] = ['system', 'light', 'dark'];

export function ThemeToggle() {
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);

  useEffect(() => {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && (THEMES as string[]).includes(saved)) setTheme(saved as Theme);
  }, [setTheme]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(STORAGE_KEY, theme);
  }, [theme]);

  return (
    <label className="theme-toggle">
      Theme{' '}
      <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
        {THEMES.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
    </label>
  );
}
