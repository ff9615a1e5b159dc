// The Attention tab: run a text through the current run's model and inspect every head (bertviz's model
// view as a layers × heads grid), one head enlarged with token labels, and the head view's token lines. A
// model of the page's list can be picked instead (the imported model, a fine-tuned one kept or finished here):
// a fine-tuned model sees the text through its task's input transformation (start, text, extract) and the
// extract token's attention row is shown per layer and head.
// Live attention (LiveAttention.tsx) refreshes the maps every N steps while a run pre-trains or fine-tunes.
import { useId } from 'react';
import { showAttention } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { ModelPicker } from '../../components/ModelPicker.tsx';
import { chosenModel } from '../../model-list.ts';
import { useAppStore } from '../../store/index.ts';
import { TAB_DESCRIPTIONS } from '../../tab-descriptions.ts';
import { ExtractView } from './ExtractView.tsx';
import { HeadDetail } from './HeadDetail.tsx';
import { HeadView } from './HeadView.tsx';
import { HeatmapGrid } from './HeatmapGrid.tsx';
import { LiveAttention } from './LiveAttention.tsx';
import { setAttentionText } from './live-attention.ts';

export function AttentionTab() {
  const attention = useAppStore((s) => s.attention);
  // Primitives, not the listed object (a new one per call): the tab re-renders only when they change.
  const chosenKind = useAppStore((s) => chosenModel(s, s.attention.modelKey)?.kind);
  const chosenLabel = useAppStore((s) => chosenModel(s, s.attention.modelKey)?.label);
  const chosen = chosenKind && chosenLabel !== undefined ? { kind: chosenKind, label: chosenLabel } : undefined;
  const setModel = useAppStore((s) => s.setAttentionModel);
  const setColourScale = useAppStore((s) => s.setColourScale);
  const errors = useFieldErrors('attention');
  const id = useId();
  const maps = attention.maps;
  const waiting = attention.status === 'waiting';
  const ready = chosen !== undefined;
  const note = !chosen
    ? attention.modelKey === undefined
      ? 'start a run on the Pretrain tab first (or pick another model): attention comes from its current weights'
      : 'that model is no longer here: pick another'
    : chosen.kind === 'fine-tuned'
      ? `uses ${chosen.label} as its task sees one text: start, text, extract`
      : `uses ${chosen.label}; longer texts are cut to its context`;

  return (
    <div className="attention">
      <p className="lead">{TAB_DESCRIPTIONS.attention}</p>
      <form
        className="panel attention-form"
        onSubmit={(e) => {
          e.preventDefault();
          showAttention();
        }}
      >
        <ModelPicker id={`${id}-model`} value={attention.modelKey} onChange={setModel} />
        <div className="field grow">
          <label htmlFor={`${id}-text`}>Text to inspect</label>
          <input
            id={`${id}-text`}
            type="text"
            value={attention.text}
            onChange={(e) => setAttentionText(e.target.value)}
            aria-describedby={`${id}-errors ${id}-note`}
            aria-invalid={errors.length ? true : undefined}
          />
          <span id={`${id}-note`} className="hint">
            {note}
          </span>
        </div>
        <button type="submit" className="primary" disabled={!ready || waiting || !attention.text.trim()}>
          {waiting ? 'Computing…' : 'Show attention'}
        </button>
      </form>
      <LiveAttention />
      <FieldErrors id={`${id}-errors`} errors={errors} />
      <div aria-live="polite" className="status-line row">
        {maps && (
          <p className="hint">
            {maps.layers} layers × {maps.heads} heads over {maps.tokens.length} tokens (
            {maps.source ?? (maps.finetuneRunId ? `fine-tuning run ${maps.finetuneRunId}` : `run ${maps.runId}`)}
            {maps.step !== undefined ? ` at step ${maps.step}` : ''}); viridis, scaled to each head's largest weight;
            the empty triangle is the causal mask.
          </p>
        )}
        {maps && (
          <label className="hint">
            Colour scale{' '}
            <select
              value={attention.scale}
              onChange={(e) => setColourScale(e.target.value === 'linear' ? 'linear' : 'sqrt')}
            >
              <option value="sqrt">square root</option>
              <option value="linear">linear</option>
            </select>
          </label>
        )}
      </div>
      {maps && (
        <>
          <div className="attention-views">
            <section className="panel" aria-label="Model view">
              <h3>Model view</h3>
              <HeatmapGrid maps={maps} />
            </section>
            <section className="panel" aria-label="Enlarged head">
              <HeadDetail maps={maps} layer={attention.focus.layer} head={attention.focus.head} />
            </section>
          </div>
          <ExtractView maps={maps} />
          <HeadView maps={maps} />
        </>
      )}
    </div>
  );
}
