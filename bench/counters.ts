// Counting GPU API calls on one device, to prove properties of a training step rather than assume them:
// one queue submit per step, no buffer (or bind group) creation once the step runs, and how many
// asynchronous readbacks (mapAsync) and uploads (writeBuffer) a step makes. Works in Node (Dawn) and
// in browsers: it wraps the methods on the device's own objects and restores them on dispose().

export interface CallCounts {
  submits: number;
  commandBuffers: number;
  createBuffer: number;
  createBindGroup: number;
  createCommandEncoder: number;
  writeBuffer: number;
  /** mapAsync on any buffer (the prototype is shared): the readbacks. */
  mapAsync: number;
  /** Explicit host waits for the queue (a pipelined step loop makes none). */
  onSubmittedWorkDone: number;
}

export const ZERO_COUNTS: CallCounts = {
  submits: 0,
  commandBuffers: 0,
  createBuffer: 0,
  createBindGroup: 0,
  createCommandEncoder: 0,
  writeBuffer: 0,
  mapAsync: 0,
  onSubmittedWorkDone: 0,
};

/** counts b − a, field by field. */
export function diffCounts(a: CallCounts, b: CallCounts): CallCounts {
  const out = { ...ZERO_COUNTS };
  for (const key of Object.keys(out) as (keyof CallCounts)[]) out[key] = b[key] - a[key];
  return out;
}

type AnyFn = (...args: never[]) => unknown;

export class DeviceCounters {
  private readonly counts: CallCounts = { ...ZERO_COUNTS };
  private readonly restores: (() => void)[] = [];

  constructor(device: GPUDevice) {
    const queue = device.queue;
    this.wrap(queue, 'submit', (buffers: Iterable<GPUCommandBuffer>) => {
      this.counts.submits++;
      this.counts.commandBuffers += [...buffers].length;
    });
    this.wrap(queue, 'writeBuffer', () => this.counts.writeBuffer++);
    this.wrap(queue, 'onSubmittedWorkDone', () => this.counts.onSubmittedWorkDone++);
    this.wrap(device, 'createBuffer', () => this.counts.createBuffer++);
    this.wrap(device, 'createBindGroup', () => this.counts.createBindGroup++);
    this.wrap(device, 'createCommandEncoder', () => this.counts.createCommandEncoder++);
    // Buffers share one prototype; a probe buffer (counted above, before counting matters) finds it.
    const probe = device.createBuffer({ label: 'counters probe', size: 4, usage: GPUBufferUsage.MAP_READ });
    const bufferProto = Object.getPrototypeOf(probe) as GPUBuffer;
    probe.destroy();
    this.wrap(bufferProto, 'mapAsync', () => this.counts.mapAsync++);
  }

  /** Replaces target[name] with a counting wrapper that calls the original with the same `this`. */
  private wrap<T extends object, K extends keyof T & string>(target: T, name: K, count: (...args: never[]) => void) {
    const original = target[name] as unknown as AnyFn;
    const own = Object.hasOwn(target, name);
    const wrapper = function (this: unknown, ...args: never[]) {
      count(...args);
      return original.apply(this, args);
    };
    (target as Record<string, unknown>)[name] = wrapper;
    this.restores.push(() => {
      if (own) (target as Record<string, unknown>)[name] = original;
      else delete (target as Record<string, unknown>)[name];
    });
  }

  snapshot(): CallCounts {
    return { ...this.counts };
  }

  dispose(): void {
    for (const restore of this.restores.reverse()) restore();
    this.restores.length = 0;
  }
}
