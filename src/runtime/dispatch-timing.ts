// Wall-clock timing of a range of a compiled program's dispatches, to queue completion: what the matmul
// tuner uses to pick a kernel per shape on the adapter at hand, and what the kernel benchmarks report.
// Wall time includes submit overhead; the range is repeated within one submit until that is small.
import type { Program } from './program.ts';

export interface DispatchTiming {
  /** Median milliseconds per range. */
  medianMs: number;
  minMs: number;
  runs: number;
  /** Ranges encoded per timed submit. */
  repeats: number;
}

/**
 * Times dispatches [from, to) of a program: each timed submit encodes the range `repeats` times, with
 * `repeats` chosen so one submit takes about `targetMs` (kernels of microseconds need hundreds of
 * repeats to dwarf the submit; a slow one on SwiftShader needs one). Returns milliseconds per range.
 * With `giveUpAboveMs`, a range whose first timed run is slower than that returns after it (a tuner
 * stops timing a candidate that has already lost). `warmup: false` skips the untimed first submit, for
 * ranges whose buffers and pipelines an earlier range has already used.
 */
export async function timeDispatches(
  device: GPUDevice,
  program: Program,
  from = 0,
  to = program.dispatchCount,
  {
    targetMs = 50,
    maxRepeats = 1000,
    minRuns = 3,
    maxRuns = 10,
    giveUpAboveMs = Number.POSITIVE_INFINITY,
    warmup = true,
  } = {},
): Promise<DispatchTiming> {
  const submit = async (repeats: number) => {
    const encoder = device.createCommandEncoder({ label: `${program.label} x${repeats}` });
    for (let r = 0; r < repeats; r++) program.encode(encoder, from, to);
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone(); // sync point: the measurement
    return performance.now() - start;
  };
  if (warmup) await submit(1); // first use of the pipelines and buffers (lazy zero-fill, caches)
  const once = await submit(1);
  const repeats = Math.max(1, Math.min(maxRepeats, Math.round(targetMs / Math.max(once, 1e-3))));
  // A range slow enough to need no repeats has just been timed as it would be: that is a sample.
  const samples: number[] = repeats === 1 ? [once] : [];
  let total = samples[0] ?? 0;
  if (once > giveUpAboveMs) return { medianMs: once, minMs: once, runs: 1, repeats: 1 };
  while (samples.length < maxRuns && (samples.length < minRuns || total < 3 * targetMs)) {
    const ms = (await submit(repeats)) / repeats;
    samples.push(ms);
    total += ms * repeats;
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)]!, minMs: samples[0]!, runs: samples.length, repeats };
}
