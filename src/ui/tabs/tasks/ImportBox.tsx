// The imported-checkpoint box of a task tab's start: pick a folder (or its files), choose one checkpoint when
// the folder holds several (Trainer's checkpoint-N sub-folders, our run folders), watch the files being read,
// then read what was imported (its size and tokenizer) or why not.
import { useId, useState } from 'react';
import { formatBytes } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { importCheckpointFiles, importChoice } from './checkpoint-import.ts';

/** A folder picker (Chromium, Firefox, Safari); not in React's input props. */
const FOLDER_PICKER = { webkitdirectory: '', directory: '' } as object;

/** Imports the files a picker gave, then clears it (the same folder can be picked again). */
function importPicked(e: React.ChangeEvent<HTMLInputElement>): void {
  void importCheckpointFiles(e.target.files);
  e.target.value = '';
}

export function ImportBox() {
  const id = useId();
  const imported = useAppStore((s) => s.imported);
  const [picked, setPicked] = useState('');
  const choices = imported.status === 'choosing' ? (imported.choices ?? []) : [];
  const chosen = choices.some((c) => c.folder === picked) ? picked : (choices.at(-1)?.folder ?? '');
  return (
    <div className="import-box">
      <div className="row">
        <label className="file-button">
          Checkpoint folder
          <input type="file" multiple {...FOLDER_PICKER} aria-describedby={`${id}-import`} onChange={importPicked} />
        </label>
        <label className="file-button">
          Checkpoint files
          <input
            type="file"
            multiple
            accept=".json,.safetensors,.txt,.bpe"
            aria-describedby={`${id}-import`}
            onChange={importPicked}
          />
        </label>
      </div>
      {choices.length > 0 && (
        <div className="row">
          <div className="field">
            <label htmlFor={`${id}-choice`}>Checkpoint in {imported.name}</label>
            <select id={`${id}-choice`} value={chosen} onChange={(e) => setPicked(e.target.value)}>
              {choices.map((c) => (
                <option key={c.folder} value={c.folder}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <button type="button" onClick={() => void importChoice(chosen)}>
            Import this checkpoint
          </button>
        </div>
      )}
      <div id={`${id}-import`} aria-live="polite">
        {choices.length > 0 && (
          <p className="hint">
            {imported.name} holds {choices.length} checkpoints: choose one (the latest is selected).
          </p>
        )}
        {imported.status === 'reading' && imported.progress && (
          <p className="hint">
            <label htmlFor={`${id}-progress`}>Reading {imported.name}: </label>
            <progress id={`${id}-progress`} max={imported.progress.total} value={imported.progress.done} />{' '}
            <span data-testid="import-progress" data-done={imported.progress.done} data-total={imported.progress.total}>
              {formatBytes(imported.progress.done)} of {formatBytes(imported.progress.total)}
            </span>
          </p>
        )}
        {imported.error && <p className="field-error">{imported.error}</p>}
        {imported.info && imported.status === 'ready' && (
          <p className="hint" data-testid="imported-info">
            {imported.info.kind === 'hugging-face' ? 'Hugging Face' : 'gpt1-lab'} checkpoint {imported.info.name}:{' '}
            {imported.info.layers} blocks, {imported.info.dims} dims, {imported.info.heads} heads,{' '}
            {imported.info.positions} positions, tokenizer {imported.info.tokenizer}.
            {imported.read && (
              <span data-testid="import-read" data-bytes={imported.read.bytes}>
                {' '}
                Read {formatBytes(imported.read.bytes)} in {(imported.read.ms / 1000).toFixed(1)} s.
              </span>
            )}
            {imported.info.warnings.map((w) => ` ⚠ ${w}`).join('')}
          </p>
        )}
      </div>
    </div>
  );
}
