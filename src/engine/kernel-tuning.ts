// The engine's matmul kernel tuning: one MatmulTuner for the engine's lifetime, installed on every device
// the engine opens while tuning is on, so every Program.compile (pre-training, fine-tuning, evaluation,
// generation, attention) runs each matmul shape on the variant that is fastest on this GPU. Variants compute
// identical bits, so turning it off or on changes speed only. After a compile that decided new shapes, the
// status is reported (shapes known, how many were timed here rather than read from the store, seconds).
import type { GpuContext } from '../gpu/device.ts';
import { MatmulTuner, type TuningStore } from '../ops/matmul-tuner.ts';
import type { Graph } from '../runtime/graph.ts';
import { type GraphTuner, setGraphTuner } from '../runtime/program.ts';
import type { KernelTuningStatus } from './protocol.ts';

export interface KernelTuningOptions {
  /** Where decisions persist (OPFS in the worker); made on first use; undefined: memory only. */
  store?: () => Promise<TuningStore | undefined>;
  /** Tuning on until setEnabled says otherwise (default true). */
  enabled?: boolean;
  /** The tuner's lines (each timed shape, a store it could not read or write). */
  log?: (line: string) => void;
  /** Called after a compile decided new shapes, and on setEnabled. */
  report: (status: KernelTuningStatus) => void;
}

export class KernelTuning implements GraphTuner {
  private readonly tuner: MatmulTuner;
  private storePromise: Promise<TuningStore | undefined> | undefined;
  private on: boolean;

  constructor(private readonly options: KernelTuningOptions) {
    this.on = options.enabled ?? true;
    const store = () => {
      this.storePromise ??= options.store?.() ?? Promise.resolve(undefined);
      return this.storePromise;
    };
    this.tuner = new MatmulTuner({
      log: options.log,
      store: {
        // A store that cannot be opened or read: the tuner logs it and times every shape again.
        load: async () => (await (await store())?.load()) ?? {},
        // A failed save costs only the cache: the run must not fail over it.
        save: async (entries) => {
          try {
            await (await store())?.save(entries);
          } catch (error) {
            options.log?.(`matmul tuner: could not save the decisions (${(error as Error).message})`);
          }
        },
      },
    });
  }

  get enabled(): boolean {
    return this.on;
  }

  status(): KernelTuningStatus {
    const decisions = [...this.tuner.decisions.values()];
    return {
      enabled: this.on,
      shapes: decisions.length,
      timedShapes: decisions.filter((d) => Object.keys(d.ms).length > 0).length,
      seconds: this.tuner.tuningSeconds,
    };
  }

  /** Installs the tuner on a device the engine just opened (nothing while tuning is off). */
  attach(ctx: GpuContext): void {
    setGraphTuner(ctx, this.on ? this : undefined);
  }

  /** Turns tuning on or off for later compiles on `current` and on every device opened from now. */
  setEnabled(enabled: boolean, current: GpuContext | undefined): void {
    this.on = enabled;
    if (current) this.attach(current);
    this.options.report(this.status());
  }

  async tune(ctx: GpuContext, graph: Graph): Promise<void> {
    const known = this.tuner.decisions.size;
    await this.tuner.tune(ctx, graph);
    if (this.tuner.decisions.size > known) this.options.report(this.status());
  }
}
