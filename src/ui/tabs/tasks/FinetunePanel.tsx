// Train and Stop for a task tab, the run's state and progress, live L1 (aux LM), L2 (task) and L3 (total)
// curves, and the dev metric after every epoch (with accuracy and the confusion matrix of the last one).
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { TaskMetrics } from '../../../train/task-metrics.ts';
import { type ChartSeries, LineChart } from '../../charts/LineChart.tsx';
import { Icon } from '../../components/Icon.tsx';
import { formatInteger } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import type { TaskRun } from '../../store/tasks-slice.ts';
import { formatMetricValue, METRIC_LABELS } from './metric-format.ts';
import { activeTaskRun, startTaskRun, stopTaskRun, taskStartBlockers } from './task-actions.ts';
import { evalChartData, lossChartData } from './task-buffers.ts';

const LOSSES: ChartSeries[] = [
  { label: 'L1 aux LM', colour: 4, smooth: true },
  { label: 'L2 task', colour: 0, smooth: true },
  { label: 'L3 total', colour: 1, smooth: true },
];
const DEV: ChartSeries[] = [{ label: 'dev', colour: 2, points: true }];
const percent = (v: number) => `${v.toFixed(1)}`;

export const STATE_WORDS: Record<TaskRun['state'], string> = {
  starting: 'starting',
  preparing: 'preparing',
  running: 'running',
  pausing: 'pausing',
  paused: 'paused',
  stopped: 'stopped',
  done: 'done',
  error: 'error',
};

export function FinetunePanel({ family }: { family: TaskFamily }) {
  const run = useAppStore((s) => {
    const runId = s.tasks[family].finetuneId;
    return runId ? s.taskRuns[runId] : undefined;
  });
  const blockers = useAppStore(useShallow((s) => taskStartBlockers(family, 'finetune', s)));
  const busy = useAppStore((s) => Boolean(activeTaskRun(s)));
  const id = useId();
  const runId = run?.runId;
  const active = run && ['starting', 'preparing', 'running'].includes(run.state);
  const last = run?.evals.at(-1);
  const fraction = run?.totalSteps ? run.step / run.totalSteps : 0;

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <div className="run-head">
        <h3 id={`${id}-h`}>Fine-tune</h3>
        {run && (
          <span className="run-id">
            {run.runId}{' '}
            <span
              className={`state-badge state-${run.state}`}
              role="status"
              aria-label={`Fine-tuning state: ${STATE_WORDS[run.state]}`}
            >
              {STATE_WORDS[run.state]}
            </span>
          </span>
        )}
      </div>
      <div className="button-row" role="toolbar" aria-label="Fine-tuning controls">
        <button
          type="button"
          className="primary"
          onClick={() => startTaskRun(family, 'finetune')}
          disabled={blockers.length > 0}
          aria-describedby={blockers.length ? `${id}-why` : undefined}
        >
          <Icon name="play" /> Train
        </button>
        <button type="button" className="danger" onClick={() => stopTaskRun(runId)} disabled={!active}>
          <Icon name="stop" /> Stop
        </button>
      </div>
      {blockers.length > 0 && !busy && (
        <p id={`${id}-why`} className="hint">
          Train: {blockers.join('; ')}.
        </p>
      )}
      {run?.message && <p className={run.state === 'error' ? 'field-error' : 'hint'}>{run.message}</p>}
      {run?.info && (
        <>
          <div
            className="progress"
            role="progressbar"
            aria-label="Fine-tuning progress"
            aria-valuemin={0}
            aria-valuemax={run.totalSteps}
            aria-valuenow={run.step}
          >
            <div className="progress-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
          </div>
          <p className="hint">
            Step {formatInteger(run.step)} of {formatInteger(run.totalSteps)} · batch {run.info.B} × {run.info.T} tokens
            · {run.info.stepsPerEpoch} steps per epoch · {run.info.init} · λ = {run.info.auxLm} ·{' '}
            {formatInteger(run.info.parameters)} parameters
          </p>
          {run.info.warnings.map((w) => (
            <p key={w} className="note">
              {w}
            </p>
          ))}
        </>
      )}
      {last && (
        <p className="dev-metric" role="status" aria-label="Dev metric">
          Dev {METRIC_LABELS[last.metric]}: <strong>{formatMetricValue(last.metric, last.value)}</strong>
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
          id={`task-loss-${family}`}
          title="L1 / L2 / L3"
          series={LOSSES}
          read={() => lossChartData(currentFinetune(family))}
          syncKey={`task-${family}`}
        />
        <LineChart
          id={`task-dev-${family}`}
          title="Dev metric (%)"
          series={DEV}
          read={() => evalChartData(currentEvals(family))}
          syncKey={`task-${family}`}
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
  return useAppStore.getState().tasks[family].finetuneId;
}

function currentEvals(family: TaskFamily) {
  const s = useAppStore.getState();
  const runId = s.tasks[family].finetuneId;
  return (runId ? s.taskRuns[runId]?.evals : undefined) ?? [];
}

function EvalTable({ run }: { run: TaskRun }) {
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
