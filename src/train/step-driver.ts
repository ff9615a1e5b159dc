// The one step loop of the project. Pre-training and fine-tuning, in the CLI and in the engine, step a
// trainer through a StepDriver:
//   - up to `maxInFlight` steps are submitted ahead of the host (a trainer's submitStep returns once the
//     step is queued; its result resolves when the GPU is done), and results are settled in order;
//   - a step boundary is where every submitted step has settled. Work that is due (validation, samples,
//     checkpoints, dev evaluation) runs there, so it sees consistent weights; pause and stop also take
//     effect only there;
//   - each settled step becomes a point, and points leave in batches (MetricsBatcher), flushed at every
//     boundary so a batch never arrives after the event of the work that followed it.
// Nothing here touches the training state (data cursor, step, seeds), so a run paused, evaluated or
// checkpointed any number of times gives the same loss bits as one that never was.
import { MetricsBatcher, type MetricsBatcherOptions, StepTimer, Stopwatch } from './metrics-batcher.ts';

/** What the driver steps: LmTrainer and FinetuneTrainer. */
export interface SteppingTrainer<R> {
  /** Steps submitted so far (in flight ones included). */
  readonly step: number;
  submitStep(): Promise<{ result: Promise<R> }>;
}

/** Work run at a step boundary when due. */
export interface BoundaryWork {
  /**
   * Whether the work is due once `step` steps have been submitted; `end` is true once, after the last
   * step. Work that already ran at this step is not asked again at the end.
   */
  due(step: number, end: boolean): boolean;
  run(step: number): Promise<void>;
}

/** Due every `n` steps before the last (`total`), and at the end unless it already ran at that step. */
export function dueEvery(n: number, total: number, step: number, end: boolean, lastStep: number): boolean {
  if (n <= 0) return false;
  return end ? lastStep !== step : step % n === 0 && step < total;
}

/** Timing of a settled step, for its point. */
export interface StepTiming {
  /** Wall time per step (ms), smoothed; 0 before the first measurement. Boundary work and pauses excluded. */
  msPerStep: number;
  /** Active time of the run (ms): waiting while paused is left out. */
  elapsedMs: number;
}

export interface StepDriverOptions<R, P> {
  /** The driver ends ('done') once the trainer has submitted this many steps and they settled. */
  totalSteps: number;
  /** Steps submitted ahead of the host (default 2). */
  maxInFlight?: number;
  /** The point a settled step reports (called in step order). */
  point: (result: R, timing: StepTiming) => P;
  /** Receives the points in batches. */
  report: (points: P[]) => void;
  batching?: MetricsBatcherOptions;
  /** Checked after every submitted step, in this order. */
  work?: readonly BoundaryWork[];
  /** Start waiting for resume() or stepOnce() instead of stepping. */
  paused?: boolean;
  /** At the boundary where a pause takes effect, before waiting (e.g. a checkpoint). */
  onPausing?: (step: number) => Promise<void>;
  /** About to wait: a pause took effect or a step-once finished. */
  onPaused?: (step: number) => void;
  /**
   * Once per run(), just before its first step is submitted (after a pause the run opened in): work on the
   * starting weights, such as step 0's evaluation. Not counted in the step timings or the active time.
   */
  beforeFirstStep?: (step: number) => Promise<void>;
  /** Active time already spent (a resumed run). */
  elapsedMs?: number;
  now?: () => number;
}

export type DriverEnd = 'done' | 'stopped';

type Outcome<R> = { ok: R } | { error: unknown };

export class StepDriver<R, P> {
  private readonly queue: Promise<Outcome<R>>[] = [];
  private readonly batcher: MetricsBatcher<P>;
  private readonly timer: StepTimer;
  private readonly stopwatch: Stopwatch;
  private readonly lastRun = new Map<BoundaryWork, number>();
  /** Steps the driver may still submit before it waits (Infinity while running). */
  private budget: number;
  private stopRequested = false;
  private fatal: string | undefined;
  private wake: (() => void) | undefined;
  private settled: number;
  private running = false;
  private firstStepDue = true;

  constructor(
    private readonly trainer: SteppingTrainer<R>,
    private readonly options: StepDriverOptions<R, P>,
  ) {
    const now = options.now ?? (() => performance.now());
    this.batcher = new MetricsBatcher(options.report, { now, ...options.batching });
    this.timer = new StepTimer(now);
    this.stopwatch = new Stopwatch(options.elapsedMs ?? 0, now);
    this.budget = options.paused ? 0 : Number.POSITIVE_INFINITY;
    this.settled = trainer.step;
  }

  /** Steps settled and reported: the step of the last boundary or later. */
  get step(): number {
    return this.settled;
  }

