// Corpus: a drop zone with a real file input and a demo button; then the worker's stats and a preview.
import { useId } from 'react';
import { loadCorpusFile, loadDemoCorpus } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { FileDropZone } from '../../components/FileDropZone.tsx';
import { formatBytes, formatInteger } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';

export function CorpusPanel() {
  const corpus = useAppStore((s) => s.corpus);
  const errors = useFieldErrors('corpus');
  const id = useId();
  const errorId = `${id}-errors`;

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>1 · Corpus</h3>
      <FileDropZone
        label="Corpus file"
        hint="Drop a UTF-8 text file here (up to 256 MiB), or"
        accept=".txt,.md,.text,text/plain"
        onFile={(file) => void loadCorpusFile(file)}
        invalid={errors.length > 0}
        describedBy={errorId}
      >
        <button type="button" onClick={loadDemoCorpus}>
          Use the demo corpus
        </button>
      </FileDropZone>
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
            <dd data-value={corpus.stats.bytes}>{formatBytes(corpus.stats.bytes)}</dd>
            <dt>Characters</dt>
            <dd data-value={corpus.stats.chars}>{formatInteger(corpus.stats.chars)}</dd>
            <dt>Lines</dt>
            <dd data-value={corpus.stats.lines}>{formatInteger(corpus.stats.lines)}</dd>
            <dt>Distinct characters</dt>
            <dd data-value={corpus.stats.distinctChars}>{formatInteger(corpus.stats.distinctChars)}</dd>
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
