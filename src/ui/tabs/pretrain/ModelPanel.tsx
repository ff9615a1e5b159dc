// Model and training settings: a preset, the editable shape and schedule, and the worker's plan for it
// (parameter count, planned GPU memory by buffer class, and a clear refusal when it does not fit).
import { useId } from 'react';
import { PRESET_DESCRIPTIONS, type PresetName } from '../../../model/config.ts';
import { plannedVocab } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { NumberFieldGrid, type NumberFieldSpec } from '../../components/NumberFieldGrid.tsx';
import { recipeFieldSpecs } from '../../components/recipe-fields.ts';
import { canStartRun, startRun } from '../../controls/pretrain-controls.ts';
import { formatBytes, formatCompact, formatInteger } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { type FormField, parseForm } from '../../store/plan-slice.ts';

const FIELDS: NumberFieldSpec<FormField>[] = [
  { field: 'nLayer', label: 'Layers' },
  { field: 'nEmbd', label: 'Width' },
  { field: 'nHead', label: 'Heads' },
  { field: 'context', label: 'Context' },
  { field: 'batch', label: 'Batch' },
  { field: 'lr', label: 'Learning rate', decimal: true },
  { field: 'steps', label: 'Steps' },
  { field: 'seed', label: 'Seed' },
  { field: 'evalEvery', label: 'Eval every' },
  { field: 'sampleEvery', label: 'Sample every' },
  { field: 'probeEvery', label: 'Zero-shot probes every' },
  { field: 'warmupSteps', label: 'Warm-up steps', hint: 'blank = 1% of the steps, then cosine' },
  ...recipeFieldSpecs('embeddings, attention, residuals; GPT-1 0.1'),
];

const PRESETS: PresetName[] = ['tiny', 'small', 'gpt1'];

export function ModelPanel() {
  const form = useAppStore((s) => s.form);
  const plan = useAppStore((s) => s.plan);
  const vocab = useAppStore((s) => plannedVocab(s));
  const vocabFromTokenizer = useAppStore((s) => s.tokenizer.stats !== undefined);
  const model = useAppStore((s) => (s.tokenizer.status === 'ready' ? s.tokenizer.stats?.model : undefined));
  const canStart = useAppStore((s) => canStartRun(s));
  const choosePreset = useAppStore((s) => s.choosePreset);
  const setField = useAppStore((s) => s.setField);
  const setSamplePrompt = useAppStore((s) => s.setSamplePrompt);
  const errors = useFieldErrors('model');
  const trainingErrors = useFieldErrors('training');
  const id = useId();
  const { problems } = parseForm(form, vocab);

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>3 · Model and training</h3>
      <div className="field">
        <label htmlFor={`${id}-preset`}>Preset</label>
        <select
          id={`${id}-preset`}
          value={form.preset}
          onChange={(e) => choosePreset(e.target.value as PresetName)}
          aria-describedby={`${id}-preset-note`}
        >
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
          <option value="custom" disabled>
            custom
          </option>
        </select>
        <span id={`${id}-preset-note`} className="hint">
          {form.preset === 'custom' ? 'edited shape' : PRESET_DESCRIPTIONS[form.preset]}
        </span>
      </div>
      {model && (
        <div className="row">
          <p className="hint" data-testid="model-from-import">
            The run starts from {model.name}: its weights and its shape ({model.nLayer} layers × {model.nEmbd},{' '}
            {model.nHead} heads, context up to {model.nPositions}); keep these fields as they are.
          </p>
          <button type="button" disabled={!canStart} onClick={() => startRun(useAppStore.getState(), true)}>
            Open it without training
          </button>
        </div>
      )}
      <NumberFieldGrid fields={FIELDS} values={form.fields} problems={problems} onChange={setField} />
      <div className="field">
        <label htmlFor={`${id}-prompt`}>Sample prompt</label>
        <input
          id={`${id}-prompt`}
          type="text"
          value={form.samplePrompt}
          onChange={(e) => setSamplePrompt(e.target.value, true)}
          aria-describedby={`${id}-prompt-hint`}
        />
        <span id={`${id}-prompt-hint`} className="hint">
          sampled with a fixed seed every "Sample every" steps, so samples compare across steps
        </span>
      </div>
      <FieldErrors id={`${id}-errors`} errors={[...errors, ...trainingErrors]} />
      <PlanSummaryView vocab={vocab} vocabFromTokenizer={vocabFromTokenizer} plan={plan} />
    </section>
  );
}

function PlanSummaryView({
  vocab,
  vocabFromTokenizer,
  plan,
}: {
  vocab: number;
  vocabFromTokenizer: boolean;
  plan: ReturnType<typeof useAppStore.getState>['plan'];
}) {
  const summary = plan.summary;
  const classes = summary ? Object.entries(summary.bytesByClass).filter(([, b]) => b > 0) : [];
  return (
    <div className="plan" aria-live="polite" aria-busy={plan.status === 'planning'}>
      <dl className="facts" aria-label="Model plan">
        <dt>Vocabulary</dt>
        <dd data-value={vocab}>
          {formatInteger(vocab)}{' '}
          <span className="hint">{vocabFromTokenizer ? 'from the tokenizer' : 'until the tokenizer is built'}</span>
        </dd>
        <dt>Parameters</dt>
        <dd data-value={summary?.parameters}>
          {summary ? `${formatCompact(summary.parameters)} (${formatInteger(summary.parameters)})` : '–'}
        </dd>
        <dt>Planned GPU memory</dt>
        <dd data-value={summary?.totalBytes}>
          {summary ? formatBytes(summary.totalBytes) : plan.status === 'planning' ? 'planning…' : '–'}
        </dd>
      </dl>
      {summary && summary.totalBytes > 0 && (
        <>
          <div className="memory-bar" aria-hidden="true">
            {classes.map(([name, bytes], i) => (
              <span
                key={name}
                className={`memory-part c${i % 8}`}
                style={{ width: `${(100 * bytes) / summary.totalBytes}%` }}
                title={`${name}: ${formatBytes(bytes)}`}
              />
            ))}
          </div>
          <ul className="memory-legend" aria-label="Planned GPU memory by kind">
            {classes.map(([name, bytes], i) => (
              <li key={name}>
                <span className={`swatch c${i % 8}`} aria-hidden="true" /> {name} {formatBytes(bytes)}
              </li>
            ))}
          </ul>
        </>
      )}
      {summary && !summary.fits && (
        <p className="refusal" role="note">
          <strong>Does not fit this GPU.</strong> {summary.problem ?? 'The plan exceeds the device limits.'} Try a
          smaller preset, batch or context.
        </p>
      )}
    </div>
  );
}
