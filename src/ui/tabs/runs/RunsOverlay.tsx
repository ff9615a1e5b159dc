// Train-loss curves of several runs on one step axis, each in its run's stable colour.
import { type ChartSeries, LineChart } from '../../charts/LineChart.tsx';
import { overlayLossData } from '../../charts/run-series.ts';
import type { RunRecord } from '../../store/runs-slice.ts';

export function RunsOverlay({ runs }: { runs: RunRecord[] }) {
  const series: ChartSeries[] = runs.map((r) => ({ label: r.runId, colour: r.colour, smooth: true }));
  const ids = runs.map((r) => r.runId);
  return (
    <LineChart
      id="runs-loss"
      title="Train loss by run"
      series={series}
      read={() => overlayLossData(ids)}
      height={240}
    />
  );
}
