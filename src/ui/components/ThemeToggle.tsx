// Light / dark / system colour scheme: the choice is saved and applied by theme.ts.
import { useEffect } from 'react';
import { useAppStore } from '../store/index.ts';
import type { Theme } from '../store/ui-slice.ts';
import { applyTheme, THEMES } from '../theme.ts';

export function ThemeToggle() {
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);

  useEffect(() => applyTheme(theme), [theme]);

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
