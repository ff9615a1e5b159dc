// Samples taken during training (a fixed prompt and sampling seed every N steps), newest first, as a
// timeline: watch the text go from noise to words.
import { useAppStore } from '../../store/index.ts';
import type { Sample } from '../../store/runs-slice.ts';

const NO_SAMPLES: Sample[] = [];

export function SamplesPanel() {
  const samples = useAppStore((s) => (s.currentRunId ? s.runs[s.currentRunId]?.samples : undefined) ?? NO_SAMPLES);
  const every = useAppStore((s) => (s.currentRunId ? s.runs[s.currentRunId]?.settings.sampleEvery : undefined));
  return (
    <section className="panel samples" aria-labelledby="samples-h">
      <h3 id="samples-h">
        Samples <span className="hint">{every ? `every ${every} steps, fixed seed` : ''}</span>
      </h3>
      {samples.length === 0 ? (
        <p className="hint">Samples appear here while the model trains.</p>
      ) : (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
        <ol className="sample-list" aria-label="Samples by step, newest first" tabIndex={0}>
          {[...samples].reverse().map((s) => (
            <li key={s.step} className="sample">
              <span className="sample-step">step {s.step}</span>
              <span className="sample-text">
                <mark className="sample-prompt">{s.prompt}</mark>
                {s.text.startsWith(s.prompt) ? s.text.slice(s.prompt.length) : s.text}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
