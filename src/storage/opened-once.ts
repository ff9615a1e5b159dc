// A store opened on first use and shared after: `open()` once (the same promise for every caller), or the
// fallback when there is none or it fails (a browser without OPFS keeps runs in memory for the tab's life).

export function openedOnce<T>(open: (() => Promise<T>) | undefined, fallback: () => T): () => Promise<T> {
  let opened: Promise<T> | undefined;
  return () => {
    opened ??= (open?.() ?? Promise.resolve(fallback())).catch(() => fallback());
    return opened;
  };
}
