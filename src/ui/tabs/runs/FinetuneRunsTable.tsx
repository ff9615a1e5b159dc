// The Runs tab's fine-tuning runs (not comparisons), from the tasks slice: task family, dataset, the start
// (init), λ of the auxiliary LM, steps, state and the latest dev metric.
import { useShallow } from 'zustand/react/shallow';
import { formatInteger } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { formatMetricValue, METRIC_LABELS } from '../tasks/metric-format.ts';

/** 'multiple-choice' -> 'Multiple choice', as the task tabs are named. */
function familyTitle(family: string): string {
  const words = family.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function FinetuneRunsTable() {
  const runs = useAppStore(
    useShallow((s) =>
      Object.values(s.taskRuns)
        .filter((r) => r.kind === 'finetune')
        .sort((a, b) => a.startedAt - b.startedAt),
    ),
  );
  if (runs.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="finetune-runs-h">
      <h3 id="finetune-runs-h">Fine-tuning runs</h3>
      <div className="table-wrap">
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
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => {
              const last = run.evals.at(-1);
              const dataset = [run.dataset?.train, run.dataset?.dev].filter(Boolean).join(' / ');
              return (
                <tr key={run.runId}>
                  <th scope="row">{run.runId}</th>
                  <td>{familyTitle(run.family)}</td>
                  <td>{dataset || '–'}</td>
                  <td>{run.info?.init ?? run.summary?.init ?? '–'}</td>
                  <td>{run.info ? String(run.info.auxLm) : '–'}</td>
                  <td>
                    {formatInteger(run.step)} / {formatInteger(run.totalSteps)}
                  </td>
                  <td>{run.state}</td>
                  <td>{last ? `${METRIC_LABELS[last.metric]} ${formatMetricValue(last.metric, last.value)}` : '–'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
