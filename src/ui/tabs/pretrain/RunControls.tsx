// The pre-training run's panel head: its controls (controls/pretrain-controls.ts), state, progress with ETA,
// and the figures of the latest step (loss, validation loss, throughput, tokens seen, last checkpoint).
import { useId } from 'react';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { type RunFigure, RunHeader } from '../../components/RunHeader.tsx';
import { PRETRAIN_CONTROLS } from '../../controls/pretrain-controls.ts';
import { formatBytes, formatCompact, formatDuration, formatInteger } from '../../format.ts';
import { runProgress } from '../../run-progress.ts';
import { useAppStore } from '../../store/index.ts';
import type { RunRecord } from '../../store/runs-slice.ts';

const NAMES = { state: 'Run state', progress: 'Training progress', controls: 'Training controls' };

function figures(run: RunRecord, etaMs: number | undefined): RunFigure[] {
  const { latest, valLoss, msPerStep, checkpoint } = run;
  return [
    { label: 'Loss', text: latest ? latest.loss.toFixed(4) : '–', value: latest?.loss },
    { label: 'Val loss', text: valLoss ? `${valLoss.value.toFixed(4)} @ ${valLoss.step}` : '–', value: valLoss?.value },
    {
      label: 'Tokens/s',
      text: latest ? formatInteger(latest.tokensPerSecond) : '–',
      value: latest?.tokensPerSecond,
    },
    { label: 'ms/step', text: msPerStep !== undefined ? msPerStep.toFixed(1) : '–', value: msPerStep },
    { label: 'ETA', text: etaMs !== undefined ? formatDuration(etaMs) : '–', value: etaMs },
    { label: 'Tokens seen', text: latest ? formatCompact(latest.tokens) : '–', value: latest?.tokens },
    {
      label: 'Checkpoint',
      text: checkpoint ? `step ${checkpoint.step} (${formatBytes(checkpoint.bytes)})` : '–',
      value: checkpoint?.step,
    },
  ];
}

export function RunControls() {
  const run = useAppStore((s) => (s.currentRunId ? s.runs[s.currentRunId] : undefined));
  const errors = useFieldErrors('run');
  const id = useId();
  const progress = run ? runProgress(run) : undefined;

  return (
    <section className="panel run-controls" aria-labelledby={`${id}-h`}>
      <RunHeader
        headingId={`${id}-h`}
        heading="Training"
        names={NAMES}
        controls={PRETRAIN_CONTROLS}
        run={run}
        progress={progress}
        figures={run && figures(run, progress?.etaMs)}
        notes={<FieldErrors id={`${id}-errors`} errors={errors} />}
      />
    </section>
  );
}
