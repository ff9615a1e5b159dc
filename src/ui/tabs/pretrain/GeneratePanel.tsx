// Interactive generation from the current run's model: prompt, temperature, top-k, max tokens and seed;
// the text streams in from 'generated' events, and the next-token view shows what the sampler chooses among.
import { useId } from 'react';
import { generate, modelRun } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { NumberFieldGrid, type NumberFieldSpec } from '../../components/NumberFieldGrid.tsx';
import { type GenerationField, parseGenerationFields } from '../../store/generation-slice.ts';
import { useAppStore } from '../../store/index.ts';
import { NextTokenView } from './NextTokenView.tsx';

const FIELDS: NumberFieldSpec<GenerationField>[] = [
  { field: 'temperature', label: 'Temperature', decimal: true },
  { field: 'topK', label: 'Top-k' },
  { field: 'maxTokens', label: 'Max tokens' },
  { field: 'seed', label: 'Seed' },
];

export function GeneratePanel() {
  const generation = useAppStore((s) => s.generation);
  const hasModel = useAppStore((s) => modelRun(s) !== undefined);
  const setPrompt = useAppStore((s) => s.setGenerationPrompt);
  const setField = useAppStore((s) => s.setGenerationField);
  const errors = useFieldErrors('generate');
  const id = useId();
  const { problems } = parseGenerationFields(generation.fields);
  const invalid = Object.keys(problems).length > 0;
  const streaming = generation.status === 'streaming';

  return (
    <section className="panel generate" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Generate</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          generate();
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-prompt`}>Prompt</label>
          <textarea
            id={`${id}-prompt`}
            rows={2}
            value={generation.prompt}
            onChange={(e) => setPrompt(e.target.value)}
            aria-describedby={`${id}-errors`}
          />
        </div>
        <NumberFieldGrid
          fields={FIELDS}
          values={generation.fields}
          problems={problems}
          onChange={setField}
          className="compact"
        />
        <div className="button-row">
          <button type="submit" disabled={!hasModel || invalid || streaming} aria-describedby={`${id}-why`}>
            {streaming ? 'Generating…' : 'Generate'}
          </button>
          {!hasModel && (
            <span id={`${id}-why`} className="hint">
              Start a run first: generation uses its current weights.
            </span>
          )}
        </div>
      </form>
      <FieldErrors id={`${id}-errors`} errors={errors} />
      <output className="generated" aria-live="polite" aria-label="Generated text" aria-busy={streaming}>
        {generation.status !== 'idle' && (
          <>
            <mark className="sample-prompt">{generation.requestPrompt}</mark>
            {generation.text}
            {streaming && (
              <span className="cursor" aria-hidden="true">
                ▍
              </span>
            )}
          </>
        )}
      </output>
      <NextTokenView />
    </section>
  );
}
