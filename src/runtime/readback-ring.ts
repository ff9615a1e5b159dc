// Asynchronous readback of a few small tensors (loss, gradient norm) after each run, through a ring of
// staging buffers, so the host never waits for the GPU to finish a step before submitting the next one.
// A slot is reused only after its previous read resolved: the ring's depth bounds how far the GPU may
// run ahead of the host (backpressure), and the awaited promise is the step's only sync point.
import type { Program } from './program.ts';
import type { Tensor } from './tensor.ts';

interface Slot {
  buffer: GPUBuffer;
  pending: Promise<Float32Array[]> | undefined;
}

export class ReadbackRing {
  private readonly slots: Slot[];
  private next = 0;
  private readonly bytes: number;

  constructor(
    private readonly device: GPUDevice,
    private readonly tensors: readonly Tensor[],
    depth = 3,
  ) {
    for (const t of tensors) if (t.dtype !== 'f32') throw new Error(`ReadbackRing: ${t} is not f32`);
    this.bytes = tensors.reduce((sum, t) => sum + t.bytes, 0);
    this.slots = Array.from({ length: depth }, (_, i) => ({
      buffer: device.createBuffer({
        label: `readback ring ${i}`,
        size: this.bytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      }),
      pending: undefined,
    }));
  }

  /**
   * Runs `program` once with copies of the ring's tensors appended to the same submit. Resolves as soon as
   * the work is submitted (after waiting if its slot is still being read); `values` resolves when the GPU
   * is done with this run.
   */
  async run(program: Program): Promise<{ values: Promise<Float32Array[]> }> {
    const slot = this.slots[this.next]!;
    this.next = (this.next + 1) % this.slots.length;
    if (slot.pending) await slot.pending; // backpressure: the GPU is `depth` steps ahead
    const encoder = this.device.createCommandEncoder({ label: `${program.label} + readback` });
    program.encode(encoder);
    let offset = 0;
    for (const t of this.tensors) {
      const source = program.location(t);
      encoder.copyBufferToBuffer(source.buffer, source.offset, slot.buffer, offset, t.bytes);
      offset += t.bytes;
    }
    this.device.queue.submit([encoder.finish()]);
    const pending = slot.buffer.mapAsync(GPUMapMode.READ).then(() => {
      const data = slot.buffer.getMappedRange().slice(0);
      slot.buffer.unmap();
      let at = 0;
      return this.tensors.map((t) => {
        const values = new Float32Array(data, at, t.size);
        at += t.bytes;
        return values;
      });
    });
    // The slot's own copy only orders reuse; errors reach the caller through `pending`.
    const settled: Promise<Float32Array[]> = pending.then(
      (values) => values,
      () => [],
    );
    slot.pending = settled;
    void settled.then(() => {
      if (slot.pending === settled) slot.pending = undefined;
    });
    // Wrapped: an async function returning a bare promise would wait for it.
    return { values: pending };
  }

  destroy(): void {
    for (const slot of this.slots) slot.buffer.destroy();
  }
}
