// Chart data for zero-shot probes (Figure 2 right): one series per probe set, named by the set and in the
// order first seen, holding its normalised score (0 = chance, 1 = always right) at each round's step; null
// where a round lacks that set.
import type { ProbePoint } from '../../train/probes/zero-shot.ts';
import type { ChartData } from './LineChart.tsx';

/** The probe sets of a run's rounds, in the order first seen, after those it is known to score (`known`). */
export function probeSetNames(points: readonly ProbePoint[], known: readonly string[] = []): string[] {
  const names = [...known];
  for (const point of points) for (const r of point.results) if (!names.includes(r.name)) names.push(r.name);
  return names;
}

/** Each set's normalised score by step, aligned with `names` (default: every set the rounds have). */
export function probeData(
  points: readonly ProbePoint[] | undefined,
  names = probeSetNames(points ?? []),
): ChartData | null {
  if (!points?.length) return null;
  return {
    x: points.map((p) => p.step),
    ys: names.map((name) => points.map((p) => p.results.find((r) => r.name === name)?.normalized ?? null)),
  };
}
