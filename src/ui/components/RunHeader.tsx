// The head of a run's panel, one for pre-training, fine-tuning and the comparison: the heading with the run's
// id and state badge, the toolbar of its controls (RunToolbar), the run's message, a progress bar with the
// step (and the ETA where the caller knows it), and the figures the caller has (loss, throughput, …). Each
// figure carries its number in data-value, and the progress bar its step in aria-valuenow, for scripts.
import type { ReactNode } from 'react';
import type { RunControl } from '../controls/run-control.ts';
import { formatDuration, formatInteger } from '../format.ts';
import { STATE_LABELS } from '../run-progress.ts';
import type { RunRecord } from '../store/runs-slice.ts';
import { RunToolbar } from './RunToolbar.tsx';

export interface RunFigure {
  label: string;
  text: string;
  /** The number behind the text. */
  value?: number;
}

export interface RunHeaderProps {
  /** The id the panel's aria-labelledby points at. */
  headingId: string;
  heading: string;
  /** Accessible names of the state badge ("<state>: running"), the progress bar and the toolbar. */
  names: { state: string; progress: string; controls: string };
  controls: readonly RunControl[];
  run?: { runId: string; state: RunRecord['state']; message?: string };
  progress?: { step: number; total: number; etaMs?: number; detail?: string };
  figures?: RunFigure[];
  /** Between the heading and the toolbar: what the controls will do. */
  intro?: ReactNode;
  /** After the toolbar's hints: messages about the controls (errors beside them). */
  notes?: ReactNode;
}

export function RunHeader({
  headingId,
  heading,
  names,
  controls,
  run,
  progress,
  figures,
  intro,
  notes,
}: RunHeaderProps) {
  return (
    <>
      <div className="run-head">
        <h3 id={headingId}>{heading}</h3>
        {run && (
          <span className="run-id">
            <span title="Run id">{run.runId}</span>{' '}
            <span
              className={`state-badge state-${run.state}`}
              role="status"
              aria-label={`${names.state}: ${STATE_LABELS[run.state]}`}
            >
              {STATE_LABELS[run.state]}
            </span>
          </span>
        )}
      </div>
      {intro}
      <RunToolbar name={names.controls} controls={controls} />
      {notes}
      {run?.message && <p className={run.state === 'error' ? 'field-error' : 'hint run-message'}>{run.message}</p>}
      {progress && <Progress name={names.progress} {...progress} />}
      {progress && (
        <dl className="run-stats" aria-label="Run statistics">
          <Figure
            label="Step"
            text={`${formatInteger(progress.step)} / ${formatInteger(progress.total)}`}
            value={progress.step}
          />
          {figures?.map((f) => (
            <Figure key={f.label} {...f} />
          ))}
        </dl>
      )}
    </>
  );
}

function Progress({ name, step, total, etaMs, detail }: NonNullable<RunHeaderProps['progress']> & { name: string }) {
  const fraction = total > 0 ? Math.min(1, step / total) : 0;
  const eta = etaMs !== undefined ? `, about ${formatDuration(etaMs)} left` : '';
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={name}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={step}
      aria-valuetext={`${detail ? `${detail}: ` : ''}step ${step} of ${total}${eta}`}
    >
      <div className="progress-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
    </div>
  );
}

function Figure({ label, text, value }: RunFigure) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-value={value}>{text}</dd>
    </div>
  );
}
