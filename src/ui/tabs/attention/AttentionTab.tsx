// The Attention tab: run a text through the current run's model and inspect every head (bertviz's model
// view as a layers × heads grid), one head enlarged with token labels, and the head view's token lines.
import { useId } from 'react';
import { modelRun, showAttention } from '../../actions.ts';
import { FieldErrors, useFieldErrors } from '../../components/FieldErrors.tsx';
import { useAppStore } from '../../store/index.ts';
import { TAB_DESCRIPTIONS } from '../../tab-descriptions.ts';
import { HeadDetail } from './HeadDetail.tsx';
import { HeadView } from './HeadView.tsx';
import { HeatmapGrid } from './HeatmapGrid.tsx';

export function AttentionTab() {
  const attention = useAppStore((s) => s.attention);
  const run = useAppStore((s) => modelRun(s));
  const setText = useAppStore((s) => s.setAttentionText);
  const setColourScale = useAppStore((s) => s.setColourScale);
  const errors = useFieldErrors('attention');
  const id = useId();
  const maps = attention.maps;
  const waiting = attention.status === 'waiting';

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
        <div className="field grow">
          <label htmlFor={`${id}-text`}>Text to inspect</label>
          <input
            id={`${id}-text`}
            type="text"
            value={attention.text}
            onChange={(e) => setText(e.target.value)}
            aria-describedby={`${id}-errors ${id}-note`}
            aria-invalid={errors.length ? true : undefined}
          />
          <span id={`${id}-note`} className="hint">
            {run
              ? `uses run ${run.runId} at step ${run.step}; longer texts are cut to its context`
              : 'start a run on the Pretrain tab first: attention comes from its current weights'}
          </span>
        </div>
        <button type="submit" className="primary" disabled={!run || waiting || !attention.text.trim()}>
          {waiting ? 'Computing…' : 'Show attention'}
        </button>
      </form>
      <FieldErrors id={`${id}-errors`} errors={errors} />
      <div aria-live="polite" className="status-line row">
        {maps && (
          <p className="hint">
            {maps.layers} layers × {maps.heads} heads over {maps.tokens.length} tokens (run {maps.runId}); viridis,
            scaled to each head's largest weight; the empty triangle is the causal mask.
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
          <HeadView maps={maps} />
        </>
      )}
    </div>
  );
}
