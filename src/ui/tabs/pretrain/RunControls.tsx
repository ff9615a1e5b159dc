// Start, Pause/Resume, Step once and Stop, driven by the worker's run-state events (a state machine:
// starting → preparing → running ⇄ pausing → paused → stopped | done | error), with progress, ETA and rates.
import { useId } from 'react';
import { exportRun, isActive, pauseRun, resumeRun, startBlockers, startRun, stepOnce, stopRun } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { Icon } from '../../components/Icon.tsx';
import { formatBytes, formatCompact, formatDuration, formatInteger } from '../../format.ts';
import { type RunProgress, runProgress, STATE_LABELS } from '../../run-progress.ts';
import { useAppStore } from '../../store/index.ts';

export function RunControls() {
  const run = useAppStore((s) => (s.currentRunId ? s.runs[s.currentRunId] : undefined));
  const blockers = useAppStore((s) => startBlockers(s).join('; '));
  const errors = useFieldErrors('run');
  const id = useId();
  const active = isActive(run);
  const state = run?.state;
  const paused = state === 'paused';
  const canPause = state === 'running';
  const canResume = state === 'paused' || state === 'pausing';
  const progress = run ? runProgress(run) : undefined;

  return (
    <section className="panel run-controls" aria-labelledby={`${id}-h`}>
      <div className="run-head">
        <h3 id={`${id}-h`}>Training</h3>
        {run && (
          <span className="run-id">
            {run.runId}{' '}
            <span
              className={`state-badge state-${run.state}`}
              role="status"
              aria-label={`Run state: ${STATE_LABELS[run.state]}`}
            >
              {STATE_LABELS[run.state]}
            </span>
          </span>
        )}
      </div>
      <div className="button-row" role="toolbar" aria-label="Training controls">
        <button
          type="button"
          className="primary"
          onClick={startRun}
          disabled={!!blockers}
          aria-describedby={blockers ? `${id}-why` : undefined}
          aria-keyshortcuts="Space"
        >
          <Icon name="play" /> Start
        </button>
        <button
          type="button"
          onClick={canResume ? resumeRun : pauseRun}
          disabled={!canResume && !canPause}
          aria-keyshortcuts="Space"
        >
          {canResume ? (
            <>
              <Icon name="play" /> Resume
            </>
          ) : (
            <>
              <Icon name="pause" /> Pause
            </>
          )}
        </button>
        <button type="button" onClick={stepOnce} disabled={!paused} aria-keyshortcuts=".">
          <Icon name="step" /> Step once
        </button>
        <button type="button" className="danger" onClick={stopRun} disabled={!active}>
          <Icon name="stop" /> Stop
        </button>
        <button
          type="button"
          onClick={exportRun}
          disabled={!(paused || state === 'stopped' || state === 'done')}
          title="config.json, model.safetensors, optimizer state and a model card: loads in transformers"
        >
          Export Hugging Face folder (.zip)
        </button>
      </div>
      {blockers && !active && (
        <p id={`${id}-why`} className="hint">
          Start: {blockers}.
        </p>
      )}
      <FieldErrors id={`${id}-errors`} errors={errors} />
      {run && progress && (
        <>
          <div
            className="progress"
            role="progressbar"
            aria-label="Training progress"
            aria-valuemin={0}
            aria-valuemax={progress.total}
            aria-valuenow={progress.step}
            aria-valuetext={progressText(progress)}
          >
            <div className="progress-fill" style={{ width: `${progress.fraction * 100}%` }} />
          </div>
          <dl className="run-stats" aria-label="Run statistics">
            <div>
              <dt>Step</dt>
              <dd data-field="step">
                {formatInteger(progress.step)} / {formatInteger(progress.total)}
              </dd>
            </div>
            <div>
              <dt>Loss</dt>
              <dd data-field="loss">{run.latest ? run.latest.loss.toFixed(4) : '–'}</dd>
            </div>
            <div>
              <dt>Val loss</dt>
              <dd>{run.valLoss ? `${run.valLoss.value.toFixed(4)} @ ${run.valLoss.step}` : '–'}</dd>
            </div>
            <div>
              <dt>Tokens/s</dt>
              <dd data-field="tokens-per-second">{run.latest ? formatInteger(run.latest.tokensPerSecond) : '–'}</dd>
            </div>
            <div>
              <dt>ms/step</dt>
              <dd>{run.msPerStep !== undefined ? run.msPerStep.toFixed(1) : '–'}</dd>
            </div>
            <div>
              <dt>ETA</dt>
              <dd data-field="eta">{progress.etaMs !== undefined ? formatDuration(progress.etaMs) : '–'}</dd>
            </div>
            <div>
              <dt>Tokens seen</dt>
              <dd>{run.latest ? formatCompact(run.latest.tokens) : '–'}</dd>
            </div>
            <div>
              <dt>Checkpoint</dt>
              <dd>{run.checkpoint ? `step ${run.checkpoint.step} (${formatBytes(run.checkpoint.bytes)})` : '–'}</dd>
            </div>
          </dl>
          {run.message && <p className="hint run-message">{run.message}</p>}
        </>
      )}
    </section>
  );
}

function progressText(progress: RunProgress): string {
  const eta = progress.etaMs !== undefined ? `, about ${formatDuration(progress.etaMs)} left` : '';
  return `step ${progress.step} of ${progress.total}${eta}`;
}
