// The WGSL loader. Every file in shaders/ is imported as a string at build time (Vite's `?raw`,
// which works in the app, in workers, in vitest and in the bundled CLI), so nothing is fetched at
// run time. WGSL has no #include, so we resolve `#include "file.wgsl"` lines here, once per file.

const files = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

const sources = new Map<string, string>(
  Object.entries(files).map(([path, text]) => [path.slice(path.lastIndexOf('/') + 1), text]),
);

const INCLUDE = /^[ \t]*#include\s+"([^"]+)"[ \t]*$/gm;
const resolved = new Map<string, string>();

/** Names of all WGSL files, e.g. "matmul.wgsl". */
export function shaderNames(): string[] {
  return [...sources.keys()].sort();
}

/** The source of shaders/<name> with includes expanded (each included file at most once). */
export function shaderSource(name: string): string {
  const cached = resolved.get(name);
  if (cached !== undefined) return cached;
  const text = expand(name, new Set(), []);
  resolved.set(name, text);
  return text;
}

function expand(name: string, seen: Set<string>, stack: string[]): string {
  const raw = sources.get(name);
  if (raw === undefined) {
    const from = stack.length ? ` (included from ${stack.at(-1)})` : '';
    throw new Error(`Unknown shader "${name}"${from}; shaders/ has: ${shaderNames().join(', ')}`);
  }
  if (stack.includes(name)) throw new Error(`Include cycle: ${[...stack, name].join(' -> ')}`);
  seen.add(name);
  return raw.replace(INCLUDE, (_line, inner: string) =>
    seen.has(inner) ? `// (${inner} already included)` : expand(inner, seen, [...stack, name]),
  );
}