  /** Active time so far (ms). */
  get elapsedMs(): number {
    return this.stopwatch.elapsed();
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Steps until the next boundary: none while paused (or pausing). */
  get paused(): boolean {
    return this.budget <= 0;
  }

  /** Takes effect at the next step boundary. */
  pause(): void {
    this.budget = 0;
  }

  resume(): void {
    this.budget = Number.POSITIVE_INFINITY;
    this.poke();
  }

  /** One step, then paused again (only while paused). */
  stepOnce(): void {
    if (this.budget > 0) return;
    this.budget = 1;
    this.poke();
  }

  /** Ends the run at the next step boundary, without the work due there. */
  stop(): void {
    this.stopRequested = true;
    this.poke();
  }

  /** The device is gone: run() rejects with `message` without waiting for steps in flight. */
  fail(message: string): void {
    this.fatal = message;
    this.poke();
  }

  /** Sends the pending points now (before an event that must follow them). */
  flush(): void {
    this.batcher.flush();
  }

  /**
   * Steps until the total is reached ('done') or a stop takes effect ('stopped'); rejects with the first
   * failed step's error once the steps in flight have settled (nothing runs on buffers about to be freed).
   */
  async run(): Promise<DriverEnd> {
    if (this.running) throw new Error('StepDriver.run: already running');
    this.running = true;
    const maxInFlight = Math.max(1, this.options.maxInFlight ?? 2);
    this.timer.restart();
    this.stopwatch.start();
    try {
      for (;;) {
        if (this.fatal !== undefined) throw new Error(this.fatal);
        if (this.stopRequested) {
          await this.drain();
          return 'stopped';
        }
        if (this.trainer.step >= this.options.totalSteps) {
          await this.drain();
          await this.runDue(this.trainer.step, true);
          return 'done';
        }
        if (this.budget <= 0) {
          await this.waitAtPause();
          continue;
        }
        if (this.firstStepDue) {
          this.firstStepDue = false;
          await this.beforeFirstStep();
          continue; // a stop, a failure or a pause may have come meanwhile
        }
        const { result } = await this.trainer.submitStep();
        this.budget--;
        // Caught at once: no unhandled rejection while the outcome waits in the queue.
        this.queue.push(
          result.then(
            (ok) => ({ ok }),
            (error: unknown) => ({ error }),
          ),
        );
        if (this.queue.length >= maxInFlight) await this.settle();
        // The last step's work runs once, at the end (so a checkpoint saved there sees the final evaluation).
        if (!this.stopRequested && this.trainer.step < this.options.totalSteps) {
          await this.runDue(this.trainer.step, false);
        }
      }
    } catch (error) {
      if (this.fatal === undefined) await Promise.all(this.queue); // outcomes never reject
      throw this.fatal === undefined ? error : new Error(this.fatal);
    } finally {
      this.queue.length = 0;
      this.stopwatch.stop();
      this.batcher.flush();
    }
  }

  private async beforeFirstStep(): Promise<void> {
    const work = this.options.beforeFirstStep;
    if (!work) return;
    this.stopwatch.stop();
    await work(this.trainer.step);
    this.stopwatch.start();
    this.timer.restart();
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async settle(): Promise<void> {
    const outcome = await this.queue.shift()!;
    if ('error' in outcome) throw outcome.error;
    const timing = { msPerStep: this.timer.tick(), elapsedMs: this.stopwatch.elapsed() };
    this.settled++;
    this.batcher.push(this.options.point(outcome.ok, timing));
  }

  private async drain(): Promise<void> {
    while (this.queue.length) await this.settle();
    this.batcher.flush();
  }

  /** Runs the work due at `step` (draining first, once, if any is due). */
  private async runDue(step: number, end: boolean): Promise<void> {
    const due = (this.options.work ?? []).filter((w) => !(end && this.lastRun.get(w) === step) && w.due(step, end));
    if (!due.length) return;
    await this.drain();
    for (const work of due) {
      if (this.fatal !== undefined) return;
      await work.run(step);
      this.lastRun.set(work, step);
      this.batcher.flush();
    }
    this.timer.restart();
  }

  /** A pause (or the end of a step-once) takes effect: settle, let the owner save, wait unless resumed. */
  private async waitAtPause(): Promise<void> {
    await this.drain();
    if (this.stopRequested || this.fatal !== undefined) return;
    await this.options.onPausing?.(this.trainer.step);
    if (this.budget > 0 || this.stopRequested || this.fatal !== undefined) return;
    this.options.onPaused?.(this.trainer.step);
    if (this.budget > 0 || this.stopRequested || this.fatal !== undefined) return; // answered inside onPaused
    this.stopwatch.stop();
    await new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    this.stopwatch.start();
    this.timer.restart();
  }
}
