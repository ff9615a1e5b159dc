// Calls back when the page's colours change: the data-theme attribute on <html>, which theme.ts sets for the
// theme toggle and, under "system", for the system scheme. Charts re-create themselves with the new colours.
import { useEffect, useState } from 'react';

export function watchTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  return () => observer.disconnect();
}

/** A number that changes whenever the page's colours do: a dependency for effects that read CSS colours. */
export function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => watchTheme(() => setVersion((v) => v + 1)), []);
  return version;
}
