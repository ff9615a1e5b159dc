// Train and Stop for a task tab, the run's state and progress, live L1 (aux LM), L2 (task) and L3 (total)
// curves, and the dev metric after every epoch (with accuracy and the confusion matrix of the last one).
import { useId } from 'react';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { TaskMetrics } from '../../../train/task-metrics.ts';
import { finetuneEvalData, finetuneLossData } from '../../charts/finetune-series.ts';
import { type ChartSeries, LineChart } from '../../charts/LineChart.tsx';
import { RunHeader } from '../../components/RunHeader.tsx';
import { finetuneControls, latestRun } from '../../controls/finetune-controls.ts';
import { formatInteger } from '../../format.ts';
import type { FinetuneRun } from '../../store/finetune-slice.ts';
import { useAppStore } from '../../store/index.ts';
import { formatMetricValue, METRIC_LABELS } from './metric-format.ts';

const LOSSES: ChartSeries[] = [
  { label: 'L1 aux LM', colour: 4, smooth: true },
  { label: 'L2 task', colour: 0, smooth: true },
  { label: 'L3 total', colour: 1, smooth: true },
];
const DEV: ChartSeries[] = [{ label: 'dev', colour: 2, points: true }];
const percent = (v: number) => `${v.toFixed(1)}`;
const NAMES = { state: 'Fine-tuning state', progress: 'Fine-tuning progress', controls: 'Fine-tuning controls' };

export function FinetunePanel({ family }: { family: TaskFamily }) {
  const run = useAppStore((s) => latestRun(s, family, 'finetune'));
  const id = useId();
  const info = run?.info;
  const last = run?.evals.at(-1);

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <RunHeader
        headingId={`${id}-h`}
        heading="Fine-tune"
        names={NAMES}
        controls={finetuneControls(family, 'finetune')}
        run={run}
        progress={run && info ? { step: run.step, total: run.totalSteps } : undefined}
      />
      {info && (
        <>
          <p className="hint">
            batch {info.B} × {info.T} tokens · {info.stepsPerEpoch} steps per epoch · {info.init} · λ = {info.auxLm} ·{' '}
            {formatInteger(info.parameters)} parameters
          </p>
          {info.warnings.map((w) => (
            <p key={w} className="note">
              {w}
            </p>
          ))}
        </>
      )}
      {last && (
        <p className="dev-metric" role="status" aria-label="Dev metric">
          Dev {METRIC_LABELS[last.metric]}:{' '}
          <strong data-value={last.value}>{formatMetricValue(last.metric, last.value)}</strong>
          {last.metric !== 'accuracy' && last.metrics.accuracy !== null && (
            <> · accuracy {formatMetricValue('accuracy', last.metrics.accuracy)}</>
          )}{' '}
          <span className="hint">
            after epoch {Number.isInteger(last.epoch) ? last.epoch : last.epoch.toFixed(2)} (step {last.step})
            {run?.state === 'done' ? ', final' : ''}
          </span>
        </p>
      )}
      <div className="chart-grid">
        <LineChart
          id={`finetune-loss-${family}`}
          title="L1 / L2 / L3"
          series={LOSSES}
          read={() => finetuneLossData(currentFinetune(family))}
          syncKey={`finetune-${family}`}
        />
        <LineChart
          id={`finetune-dev-${family}`}
          title="Dev metric (%)"
          series={DEV}
          read={() => finetuneEvalData(currentEvals(family))}
          syncKey={`finetune-${family}`}
          allowLog={false}
          format={percent}
        />
      </div>
      {run && run.evals.length > 0 && <EvalTable run={run} />}
      {last?.metrics.confusion && <Confusion metrics={last.metrics} />}
    </section>
  );
}

function currentFinetune(family: TaskFamily): string | undefined {
  return useAppStore.getState().latestFinetune[family].finetune;
}

function currentEvals(family: TaskFamily) {
  return latestRun(useAppStore.getState(), family, 'finetune')?.evals ?? [];
}

function EvalTable({ run }: { run: FinetuneRun }) {
  const metric = run.evals[0]!.metric;
  return (
    <table className="runs-table eval-table">
      <caption className="visually-hidden">Dev evaluations by epoch</caption>
      <thead>
        <tr>
          <th scope="col">Epoch</th>
          <th scope="col">Step</th>
          <th scope="col">{METRIC_LABELS[metric]}</th>
          {metric !== 'accuracy' && <th scope="col">Accuracy</th>}
        </tr>
      </thead>
      <tbody>
        {run.evals.map((e) => (
          <tr key={e.step}>
            <th scope="row">{Number.isInteger(e.epoch) ? e.epoch : e.epoch.toFixed(2)}</th>
            <td>{e.step}</td>
            <td>{formatMetricValue(e.metric, e.value)}</td>
            {metric !== 'accuracy' && (
              <td>{e.metrics.accuracy === null ? '–' : formatMetricValue('accuracy', e.metrics.accuracy)}</td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Confusion({ metrics }: { metrics: TaskMetrics }) {
  const matrix = metrics.confusion!;
  const names = metrics.classNames ?? matrix.map((_, i) => `choice ${i + 1}`);
  return (
    <details className="confusion">
      <summary>Confusion matrix (dev, latest)</summary>
      <table className="runs-table">
        <thead>
          <tr>
            <th scope="col">true ↓ / predicted →</th>
            {names.map((n) => (
              <th key={n} scope="col">
                {n}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => (
            <tr key={names[i]}>
              <th scope="row">{names[i]}</th>
              {row.map((count, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed grid of counts.
                <td key={j}>{count}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
