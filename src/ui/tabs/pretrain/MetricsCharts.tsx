// The pre-training charts for the current run: loss (train + validation), learning rate, gradient norm and
// throughput, with a shared crosshair and smoothing. Each chart reads the run's buffers directly and is created
// once: a new run only changes what it reads, so Start does not rebuild four charts inside the click.
import { type ChartSeries, LineChart } from '../../charts/LineChart.tsx';
import { lossData, metricData } from '../../charts/run-series.ts';
import { SmoothingControl } from '../../charts/SmoothingControl.tsx';
import { useAppStore } from '../../store/index.ts';

const LOSS: ChartSeries[] = [
  { label: 'train', colour: 0, smooth: true },
  { label: 'val', colour: 1, points: true },
];
const LR: ChartSeries[] = [{ label: 'lr', colour: 2 }];
const GRAD: ChartSeries[] = [{ label: 'grad norm', colour: 3, smooth: true }];
const THROUGHPUT: ChartSeries[] = [{ label: 'tokens/s', colour: 4, smooth: true }];
const formatRate = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(v >= 1e4 ? 0 : 1)}k` : v.toFixed(0));

export function MetricsCharts() {
  const current = () => useAppStore.getState().currentRunId;
  return (
    <section className="panel charts-panel" aria-label="Training charts">
      <div className="charts-toolbar">
        <SmoothingControl />
        <span className="hint">hover a chart for values; the crosshair is shared</span>
      </div>
      <div className="chart-grid">
        <LineChart id="loss" title="Loss" series={LOSS} read={() => lossData(current())} syncKey="pretrain" />
        <LineChart
          id="lr"
          title="Learning rate"
          series={LR}
          read={() => metricData(current(), 'lr')}
          syncKey="pretrain"
        />
        <LineChart
          id="grad-norm"
          title="Gradient norm"
          series={GRAD}
          read={() => metricData(current(), 'gradNorm')}
          syncKey="pretrain"
        />
        <LineChart
          id="throughput"
          title="Throughput"
          series={THROUGHPUT}
          read={() => metricData(current(), 'tokensPerSecond')}
          syncKey="pretrain"
          format={formatRate}
          allowLog={false}
        />
      </div>
    </section>
  );
}
