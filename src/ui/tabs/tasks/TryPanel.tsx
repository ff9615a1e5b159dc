// Try it: a box shaped like the tab's task (a text; a premise and a hypothesis; two sentences; a context and
// its choices), tried on a fine-tuned model: the class or choice probabilities as bars with their values in
// text (or the similarity score), the input as the model sees it with its special tokens, and the extract
// token's attention for that exact input (for pair and choice forms, of the sequence chosen).
import { useId, useState } from 'react';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { TryInput } from '../../../engine/protocol.ts';
import type { AttentionMaps } from '../../store/attention-slice.ts';
import { useAppStore } from '../../store/index.ts';
import { ExtractView } from '../attention/ExtractView.tsx';
import { Token } from './ExamplePreview.tsx';
import { tryableModels, tryExample } from './try-actions.ts';

const FIELDS: Record<TaskFamily, [string, string] | [string]> = {
  classification: ['Text'],
  entailment: ['Premise', 'Hypothesis'],
  similarity: ['Sentence A', 'Sentence B'],
  'multiple-choice': ['Context', 'Choices (one per line)'],
};

function inputOf(family: TaskFamily, values: string[]): TryInput {
  const [first = '', second = ''] = values;
  if (family === 'classification') return { kind: 'text', text: first };
  if (family === 'multiple-choice') {
    const choices = second.split('\n').filter((c) => c.trim());
    return { kind: 'choice', context: first, choices };
  }
  return { kind: 'pair', a: first, b: second };
}

export function TryPanel({ family }: { family: TaskFamily }) {
  const id = useId();
  const latest = useAppStore((s) => {
    const runId = s.latestFinetune[family].finetune;
    return runId ? s.finetuneRuns[runId] : undefined;
  });
  const kept = useAppStore((s) => s.keptModels);
  const imported = useAppStore((s) => (s.imported.status === 'ready' ? s.imported.info : undefined));
  const models = tryableModels(family, latest, kept, imported);
  const state = useAppStore((s) => s.tries[family]);
  const [chosen, setChosen] = useState('');
  const [values, setValues] = useState<string[]>(['', '']);
  const runId = models.some((m) => m.runId === chosen) ? chosen : models[0]?.runId;
  const fields = FIELDS[family];
  const outcome = state.status === 'done' ? state.outcome : undefined;
  const maps: AttentionMaps | undefined = outcome && {
    runId: state.runId ?? '',
    source: `fine-tuned model ${state.runId}`,
    tokens: outcome.attention.tokens,
    layers: outcome.attention.layers,
    heads: outcome.attention.heads,
    data: outcome.attention.data,
    extractIndex: outcome.attention.tokens.length - 1,
  };
  const attend = (sequence: number) => {
    if (state.runId && state.input) tryExample(family, state.runId, state.input, sequence);
  };
  return (
    <section className="panel try-panel" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Try it</h3>
      {models.length === 0 ? (
        <p className="hint">Fine-tune a model (or resume a kept one) to try it here.</p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (runId) tryExample(family, runId, inputOf(family, values));
          }}
        >
          <label>
            Model{' '}
            <select value={runId} onChange={(e) => setChosen(e.target.value)}>
              {models.map((m) => (
                <option key={m.runId} value={m.runId}>
                  {m.label}
                </option>
              ))}
            </select>
          </label>
          {fields.map((label, k) => (
            <label key={label} className="try-field">
              {label}
              <textarea
                rows={family === 'multiple-choice' && k === 1 ? 3 : 2}
                value={values[k] ?? ''}
                onChange={(e) => setValues((v) => v.map((old, i) => (i === k ? e.target.value : old)))}
              />
            </label>
          ))}
          <button type="submit" disabled={state.status === 'running'}>
            Try
          </button>
        </form>
      )}
      {state.status === 'error' && <p className="field-error">{state.error}</p>}
      {outcome && (
        <div className="try-result" aria-live="polite">
          <p className="hint">Answered by {models.find((m) => m.runId === state.runId)?.label ?? state.runId}</p>
          {outcome.probabilities && (
            <ul className="try-bars" aria-label="Probabilities">
              {outcome.probabilities.map((p) => (
                <li key={p.label} data-value={p.probability}>
                  <span className="try-label">
                    {p.label}
                    <span className="visually-hidden">: </span>
                  </span>
                  <span className="try-bar" aria-hidden="true">
                    <span style={{ width: `${(p.probability * 100).toFixed(1)}%` }} />
                  </span>
                  <span className="try-value">{(p.probability * 100).toFixed(1)} %</span>
                </li>
              ))}
            </ul>
          )}
          {outcome.score !== undefined && (
            <p role="status" aria-label="Similarity score" data-value={outcome.score}>
              Similarity score: <strong>{outcome.score.toFixed(3)}</strong>
            </p>
          )}
          <h4>As the model sees it</h4>
          {outcome.sequences.map((sequence, k) => (
            <figure key={sequence.title} className="token-row">
              <figcaption>
                {sequence.title}: {sequence.length} tokens{sequence.truncated ? ' (truncated)' : ''}
                {outcome.sequences.length > 1 && (
                  <>
                    {' '}
                    <button
                      type="button"
                      className="link-button"
                      aria-pressed={outcome.attention.sequence === k}
                      onClick={() => attend(k)}
                    >
                      Attention of {sequence.title}
                    </button>
                  </>
                )}
              </figcaption>
              <p className="ptoks">
                {sequence.tokens.map((token, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: tokens repeat; their position is their identity.
                  <Token key={i} token={token} />
                ))}
              </p>
            </figure>
          ))}
          {maps && <ExtractView maps={maps} />}
        </div>
      )}
    </section>
  );
}
