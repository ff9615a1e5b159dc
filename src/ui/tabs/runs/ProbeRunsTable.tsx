// The Runs tab's zero-shot probes: one row per pre-training run that has probe rounds, with each probe set's
// latest normalised score (0 = chance, 1 = always right) in a column of its own, so runs compare at a glance
// on the same probe; its probe chart on request. A resumed run's saved rounds come back with it.
import { Fragment, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ProbeResult } from '../../../train/probes/zero-shot.ts';
import { probeSetNames } from '../../charts/probe-series.ts';
import { ScrollRegion } from '../../components/ScrollRegion.tsx';
import { formatInteger } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { ProbeChart } from '../pretrain/ProbeChart.tsx';

function resultText(r: ProbeResult): string {
  const metric = r.metric === 'mcc' ? 'MCC' : 'accuracy';
  return `${metric} ${r.value.toFixed(3)} (chance ${r.chance.toFixed(3)}) over ${r.items} items`;
}

export function ProbeRunsTable() {
  const runs = useAppStore(
    useShallow((s) => s.runOrder.map((id) => s.runs[id]!).filter((r) => r && r.probes.length > 0)),
  );
  const [open, setOpen] = useState<string[]>([]);
  if (runs.length === 0) return null;
  const names = probeSetNames(runs.flatMap((r) => r.probes));
  const toggle = (id: string) => setOpen((o) => (o.includes(id) ? o.filter((k) => k !== id) : [...o, id]));
  return (
    <section className="panel" aria-labelledby="probe-runs-h">
      <h3 id="probe-runs-h">Zero-shot probes</h3>
      <p className="hint">
        Each run&apos;s latest probe round: every probe set normalised between chance (0) and always right (1); hover a
        value for the accuracy or MCC it comes from.
      </p>
      <ScrollRegion label="Zero-shot probes table">
        <table className="runs-table" aria-labelledby="probe-runs-h">
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Step</th>
              {names.map((name) => (
                <th scope="col" key={name}>
                  {name}
                </th>
              ))}
              <th scope="col">Curves</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => {
              const last = run.probes.at(-1)!;
              const shown = open.includes(run.runId);
              return (
                <Fragment key={run.runId}>
                  <tr>
                    <th scope="row">{run.runId}</th>
                    <td data-value={last.step}>{formatInteger(last.step)}</td>
                    {names.map((name) => {
                      const r = last.results.find((x) => x.name === name);
                      return (
                        <td key={name} data-value={r?.normalized} title={r ? resultText(r) : undefined}>
                          {r ? r.normalized.toFixed(2) : '–'}
                        </td>
                      );
                    })}
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        aria-expanded={shown}
                        aria-controls={`probe-curves-${run.runId}`}
                        aria-label={`Probe curves of ${run.runId}`}
                        onClick={() => toggle(run.runId)}
                      >
                        Curves
                      </button>
                    </td>
                  </tr>
                  {shown && (
                    <tr id={`probe-curves-${run.runId}`}>
                      <td colSpan={names.length + 3}>
                        <ProbeChart
                          runId={run.runId}
                          id={`probes-${run.runId}`}
                          title={`${run.runId}: zero-shot probes`}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  );
}
