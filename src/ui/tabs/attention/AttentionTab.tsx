// The Attention tab: run a text through the current run's model and inspect every head (bertviz's model
// view as a layers × heads grid), one head enlarged with token labels, and the head view's token lines. A
// finished fine-tuning run's model can be picked instead: the text then goes through its task's input
// transformation (start, text, extract) and the extract token's attention row is shown per layer and head.
// Live attention (LiveAttention.tsx) refreshes the maps every N steps while a run pre-trains or fine-tunes.
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { finetunedModels, modelRun, showAttention } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
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
  const run = useAppStore((s) => modelRun(s));
  const finetuned = useAppStore(useShallow((s) => finetunedModels(s)));
  const setModel = useAppStore((s) => s.setAttentionModel);
  const setColourScale = useAppStore((s) => s.setColourScale);
  const errors = useFieldErrors('attention');
  const id = useId();
  const maps = attention.maps;
  const waiting = attention.status === 'waiting';
  const picked = finetuned.find((r) => r.runId === attention.finetuneRunId);
  const ready = attention.finetuneRunId !== undefined ? picked !== undefined : run !== undefined;
  const note = picked
    ? `uses fine-tuning run ${picked.runId} (${picked.family}) as its task sees one text: start, text, extract`
    : run
      ? `uses run ${run.runId} at step ${run.step}; longer texts are cut to its context`
      : 'start a run on the Pretrain tab first: attention comes from its current weights';

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
        <div className="field">
          <label htmlFor={`${id}-model`}>Model</label>
          <select
            id={`${id}-model`}
            value={attention.finetuneRunId ?? ''}
            onChange={(e) => setModel(e.target.value === '' ? undefined : e.target.value)}
          >
            <option value="">{run ? `Pre-training run ${run.runId}` : 'Current pre-training run'}</option>
            {finetuned.map((r) => (
              <option key={r.runId} value={r.runId}>
                Fine-tuned {r.family} run {r.runId}
              </option>
            ))}
            {attention.finetuneRunId !== undefined && !picked && (
              <option value={attention.finetuneRunId}>Fine-tuning run {attention.finetuneRunId} (not finished)</option>
            )}
          </select>
        </div>
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
            {maps.finetuneRunId !== undefined ? `fine-tuning run ${maps.finetuneRunId}` : `run ${maps.runId}`}
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
