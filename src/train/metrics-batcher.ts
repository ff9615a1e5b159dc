// Step points leave a run in batches, never one message per step: a batch goes out when `intervalMs` have
// passed since the last one or `maxPoints` have piled up, and whenever the run reaches a step boundary (the
// step driver flushes). Also the step timer: ms/step as an exponential moving average of wall time between
// finished steps, restarted after pauses and boundary work so those do not count as slow steps; and the
// stopwatch of a run's active time.

export interface MetricsBatcherOptions {
  /** Longest time between batches while points arrive (default 100 ms). */
  intervalMs?: number;
  /** Most points in one batch (default 64). */
  maxPoints?: number;
  now?: () => number;
}

export class MetricsBatcher<P> {
  private points: P[] = [];
  private lastFlush: number;
  private readonly intervalMs: number;
  private readonly maxPoints: number;
  private readonly now: () => number;

  constructor(
    private readonly send: (points: P[]) => void,
    options: MetricsBatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100;
    this.maxPoints = options.maxPoints ?? 64;
    this.now = options.now ?? (() => performance.now());
    this.lastFlush = this.now();
  }

  push(point: P): void {
    this.points.push(point);
    if (this.points.length >= this.maxPoints || this.now() - this.lastFlush >= this.intervalMs) this.flush();
  }

  /** Sends what is pending (nothing when empty). */
  flush(): void {
    this.lastFlush = this.now();
    if (this.points.length === 0) return;
    const points = this.points;
    this.points = [];
    this.send(points);
  }
}

/** Smoothing of the moving averages: each new step weighs 10 %. */
const EMA_WEIGHT = 0.1;

export class StepTimer {
  private last: number | undefined;
  private ema: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Restarts the clock (the next step's time counts from now). */
  restart(): void {
    this.last = this.now();
  }

  /** Records a finished step; returns the smoothed ms/step (0 before the first measurement). */
  tick(): number {
    const now = this.now();
    if (this.last !== undefined) {
      const dt = now - this.last;
      this.ema = this.ema === undefined ? dt : (1 - EMA_WEIGHT) * this.ema + EMA_WEIGHT * dt;
    }
    this.last = now;
    return this.ema ?? 0;
  }
}

/** Throughput from the smoothed step time (0 before the first measurement). */
export function tokensPerSecond(tokensPerStep: number, msPerStep: number): number {
  return msPerStep > 0 ? (tokensPerStep * 1000) / msPerStep : 0;
}

/** Active time: runs only between start() and stop(), so pauses leave gaps out of the time axis. */
export class Stopwatch {
  private since: number | undefined;

  constructor(
    private base = 0,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    this.since ??= this.now();
  }

  stop(): void {
    if (this.since === undefined) return;
    this.base += this.now() - this.since;
    this.since = undefined;
  }

  elapsed(): number {
    return this.base + (this.since === undefined ? 0 : this.now() - this.since);
  }
}
