// Zero-shot probes (the paper's Figure 2, right): which probe sets the next run scores. The built-in sets
// (in or out) and probe files dropped or chosen here, each listed with what the worker read it as (its kind
// and items) or its error naming the file and line, with Remove. A run keeps the sets it started with.
import { useId } from 'react';
import type { ProbeKind } from '../../../train/probes/probe-sets.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { FileDropZone } from '../../components/FileDropZone.tsx';
import { formatInteger } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import type { ProbeFileRow } from '../../store/probe-files-slice.ts';
import { addProbeFiles, removeProbeFile, setBuiltinProbes } from './probe-file-actions.ts';

export const PROBE_KIND_LABELS: Record<ProbeKind, string> = {
  sentiment: 'sentiment probe (" very" → positive or negative; accuracy)',
  acceptability: 'acceptability probe (average log-probability, thresholded; MCC)',
  choice: 'multiple-choice probe (the likeliest choice; accuracy)',
  winograd: 'Winograd probe (the likeliest candidate in the blank; accuracy)',
};

const BUILTIN_SETS = 4;

function FileRow({ file }: { file: ProbeFileRow }) {
  return (
    <li className="probe-file" data-status={file.status}>
      <span className="probe-file-name">{file.name}</span>{' '}
      {file.status === 'reading' && <span className="hint">reading…</span>}
      {file.status === 'ok' && (
        <span className="hint" data-kind={file.kind} data-value={file.used}>
          {PROBE_KIND_LABELS[file.kind]}, {formatInteger(file.items)} items
          {file.used < file.items && ` (a round scores the first ${formatInteger(file.used)})`}
        </span>
      )}
      {file.status === 'error' && (
        <span className="field-error">
          <span aria-hidden="true">⚠ </span>
          {file.message}
        </span>
      )}{' '}
      <button
        type="button"
        className="link-button"
        aria-label={`Remove probe file ${file.name}`}
        onClick={() => removeProbeFile(file.name)}
      >
        Remove
      </button>
    </li>
  );
}

export function ProbeFilesPanel() {
  const { builtin, files } = useAppStore((s) => s.probeFiles);
  const every = useAppStore((s) => Number(s.form.fields.probeEvery));
  const errors = useFieldErrors('probes');
  const id = useId();
  const errorId = `${id}-errors`;
  const used = files.filter((f) => f.status === 'ok').length;
  const sets = (builtin ? BUILTIN_SETS : 0) + used;

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>4 · Zero-shot probes</h3>
      <p className="hint">
        The language model alone, with no fine-tuning, scored on the paper&apos;s zero-shot heuristics at step 0, every{' '}
        {every > 0 ? formatInteger(every) : 'N'} steps (&ldquo;Zero-shot probes every&rdquo;) and at the end; the chart
        shows each set between chance (0) and always right (1).
      </p>
      <label className="check">
        <input type="checkbox" checked={builtin} onChange={(e) => setBuiltinProbes(e.target.checked)} /> Built-in probe
        sets{' '}
        <span className="hint">
          (sentiment, acceptability, multiple choice, Winograd: 24 items each, in the demo corpus&apos;s words)
        </span>
      </label>
      <FileDropZone
        label="Probe files"
        hint="Drop probe files here (SST-2 or CoLA TSV, COPA JSONL, Story Cloze CSV, Winograd JSONL), or"
        accept=".tsv,.csv,.jsonl,.json,.txt,text/plain,text/csv,text/tab-separated-values"
        multiple
        onFiles={(list) => void addProbeFiles(list)}
        invalid={errors.length > 0}
        describedBy={errorId}
      />
      <FieldErrors id={errorId} errors={errors} />
      {files.length > 0 && (
        <ul className="probe-files" aria-label="Probe files">
          {files.map((f) => (
            <FileRow key={f.name} file={f} />
          ))}
        </ul>
      )}
      <p className="hint" aria-live="polite">
        {sets === 0
          ? 'No probe sets: the next run skips its probe rounds.'
          : every > 0
            ? `The next run scores ${sets} probe set${sets === 1 ? '' : 's'}; a round holds training while it runs.`
            : `Probes are off (every 0 steps): the next run scores none of these ${sets} sets.`}
      </p>
    </section>
  );
}
