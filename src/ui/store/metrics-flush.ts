// Coalesces metric and eval events into at most one store update per FLUSH_MS: the buffers grow at once,
// the store learns about it (latest point, ms/step, metricsTick) on a timer, so React never renders per point.
// setTimeout rather than requestAnimationFrame: it still fires (throttled) in a background tab, where the
// document title keeps showing progress.
import type { StepMetrics } from '../../engine/protocol.ts';
import { useAppStore } from './index.ts';
import { METRIC_KEYS, peekRunMetrics } from './metrics-buffer.ts';

const FLUSH_MS = 100;
const dirty = new Set<string>();
let scheduled = false;

function latestPoint(runId: string): StepMetrics | undefined {
  const metrics = peekRunMetrics(runId);
  if (!metrics?.length) return undefined;
  return Object.fromEntries(METRIC_KEYS.map((k) => [k, metrics.columns[k].last()!])) as unknown as StepMetrics;
}

export function flushMetricsNow(): void {
  scheduled = false;
  const updates: Record<string, { latest?: StepMetrics; msPerStep?: number }> = {};
  for (const runId of dirty)
    updates[runId] = { latest: latestPoint(runId), msPerStep: peekRunMetrics(runId)?.msPerStep() };
  dirty.clear();
  useAppStore.getState().runMetricsFlushed(updates);
}

export function scheduleMetricsFlush(runId: string): void {
  dirty.add(runId);
  if (scheduled) return;
  scheduled = true;
  setTimeout(flushMetricsNow, FLUSH_MS);
}
