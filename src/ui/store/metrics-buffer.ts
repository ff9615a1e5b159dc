// Per-run metric columns kept outside React state: growable Float64Arrays that charts read directly.
// The store only carries a tick that says "something was appended", so a point never re-renders React.
import type { StepMetrics } from '../../engine/protocol.ts';

/** A Float64Array that doubles when full; `view()` is a zero-copy window onto the filled part. */
export class GrowableSeries {
  private buffer: Float64Array;
  length = 0;

  constructor(capacity = 256) {
    this.buffer = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.buffer.length) {
      const next = new Float64Array(this.buffer.length * 2);
      next.set(this.buffer);
      this.buffer = next;
    }
    this.buffer[this.length++] = value;
  }

  truncate(length: number): void {
    this.length = Math.max(0, Math.min(this.length, length));
  }

  view(): Float64Array {
    return this.buffer.subarray(0, this.length);
  }

  last(): number | undefined {
    return this.length ? this.buffer[this.length - 1] : undefined;
  }
}

type StepMetricKey = keyof StepMetrics;
export const METRIC_KEYS = [
  'step',
  'loss',
  'gradNorm',
  'lr',
  'tokens',
  'tokensPerSecond',
  'msPerStep',
  'elapsedMs',
] as const;
// Every key a StepMetrics field (a misspelt key fails the type check here).
METRIC_KEYS satisfies readonly StepMetricKey[];
export type MetricKey = (typeof METRIC_KEYS)[number];

/** First index whose value is >= target in an ascending array (length when none). */
export function lowerBound(values: ArrayLike<number>, target: number, length = values.length): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RunMetrics {
  readonly columns: Record<MetricKey, GrowableSeries>;
  readonly evalStep = new GrowableSeries(32);
  readonly evalLoss = new GrowableSeries(32);
  /** Debiased EMA of ms/step, for the ETA. */
  msPerStepEma = 0;
  private emaCount = 0;

  constructor() {
    this.columns = Object.fromEntries(METRIC_KEYS.map((k) => [k, new GrowableSeries()])) as Record<
      MetricKey,
      GrowableSeries
    >;
  }

  get length(): number {
    return this.columns.step.length;
  }

  /** Appends points in step order; a step at or before the last one rewinds (a resume from a checkpoint). */
  append(points: readonly StepMetrics[]): void {
    for (const point of points) {
      const steps = this.columns.step;
      if (steps.length && point.step <= steps.last()!) {
        const keep = lowerBound(steps.view(), point.step);
        for (const key of METRIC_KEYS) this.columns[key].truncate(keep);
      }
      for (const key of METRIC_KEYS) this.columns[key].push(point[key]);
      if (Number.isFinite(point.msPerStep) && point.msPerStep > 0) {
        this.emaCount++;
        const w = 0.9;
        this.msPerStepEma = this.msPerStepEma * w + (1 - w) * point.msPerStep;
      }
    }
  }

  /** ms/step, debiased (as TensorBoard's smoothing), or undefined before the first step. */
  msPerStep(): number | undefined {
    if (!this.emaCount) return undefined;
    return this.msPerStepEma / (1 - 0.9 ** this.emaCount);
  }

  appendEval(step: number, valLoss: number): void {
    if (this.evalStep.length && step <= this.evalStep.last()!) {
      const keep = lowerBound(this.evalStep.view(), step);
      this.evalStep.truncate(keep);
      this.evalLoss.truncate(keep);
    }
    this.evalStep.push(step);
    this.evalLoss.push(valLoss);
  }

  /** Rows of every column, for CSV/JSON export. */
  rows(): Record<MetricKey, number>[] {
    const out: Record<MetricKey, number>[] = [];
    for (let i = 0; i < this.length; i++) {
      out.push(
        Object.fromEntries(METRIC_KEYS.map((k) => [k, this.columns[k].view()[i]!])) as Record<MetricKey, number>,
      );
    }
    return out;
  }
}

const registry = new Map<string, RunMetrics>();

export function runMetrics(runId: string): RunMetrics {
  let metrics = registry.get(runId);
  if (!metrics) {
    metrics = new RunMetrics();
    registry.set(runId, metrics);
  }
  return metrics;
}

export function peekRunMetrics(runId: string): RunMetrics | undefined {
  return registry.get(runId);
}
