// The Runs tab's fine-tuning runs: those kept across reloads (finished or stopped runs and comparison
// variants: task family, dataset, the start, λ of the auxiliary LM, steps, final and best dev metric, curves on
// request, and Delete), then this page's fine-tuning runs that are not kept yet (training, or failed).
// Weights are never kept, so a kept run's model is gone after a reload. Long names and results wrap inside
// their cells so the table fits a laptop's width; narrower, it scrolls sideways with a visible sign.
import { Fragment, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { FinetuneRecord } from '../../../engine/protocol.ts';
import { deleteFinetuneRun } from '../../actions.ts';
import { type ChartSeries, LineChart } from '../../charts/LineChart.tsx';
import { ConfirmDeleteButton } from '../../components/ConfirmDeleteButton.tsx';
import { ScrollRegion } from '../../components/ScrollRegion.tsx';
import { formatInteger, formatWhen } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { variantName } from '../tasks/ComparePanel.tsx';
import { formatMetricValue, METRIC_LABELS } from '../tasks/metric-format.ts';

const LOSSES: ChartSeries[] = [
  { label: 'L1 aux LM', colour: 4, smooth: true },
  { label: 'L2 task', colour: 0, smooth: true },
  { label: 'L3 total', colour: 1, smooth: true },
];
const DEV: ChartSeries[] = [{ label: 'dev', colour: 2, points: true }];
const COLUMNS = 9;

/** 'multiple-choice' -> 'Multiple choice', as the task tabs are named. */
function familyTitle(family: string): string {
  const words = family.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

type Named = Pick<FinetuneRecord, 'runId' | 'variant' | 'cell'>;

/** A comparison's variant, and which of its runs when it ran more than once. */
function variantLabel(r: Named): string {
  const name = variantName(r.variant!);
  if (!r.cell) return name;
  const stage = r.cell.stage === 'trial' ? ', held-out trial' : r.cell.stage === 'tuned' ? ', tuned' : '';
  return `${name} (seed ${r.cell.seed}, lr ${r.cell.lr}${stage})`;
}

function runLabel(r: Named): string {
  return r.variant ? `${r.runId} · ${variantLabel(r)}` : r.runId;
}

/** The run's name, its comparison variant on a line of its own. */
function RunName({ r }: { r: Named }) {
  if (!r.variant) return <>{r.runId}</>;
  return (
    <>
      {r.runId}
      <span className="sub"> · {variantLabel(r)}</span>
    </>
  );
}

function DevMetric({ r }: { r: FinetuneRecord }) {
  const { metric } = r.info;
  if (r.final === null) return <>–</>;
  const final = `${METRIC_LABELS[metric]} ${formatMetricValue(metric, r.final)}`;
  if (!r.best || r.best.value === r.final) return <>{final}</>;
  return (
    <>
      {final}
      <span className="sub">
        {' '}
        (best {formatMetricValue(metric, r.best.value)} at step {formatInteger(r.best.step)})
      </span>
    </>
  );
}

export function FinetuneRunsTable() {
  const kept = useAppStore((s) => s.keptFinetuneRuns);
  const skipped = useAppStore((s) => s.keptFinetuneSkipped);
  const live = useAppStore(
    useShallow((s) =>
      Object.values(s.finetuneRuns)
        .filter(
          (r) =>
            r.kind === 'finetune' &&
            !s.deletedFinetuneKeys.includes(r.runId) &&
            !s.keptFinetuneRuns.some((k) => k.key === r.runId),
        )
        .sort((a, b) => a.startedAt - b.startedAt),
    ),
  );
  /** The kept run whose Delete was pressed once: a second press confirms. */
  const [open, setOpen] = useState<string[]>([]);
  if (kept.length === 0 && live.length === 0 && skipped.length === 0) return null;
  const toggle = (key: string) => setOpen((o) => (o.includes(key) ? o.filter((k) => k !== key) : [...o, key]));
  return (
    <section className="panel" aria-labelledby="finetune-runs-h">
      <h3 id="finetune-runs-h">Fine-tuning runs</h3>
      <p className="hint">
        Finished and stopped fine-tuning runs are kept in this browser (settings, dev metrics and curves) until you
        delete them. A fine-tuning run&apos;s weights are kept apart, under Kept fine-tuned models, where it can be
        resumed, exported or deleted; a comparison&apos;s variants keep only these records.
      </p>
      {skipped.length > 0 && (
        <div className="note" role="status" aria-label="Unreadable fine-tuning run files">
          <p>Some stored fine-tuning runs could not be read and are not listed:</p>
          <ul>
            {skipped.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </div>
      )}
      {(kept.length > 0 || live.length > 0) && (
        <ScrollRegion label="Fine-tuning runs table">
          <table className="runs-table" aria-labelledby="finetune-runs-h">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Task</th>
                <th scope="col">Dataset</th>
                <th scope="col">Init</th>
                <th scope="col">λ (aux LM)</th>
                <th scope="col">Steps</th>
                <th scope="col">State</th>
                <th scope="col">Dev metric</th>
                <th scope="col">Kept</th>
              </tr>
            </thead>
            <tbody>
              {kept.map((r) => {
                const label = runLabel(r);
                const shown = open.includes(r.key);
                return (
                  <Fragment key={r.key}>
                    <tr>
                      <th scope="row" className="wrap">
                        <RunName r={r} />
                      </th>
                      <td>{familyTitle(r.family)}</td>
                      <td className="wrap">{[r.dataset.train, r.dataset.dev].filter(Boolean).join(' / ') || '–'}</td>
                      <td className="wrap">
                        {r.info.init}
                        {r.settings.transferLayers !== null && r.kind === 'finetune'
                          ? ` (first ${r.settings.transferLayers} blocks)`
                          : ''}
                      </td>
                      <td>{String(r.info.auxLm)}</td>
                      <td data-value={r.steps}>
                        {formatInteger(r.steps)} / {formatInteger(r.info.totalSteps)}
                      </td>
                      <td>{r.state}</td>
                      <td data-value={r.final ?? undefined} className="wrap">
                        <DevMetric r={r} />
                      </td>
                      <td className="wrap">
                        <span className="hint">{formatWhen(r.endedAt)}</span>{' '}
                        <button
                          type="button"
                          className="link-button"
                          aria-expanded={shown}
                          aria-controls={`kept-curves-${r.key}`}
                          aria-label={`Curves of ${label}`}
                          onClick={() => toggle(r.key)}
                        >
                          Curves
                        </button>{' '}
                        <ConfirmDeleteButton
                          what={label}
                          kind="fine-tuning run"
                          onDelete={() => deleteFinetuneRun(r.key)}
                        />
                      </td>
                    </tr>
                    {shown && (
                      <tr id={`kept-curves-${r.key}`}>
                        <td colSpan={COLUMNS}>
                          <div className="chart-grid">
                            <LineChart
                              id={`kept-loss-${r.key}`}
                              title={`${label}: L1 / L2 / L3`}
                              series={LOSSES}
                              read={() => ({
                                x: r.curves.step,
                                ys: [r.curves.lmLoss, r.curves.taskLoss, r.curves.loss],
                              })}
                              syncKey={`kept-${r.key}`}
                            />
                            <LineChart
                              id={`kept-dev-${r.key}`}
                              title={`${label}: dev metric (%)`}
                              series={DEV}
                              read={() =>
                                r.evals.length
                                  ? {
                                      x: r.evals.map((e) => e.step),
                                      ys: [r.evals.map((e) => (e.value ?? Number.NaN) * 100)],
                                    }
                                  : null
                              }
                              syncKey={`kept-${r.key}`}
                              allowLog={false}
                              format={(v) => v.toFixed(1)}
                            />
                          </div>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
              {live.map((run) => {
                const last = run.evals.at(-1);
                const dataset = [run.dataset?.train, run.dataset?.dev].filter(Boolean).join(' / ');
                return (
                  <tr key={run.runId}>
                    <th scope="row">{run.runId}</th>
                    <td>{familyTitle(run.family)}</td>
                    <td className="wrap">{dataset || '–'}</td>
                    <td className="wrap">{run.info?.init ?? run.summary?.init ?? '–'}</td>
                    <td>{run.info ? String(run.info.auxLm) : '–'}</td>
                    <td data-value={run.step}>
                      {formatInteger(run.step)} / {formatInteger(run.totalSteps)}
                    </td>
                    <td>{run.state}</td>
                    <td data-value={last?.value}>
                      {last ? `${METRIC_LABELS[last.metric]} ${formatMetricValue(last.metric, last.value)}` : '–'}
                    </td>
                    <td>
                      <span className="hint">{run.state === 'error' ? 'not kept (failed)' : 'not yet'}</span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </section>
  );
}
