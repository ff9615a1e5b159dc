// One example as the model sees it (paper §3.3, Figure 1 right): each input row token by token, with the
// start, delimiter and extract tokens marked in colour and in words (screen readers hear "start token"), and
// tokens cut by truncation struck through. Similarity shows both orders; multiple choice one row per choice.
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { PreviewToken } from '../../../model/task-inputs.ts';
import { useAppStore } from '../../store/index.ts';

const MARKERS: Record<Exclude<PreviewToken['kind'], 'text' | 'truncated'>, { glyph: string; name: string }> = {
  start: { glyph: '⟨s⟩', name: 'start token' },
  delimiter: { glyph: '$', name: 'delimiter token' },
  extract: { glyph: '⟨e⟩', name: 'extract token' },
};

/** A vocabulary entry as readable text: GPT-1's end-of-word mark and spaces made visible. */
function display(token: PreviewToken): string {
  return (
    token.text
      .replace(/<\/w>$/, '·')
      .replace(/ /g, '␣')
      .replace(/\n/g, '⏎') || '∅'
  );
}

export function Token({ token }: { token: PreviewToken }) {
  if (token.kind === 'text') return <span className="ptok">{display(token)}</span>;
  if (token.kind === 'truncated') {
    return (
      <s className="ptok cut" title="cut by truncation">
        <span className="visually-hidden">cut: </span>
        {display(token)}
      </s>
    );
  }
  const marker = MARKERS[token.kind];
  return (
    <span className={`ptok marker ${token.kind}`} title={`${marker.name} (id ${token.id})`}>
      <span aria-hidden="true">{marker.glyph}</span>
      <span className="visually-hidden">[{marker.name}]</span>
    </span>
  );
}

export function ExamplePreview({ family }: { family: TaskFamily }) {
  const preview = useAppStore((s) => s.tasks[family].preview);
  const error = useAppStore((s) => s.tasks[family].previewError);
  const hasFile = useAppStore((s) => Boolean(s.tasks[family].train.summary || s.tasks[family].dev.summary));
  if (!hasFile) return null;
  return (
    <section className="panel example-preview" aria-label="Example as the model sees it">
      <h3>As the model sees it</h3>
      {error && <p className="field-error">{error}</p>}
      {preview && (
        <>
          <p className="hint">
            Line {preview.line}, tokenised with {preview.tokenizer}; context {preview.T} tokens.
          </p>
          <ul className="marker-legend" aria-label="Marker legend">
            {Object.entries(MARKERS).map(([kind, m]) => (
              <li key={kind}>
                <span className={`ptok marker ${kind}`} aria-hidden="true">
                  {m.glyph}
                </span>{' '}
                {m.name}
              </li>
            ))}
            <li>
              <s className="ptok cut" aria-hidden="true">
                ab
              </s>{' '}
              cut by truncation
            </li>
          </ul>
          {preview.sequences.map((sequence) => (
            <figure key={sequence.title} className="token-row">
              <figcaption>
                {sequence.title}: {sequence.length} tokens{sequence.truncated ? ' (truncated)' : ''}
              </figcaption>
              <p className="ptoks" data-testid="preview-tokens">
                {sequence.tokens.map((token, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: tokens repeat; their position is their identity.
                  <Token key={i} token={token} />
                ))}
              </p>
            </figure>
          ))}
          {preview.truncation && <p className="note">{preview.truncation}</p>}
          {family === 'similarity' && (
            <p className="hint">Both orders run through the model; their extract states are added before the head.</p>
          )}
          {family === 'multiple-choice' && (
            <p className="hint">Each choice is scored on its own; a softmax over the choices gives the answer.</p>
          )}
        </>
      )}
    </section>
  );
}
