// One task file (training or dev): a drop zone with a real file input, then what the worker detected: the
// format, which column feeds which field, the label mapping with counts, and the first example. A refused
// file shows why (file, line, column) and the previously loaded file stays.
import { useId } from 'react';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { TaskFileRole, TaskFileSummary } from '../../../engine/protocol.ts';
import { FileDropZone } from '../../components/FileDropZone.tsx';
import { formatBytes, formatInteger } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { ColumnMappingForm } from './ColumnMappingForm.tsx';
import { loadTaskFile } from './task-file-actions.ts';

const LABELS: Record<TaskFileRole, string> = { train: 'Training file', dev: 'Dev file' };
const ACCEPT = '.tsv,.csv,.jsonl,.json,.txt,text/tab-separated-values,text/csv,application/jsonl';

export function TaskFileInput({ family, fileRole: role }: { family: TaskFamily; fileRole: TaskFileRole }) {
  const file = useAppStore((s) => s.tasks[family][role]);
  const id = useId();
  const label = LABELS[role];
  return (
    <div className="task-file" data-role={role}>
      <FileDropZone
        label={label}
        hint={`${role === 'train' ? 'Drop the labelled training file' : 'Drop the labelled dev file'} (GLUE TSV, COPA JSONL, Story Cloze CSV, or any CSV/TSV), or`}
        accept={ACCEPT}
        onFile={(chosen) => void loadTaskFile(family, role, chosen)}
        invalid={Boolean(file.error)}
        describedBy={`${id}-status`}
      />
      <div id={`${id}-status`} aria-live="polite" className="status-line">
        {file.status === 'reading' && <p>Reading {file.pendingName}…</p>}
        {file.error && (
          <p className="field-error" role="alert">
            <span aria-hidden="true">⚠ </span>
            {file.error}
            {file.summary && <span className="hint"> — {file.summary.name} is still loaded.</span>}
          </p>
        )}
      </div>
      {file.status === 'needs-mapping' && file.columns && (
        <ColumnMappingForm
          key={`${file.pendingName}:${file.columns.join('\t')}`}
          family={family}
          role={role}
          name={file.pendingName ?? ''}
          columns={file.columns}
          regressionAllowed={family === 'similarity'}
        />
      )}
      {file.summary && <FileSummary summary={file.summary} label={role === 'train' ? 'Training data' : 'Dev data'} />}
    </div>
  );
}

function FileSummary({ summary, label }: { summary: TaskFileSummary; label: string }) {
  const labelled = Object.entries(summary.columns);
  return (
    <section className="file-summary" aria-label={`${label}: ${summary.name}`}>
      {summary.problem && (
        <p className="field-error" role="alert">
          <span aria-hidden="true">⚠ </span>
          {summary.problem}
        </p>
      )}
      <dl className="facts">
        <dt>File</dt>
        <dd>
          {summary.name} <span className="hint">({formatBytes(summary.bytes)})</span>
        </dd>
        <dt>Format</dt>
        <dd>{summary.description}</dd>
        <dt>Examples</dt>
        <dd data-value={summary.rows}>{formatInteger(summary.rows)}</dd>
        <dt>Columns</dt>
        <dd>
          {labelled.map(([field, column], i) => (
            <span key={field}>
              {i > 0 && ', '}
              {field} ← <code>{column}</code>
            </span>
          ))}
        </dd>
      </dl>
      <LabelTable summary={summary} />
      <details className="example">
        <summary>First example (line {summary.example.line})</summary>
        <dl className="facts">
          {Object.entries(summary.example.fields).map(([field, text]) => (
            <div key={field} className="fact-row">
              <dt>{field}</dt>
              <dd>{text}</dd>
            </div>
          ))}
          <div className="fact-row">
            <dt>label</dt>
            <dd>{summary.example.label}</dd>
          </div>
        </dl>
      </details>
    </section>
  );
}

function LabelTable({ summary }: { summary: TaskFileSummary }) {
  if (summary.regression) {
    const [lo, hi] = summary.scoreRange ?? [0, 0];
    return (
      <p className="hint">
        Labels are scores from {lo} to {hi}: a regression head (one output, mean-squared error).
      </p>
    );
  }
  const choice = summary.family === 'multiple-choice';
  return (
    <table className="label-table">
      <caption>{choice ? 'Right answers' : 'Label mapping'}</caption>
      <thead>
        <tr>
          <th scope="col">{choice ? 'Answer' : 'Label in file'}</th>
          <th scope="col">{choice ? 'Choice index' : 'Class id'}</th>
          <th scope="col">Examples</th>
        </tr>
      </thead>
      <tbody>
        {summary.labels.map((l) => (
          <tr key={l.id}>
            <th scope="row">
              <code>{l.name}</code>
            </th>
            <td>{l.id}</td>
            <td>{formatInteger(l.count)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
