// Per-dispatch GPU time of a compiled program from timestamp queries (devices with 'timestamp-query'):
// every dispatch is encoded in its own compute pass with a timestamp at the pass's start and end, the
// whole program in one submit per chunk of dispatches, so the times exclude host and submit overhead.
// Dawn and Chromium quantize timestamps (to 2^16 ns) unless the 'timestamp_quantization' toggle is
// disabled; `quantized` reports whether every timestamp read was a multiple of 2^16.
import type { Program } from '../src/runtime/program.ts';
import type { KernelTime } from './profile.ts';

/** WebGPU's largest query set is 4096 queries: two per dispatch. */
const MAX_DISPATCHES_PER_SET = 2048;
const QUANTUM = 65536n;

export interface TimestampProfile {
  kernels: KernelTime[];
  /** Sum of the per-dispatch GPU times (ms). */
  totalMs: number;
  quantized: boolean;
}

/** GPU milliseconds per dispatch of `program`: the minimum over `repeats` runs of each dispatch. */
export async function dispatchGpuTimes(
  device: GPUDevice,
  program: Program,
  repeats = 3,
): Promise<{ ms: Float64Array; quantized: boolean }> {
  const n = program.dispatchCount;
  const chunk = Math.min(n, MAX_DISPATCHES_PER_SET);
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * chunk });
  const bytes = 2 * chunk * 8;
  const resolve = device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const ms = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  let quantized = true;
  try {
    for (let r = 0; r < repeats; r++) {
      for (let first = 0; first < n; first += chunk) {
        const count = Math.min(chunk, n - first);
        const encoder = device.createCommandEncoder({ label: 'timestamp profile' });
        for (let j = 0; j < count; j++) {
          const i = first + j;
          program.encode(encoder, i, i + 1, {
            querySet,
            beginningOfPassWriteIndex: 2 * j,
            endOfPassWriteIndex: 2 * j + 1,
          });
        }
        encoder.resolveQuerySet(querySet, 0, 2 * count, resolve, 0);
        encoder.copyBufferToBuffer(resolve, 0, staging, 0, 2 * count * 8);
        device.queue.submit([encoder.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
        const stamps = new BigUint64Array(staging.getMappedRange().slice(0, 2 * count * 8));
        staging.unmap();
        for (let j = 0; j < count; j++) {
          const begin = stamps[2 * j]!;
          const end = stamps[2 * j + 1]!;
          if (begin % QUANTUM !== 0n || end % QUANTUM !== 0n) quantized = false;
          // Some drivers report end < begin for an empty interval; count it as zero.
          const t = end > begin ? Number(end - begin) / 1e6 : 0;
          ms[first + j] = Math.min(ms[first + j]!, t);
        }
      }
    }
  } finally {
    querySet.destroy();
    resolve.destroy();
    staging.destroy();
  }
  return { ms, quantized };
}

/** Per-kernel totals of dispatchGpuTimes, largest first. */
export async function profileTimestamps(device: GPUDevice, program: Program, repeats = 3): Promise<TimestampProfile> {
  const { ms, quantized } = await dispatchGpuTimes(device, program, repeats);
  const byKernel = new Map<string, KernelTime>();
  let totalMs = 0;
  ms.forEach((t, i) => {
    const kernel = program.graph.nodes[i]!.kernel.entry;
    const entry = byKernel.get(kernel) ?? { kernel, count: 0, totalMs: 0 };
    entry.count++;
    entry.totalMs += t;
    totalMs += t;
    byKernel.set(kernel, entry);
  });
  return { kernels: [...byKernel.values()].sort((a, b) => b.totalMs - a.totalMs), totalMs, quantized };
}
