// Timing for benchmarks: runs a compiled program repeatedly and measures wall time to queue completion.
// Wall time includes submit overhead, which is what a training step pays too; each timed run contains
// enough repeated dispatches that per-submit overhead is small next to the kernels on a real GPU.
import type { Program } from '../src/runtime/program.ts';

export interface Timing {
  /** Median milliseconds per program run. */
  medianMs: number;
  minMs: number;
  runs: number;
}

export async function timeProgram(
  device: GPUDevice,
  program: Program,
  { warmup = 2, minRuns = 3, minTotalMs = 300, maxRuns = 50 } = {},
): Promise<Timing> {
  for (let i = 0; i < warmup; i++) program.run();
  await device.queue.onSubmittedWorkDone();
  const samples: number[] = [];
  let total = 0;
  while (samples.length < maxRuns && (samples.length < minRuns || total < minTotalMs)) {
    const start = performance.now();
    program.run();
    await device.queue.onSubmittedWorkDone(); // sync point: the measurement
    const ms = performance.now() - start;
    samples.push(ms);
    total += ms;
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)]!, minMs: samples[0]!, runs: samples.length };
}

/** The median (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Row {
  [column: string]: string | number;
}

/** A plain-text table for humans (stderr-friendly); JSON goes to stdout separately. */
export function formatTable(rows: Row[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]!);
  const cell = (v: string | number | undefined) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : (v ?? '');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padStart(widths[i]!)).join('  ');
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n');
}
