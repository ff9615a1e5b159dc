// The next-token view (as Transformer Explainer shows it): the model's most likely next tokens after the
// Generate prompt, with the probabilities the sampler draws them with after temperature and top-k, as a table
// of bars. Each row's text and percentage are in the table (the bar is decoration), so a screen reader reads
// the same values the bars draw. Refreshed by the worker when the prompt, temperature or top-k change.
import { useId } from 'react';
import type { NextToken } from '../../../engine/protocol.ts';
import { useAppStore } from '../../store/index.ts';

/** A token's text as a label: whitespace made visible, so " " and "\n" are not blank rows. */
function tokenLabel(text: string): string {
  return text.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥') || '∅';
}

function percent(p: number): string {
  return `${(100 * p).toFixed(p >= 0.1 ? 1 : 2)} %`;
}

export function NextTokenView() {
  const next = useAppStore((s) => s.nextTokens);
  const id = useId();
  const shown = next.shownFor;
  const top = next.tokens[0]?.probability ?? 1;
  return (
    <figure className="next-tokens" aria-labelledby={`${id}-cap`} aria-busy={next.status === 'loading'}>
      <figcaption id={`${id}-cap`}>
        Next token
        {shown && (
          <span className="hint">
            {' '}
            after the prompt, temperature {shown.temperature}, top-k {shown.topK === 0 ? 'all' : shown.topK}
          </span>
        )}
      </figcaption>
      {next.tokens.length === 0 ? (
        <p className="hint">{next.status === 'loading' ? 'Computing…' : 'Shown once a run has a model.'}</p>
      ) : (
        <table className="next-token-table">
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Probability</th>
            </tr>
          </thead>
          <tbody>
            {next.tokens.map((t: NextToken) => (
              <tr key={t.id} data-token-id={t.id} data-probability={t.probability}>
                <th scope="row">
                  <code>{tokenLabel(t.text)}</code>
                </th>
                <td>
                  <span
                    className="next-token-bar"
                    aria-hidden="true"
                    style={{ width: `${(100 * t.probability) / top}%` }}
                  />
                  <span className="next-token-value">{percent(t.probability)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
