// The engine's one GPUDevice: opened on first need with the limits a plan asks for, re-opened with larger
// limits when a bigger model needs them (spec defaults otherwise: 128 MiB per binding), and forgotten when
// lost so the next command opens a fresh one (C5). Our own close() is not reported as a loss. `onOpened`
// sees each new device before anything is compiled on it (the engine installs its kernel tuner there).
import { type GpuContext, openGpu } from '../gpu/device.ts';
import { type LimitNeeds, resolveRequiredLimits } from '../gpu/limits.ts';

export type LostListener = (info: { reason: GPUDeviceLostReason; message: string }) => void;

/** How long a failed run waits for a loss to be told before it reports the failure as it is. */
export const LOSS_GRACE_MS = 1000;

/**
 * Whether `ctx`'s device is lost, or gets lost within `ms`. A lost device often shows first as a failed
 * readback (mapAsync rejects when destroy() unmaps its buffer) and is told a moment later; a run that failed
 * waits for that so it can say what really happened. The engine's own loss listener has run when it resolves.
 */
export function lostWithin(ctx: GpuContext, ms = LOSS_GRACE_MS): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([ctx.lost.then(() => true), late]).finally(() => clearTimeout(timer));
}

/** Whether `limits` already grant every need. */
export function grants(limits: GPUSupportedLimits, needs: LimitNeeds): boolean {
  return Object.entries(needs).every(
    ([name, needed]) => needed === undefined || Number((limits as unknown as Record<string, number>)[name]) >= needed,
  );
}

export class DeviceHolder {
  private ctx: GpuContext | undefined;
  private unsubscribe: (() => void) | undefined;
  private opening: Promise<GpuContext> | undefined;

  constructor(
    private readonly gpu: () => GPU | Promise<GPU>,
    private readonly onLost: LostListener,
    private readonly onOpened: (ctx: GpuContext) => void = () => {},
  ) {}

  get current(): GpuContext | undefined {
    return this.ctx;
  }

  /**
   * The open device when it grants `needs`; otherwise a new one requested with them. The caller must have
   * released everything built on the old device (its programs die with it).
   */
  async open(needs: LimitNeeds = {}, purpose = 'gpt1-lab engine'): Promise<GpuContext> {
    while (this.opening) await this.opening.catch(() => {});
    if (this.ctx && grants(this.ctx.device.limits, needs)) return this.ctx;
    // Check before closing: an adapter that cannot grant the needs must not cost the working device.
    if (this.ctx) resolveRequiredLimits(needs, this.ctx.adapter.limits, purpose);
    this.close();
    this.opening = (async () => {
      const ctx = await openGpu(await this.gpu(), { needs, purpose });
      this.unsubscribe = ctx.onLost((info) => {
        if (this.ctx === ctx) this.ctx = undefined;
        this.onLost(info);
      });
      this.ctx = ctx;
      this.onOpened(ctx);
      return ctx;
    })();
    try {
      return await this.opening;
    } finally {
      this.opening = undefined;
    }
  }

  /** Destroys the device without reporting a loss. */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.ctx?.destroy();
    this.ctx = undefined;
  }

  /** Test hook (C5): destroys the device as a real loss would, so the loss path runs. */
  loseForTest(): boolean {
    if (!this.ctx) return false;
    this.ctx.device.destroy();
    return true;
  }
}
