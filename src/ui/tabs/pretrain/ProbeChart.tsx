// A run's zero-shot probe chart: each probe set's normalised score (0 = chance, 1 = always right) over its
// rounds' steps, one series per set, with the chance line, a log step axis (step 0 drawn at step 1, as
// the paper's Figure 2 right plots updates on a log scale), hover values and CSV. Used by the Pretrain tab
// (the current run) and the Runs tab (any run's curves).
import { useShallow } from 'zustand/react/shallow';
import { type ChartSeries, LineChart } from '../../charts/LineChart.tsx';
import { probeData, probeSetNames } from '../../charts/probe-series.ts';
import { useAppStore } from '../../store/index.ts';

const CHANCE = [{ value: 0, label: 'chance' }];
/** Normalised scores run from chance (0) to always right (1): keep both in view. */
const SPAN = [0, 1];
const formatScore = (v: number) => v.toFixed(2);

export interface ProbeChartProps {
  /** The run (default: the current run). */
  runId?: string;
  id?: string;
  title?: string;
}

export function ProbeChart({ runId, id = 'probes', title = 'Zero-shot probes' }: ProbeChartProps) {
  const run = () => {
    const s = useAppStore.getState();
    const which = runId ?? s.currentRunId;
    return which ? s.runs[which] : undefined;
  };
  // The sets known at Start first: a round then adds points to a chart that already has its series.
  const names = useAppStore(
    useShallow((s) => {
      const record = s.runs[runId ?? s.currentRunId ?? ''];
      return probeSetNames(record?.probes ?? [], record?.probeSetNames);
    }),
  );
  const series: ChartSeries[] = names.map((label, i) => ({ label, colour: i, points: true }));
  return (
    <LineChart
      id={id}
      title={title}
      series={series}
      read={() => probeData(run()?.probes, names)}
      logAxis="x"
      yInclude={SPAN}
      rules={CHANCE}
      format={formatScore}
      height={200}
    />
  );
}
