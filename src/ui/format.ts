// Number, size and duration formatting shared by the UI.
export { formatBytes } from '../gpu/adapter-report.ts';

const en = new Intl.NumberFormat('en-US');

export function formatInteger(n: number): string {
  return en.format(Math.round(n));
}

/** 1234 -> "1.23 k", 116534784 -> "116.5 M". */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) {
      const v = n / size;
      return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${unit}`;
    }
  }
  return String(n);
}

/** 75000 -> "1 m 15 s", 4000000 -> "1 h 6 m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} m`;
}

/** An ISO time as the user's locale writes it ("11/26/2026, 8:23 AM"); the text itself when unparseable. */
export function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}
