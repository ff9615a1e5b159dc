// Interactive generation from the current run's model, or any model of the page's list (the imported model,
// a fine-tuned one's LM head): prompt, temperature, top-k, max tokens and seed; the text streams in from
// 'generated' events, and the next-token view shows what the sampler chooses among.
import { useId } from 'react';
import { generate } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { ModelPicker } from '../../components/ModelPicker.tsx';
import { NumberFieldGrid, type NumberFieldSpec } from '../../components/NumberFieldGrid.tsx';
import { chosenModel } from '../../model-list.ts';
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
  const hasModel = useAppStore((s) => chosenModel(s, s.generation.modelKey) !== undefined);
  const setModel = useAppStore((s) => s.setGenerationModel);
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
        <ModelPicker id={`${id}-model`} value={generation.modelKey} onChange={setModel} />
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
              Start a run first (or pick another model): generation uses its current weights.
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
