// How the engine paces its runs (not what they compute): steps in flight, how often metric batches and
// checkpoints go out, the samples' length and sampling, validation batches. Results never depend on these;
// tests shrink them to make event counts deterministic and runs quick.
import type { GenerateOptions } from '../train/generator.ts';

export interface RunPacing {
  /** Steps submitted ahead of the host (default 2). */
  maxInFlight?: number;
  /** Metric batches: at most every `metricsIntervalMs` (default 100) or `metricsMaxPoints` points (default 64). */
  metricsIntervalMs?: number;
  metricsMaxPoints?: number;
  /** Pre-training auto-saves every N steps (default 200; 0: only on pause, stop and the end)... */
  checkpointEvery?: number;
  /** ... and not more often than this (default 30 s). */
  checkpointMinMs?: number;
  /** Pre-training samples: tokens, temperature, top-k; the seed is fixed per run (default: the run seed). */
  sample?: Partial<GenerateOptions>;
  /** Validation batches per evaluation (default 4). */
  evalBatches?: number;
}
