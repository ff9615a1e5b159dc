// Per-dispatch timing of a compiled program: each dispatch is submitted alone and waited for, so the
// times include submit overhead and are meant for ranking kernels, not for absolute throughput.
import type { Program } from '../src/runtime/program.ts';

export interface KernelTime {
  kernel: string;
  count: number;
  totalMs: number;
}

export async function profileDispatches(device: GPUDevice, program: Program, repeats = 3): Promise<KernelTime[]> {
  const byKernel = new Map<string, KernelTime>();
  for (let i = 0; i < program.dispatchCount; i++) {
    const kernel = program.graph.nodes[i]!.kernel.entry;
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < repeats; r++) {
      const encoder = device.createCommandEncoder();
      program.encode(encoder, i, i + 1);
      const start = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone(); // sync point: the measurement
      best = Math.min(best, performance.now() - start);
    }
    const entry = byKernel.get(kernel) ?? { kernel, count: 0, totalMs: 0 };
    entry.count++;
    entry.totalMs += best;
    byKernel.set(kernel, entry);
  }
  return [...byKernel.values()].sort((a, b) => b.totalMs - a.totalMs);
}
