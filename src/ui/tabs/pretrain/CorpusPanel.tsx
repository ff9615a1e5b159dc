// Corpus: a drop zone with a real file input and a demo button; then the worker's stats and a preview.
import { useId, useState } from 'react';
import { loadCorpusFile, loadDemoCorpus } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { formatBytes, formatInteger } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';

export function CorpusPanel() {
  const corpus = useAppStore((s) => s.corpus);
  const errors = useFieldErrors('corpus');
  const [dragging, setDragging] = useState(false);
  const id = useId();
  const errorId = `${id}-errors`;

  const take = (files: FileList | null) => {
    const file = files?.[0];
    if (file) void loadCorpusFile(file);
  };

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>1 · Corpus</h3>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; its file input is the keyboard path. */}
      <div
        className={`drop-zone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          take(e.dataTransfer.files);
        }}
      >
        <p className="drop-hint">Drop a UTF-8 text file here (up to 256 MiB), or</p>
        <div className="row">
          <label className="file-button">
            Corpus file
            <input
              type="file"
              accept=".txt,.md,.text,text/plain"
              aria-invalid={errors.length ? true : undefined}
              aria-describedby={errorId}
              onChange={(e) => {
                take(e.target.files);
                e.target.value = '';
              }}
            />
          </label>
          <button type="button" onClick={loadDemoCorpus}>
            Use the demo corpus
          </button>
        </div>
      </div>
      <FieldErrors id={errorId} errors={errors} />
      <div aria-live="polite" className="status-line">
        {corpus.status === 'loading' && <p>Reading {corpus.name}…</p>}
      </div>
      {corpus.status === 'ready' && (
        <>
          <dl className="facts stats" aria-label="Corpus statistics">
            <dt>Name</dt>
            <dd>{corpus.stats.name}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(corpus.stats.bytes)}</dd>
            <dt>Characters</dt>
            <dd>{formatInteger(corpus.stats.chars)}</dd>
            <dt>Lines</dt>
            <dd>{formatInteger(corpus.stats.lines)}</dd>
            <dt>Distinct characters</dt>
            <dd>{formatInteger(corpus.stats.distinctChars)}</dd>
          </dl>
          <details className="preview">
            <summary>Preview (first {formatInteger(corpus.stats.preview.length)} characters)</summary>
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard. */}
            <pre tabIndex={0}>{corpus.stats.preview}</pre>
          </details>
        </>
      )}
    </section>
  );
}
