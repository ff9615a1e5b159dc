// The Runs tab: every model of the page with what can be done with it (ModelsPanel.tsx), every run of this
// page in a table (with its stable colour), an overlay of their loss
// curves, their latest zero-shot probe scores, the runs saved in OPFS that can be resumed after a reload
// (with the space each takes, for when storage is full), the fine-tuned models kept in storage (resume,
// export, delete), and the task tabs' fine-tuning runs.
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { deleteSaved, isActive, resumeSaved } from '../../actions.ts';
import { readChartTheme, seriesColour } from '../../charts/palette.ts';
import { SmoothingControl } from '../../charts/SmoothingControl.tsx';
import { useThemeVersion } from '../../charts/theme-watch.ts';
import { ConfirmDeleteButton } from '../../components/ConfirmDeleteButton.tsx';
import { ScrollRegion } from '../../components/ScrollRegion.tsx';
import { formatBytes, formatInteger, formatWhen } from '../../format.ts';
import { STATE_LABELS } from '../../run-progress.ts';
import { useAppStore } from '../../store/index.ts';
import { TAB_DESCRIPTIONS } from '../../tab-descriptions.ts';
import { FinetuneRunsTable } from './FinetuneRunsTable.tsx';
import { KeptModelsPanel } from './KeptModelsPanel.tsx';
import { ModelsPanel } from './ModelsPanel.tsx';
import { ProbeRunsTable } from './ProbeRunsTable.tsx';
import { RunsOverlay } from './RunsOverlay.tsx';

export function RunsTab() {
  const runs = useAppStore(useShallow((s) => s.runOrder.map((id) => s.runs[id]!).filter(Boolean)));
  const saved = useAppStore((s) => s.savedRuns);
  const currentRunId = useAppStore((s) => s.currentRunId);
  const busy = useAppStore((s) => isActive(s.currentRunId ? s.runs[s.currentRunId] : undefined));
  const selectRun = useAppStore((s) => s.selectRun);
  const [hidden, setHidden] = useState<string[]>([]);
  /** The saved run whose Delete was pressed once: a second press confirms. */
  useThemeVersion();
  const theme = readChartTheme();
  const resumable = saved.filter((r) => !runs.some((run) => run.runId === r.runId && isActive(run)));

  return (
    <div className="runs">
      <p className="lead">{TAB_DESCRIPTIONS.runs}</p>
      <ModelsPanel />
      {resumable.length > 0 && (
        <section className="panel" aria-labelledby="saved-h">
          <h3 id="saved-h">Saved runs</h3>
          <ul className="saved-runs">
            {resumable.map((r) => (
              <li key={r.runId}>
                <button type="button" onClick={() => resumeSaved(r.runId)} disabled={busy}>
                  Resume run {r.runId} at step {r.step}
                </button>{' '}
                <span className="hint">
                  of {formatInteger(r.totalSteps)} · {r.settings.preset} · saved {formatWhen(r.savedAt)}
                  {r.bytes !== undefined && <> · {formatBytes(r.bytes)}</>}
                </span>{' '}
                <ConfirmDeleteButton what={r.runId} kind="saved run" onDelete={() => deleteSaved(r.runId)} />
              </li>
            ))}
          </ul>
          {busy && <p className="hint">Stop or finish the current run to resume another.</p>}
        </section>
      )}
      <section className="panel" aria-labelledby="runs-h">
        <h3 id="runs-h">Runs</h3>
        {runs.length === 0 ? (
          <p className="hint">No runs yet: start one on the Pretrain tab.</p>
        ) : (
          <ScrollRegion label="Runs table">
            <table className="runs-table" aria-labelledby="runs-h">
              <thead>
                <tr>
                  <th scope="col">Show</th>
                  <th scope="col">Run</th>
                  <th scope="col">Preset</th>
                  <th scope="col">Shape</th>
                  <th scope="col">Steps</th>
                  <th scope="col">State</th>
                  <th scope="col">Loss</th>
                  <th scope="col">Val loss</th>
                  <th scope="col">Tokens/s</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => {
                  const c = run.settings.config;
                  return (
                    <tr key={run.runId} className={run.runId === currentRunId ? 'current' : undefined}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`Show ${run.runId} in the overlay`}
                          checked={!hidden.includes(run.runId)}
                          onChange={() =>
                            setHidden((h) =>
                              h.includes(run.runId) ? h.filter((x) => x !== run.runId) : [...h, run.runId],
                            )
                          }
                        />
                      </td>
                      <th scope="row">
                        <span
                          className="swatch"
                          style={{ background: seriesColour(theme, run.colour) }}
                          aria-hidden="true"
                        />{' '}
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => selectRun(run.runId)}
                          aria-current={run.runId === currentRunId ? 'true' : undefined}
                          title="Make this the current run (Pretrain and Attention tabs)"
                        >
                          {run.runId}
                        </button>
                      </th>
                      <td>{run.settings.preset}</td>
                      <td>
                        {c.nLayer}×{c.nEmbd}, {c.nHead}h, ctx {c.nPositions}, B {run.settings.B}
                      </td>
                      <td data-value={run.step}>
                        {formatInteger(run.step)} / {formatInteger(run.totalSteps)}
                      </td>
                      <td>{STATE_LABELS[run.state]}</td>
                      <td data-value={run.latest?.loss}>{run.latest ? run.latest.loss.toFixed(4) : '–'}</td>
                      <td data-value={run.valLoss?.value}>{run.valLoss ? run.valLoss.value.toFixed(4) : '–'}</td>
                      <td data-value={run.latest?.tokensPerSecond}>
                        {run.latest ? formatInteger(run.latest.tokensPerSecond) : '–'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </section>
      {runs.length > 0 && (
        <section className="panel" aria-label="Loss overlay">
          <div className="charts-toolbar">
            <SmoothingControl />
          </div>
          <RunsOverlay runs={runs.filter((r) => !hidden.includes(r.runId))} />
        </section>
      )}
      <ProbeRunsTable />
      <KeptModelsPanel />
      <FinetuneRunsTable />
    </div>
  );
}
