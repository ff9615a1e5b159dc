// The Attention tab's live mode: the maps of the text every N steps while a run pre-trains or fine-tunes (a
// fine-tuning run, not a comparison: the text in its task's form), and a step scrubber over the snapshots
// kept (the view follows the latest unless a snapshot is picked).
import { useId } from 'react';
import { useAppStore } from '../../store/index.ts';
import { LIVE_INTERVALS, snapshotRun, watchAttention } from './live-attention.ts';

export function LiveAttention() {
  const id = useId();
  const every = useAppStore((s) => s.attention.liveEvery);
  const snapshots = useAppStore((s) => s.attention.snapshots);
  const picked = useAppStore((s) => s.attention.snapshotIndex);
  const showSnapshot = useAppStore((s) => s.showSnapshot);
  const index = picked ?? snapshots.length - 1;
  const shown = snapshots[index];
  return (
    <fieldset className="panel live-attention">
      <legend>Live attention</legend>
      <div className="row">
        <label>
          <input
            type="checkbox"
            checked={every > 0}
            aria-describedby={`${id}-hint`}
            onChange={(e) => watchAttention(e.target.checked ? 10 : 0)}
          />{' '}
          Refresh while training
        </label>
        <div className="field">
          <label htmlFor={`${id}-every`}>every</label>
          <select
            id={`${id}-every`}
            value={every || 10}
            disabled={every === 0}
            onChange={(e) => watchAttention(Number(e.target.value))}
          >
            {LIVE_INTERVALS.map((n) => (
              <option key={n} value={n}>
                {n} {n === 1 ? 'step' : 'steps'}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p id={`${id}-hint`} className="hint">
        While a run pre-trains, or a fine-tuning run trains (not Compare's runs): a fine-tuning run sees the text in its
        task's form, start + text + extract.
      </p>
      {snapshots.length > 0 && shown && (
        <div className="row">
          <div className="field grow">
            <label htmlFor={`${id}-scrub`}>Snapshot</label>
            <input
              id={`${id}-scrub`}
              type="range"
              min={0}
              max={snapshots.length - 1}
              value={index}
              aria-valuetext={`step ${shown.step}`}
              onChange={(e) => {
                const at = Number(e.target.value);
                showSnapshot(at === snapshots.length - 1 ? undefined : at);
              }}
            />
          </div>
          <output htmlFor={`${id}-scrub`} data-testid="snapshot-step" data-step={shown.step}>
            step {shown.step} of {snapshotRun(shown)} ({index + 1} of {snapshots.length} kept
            {picked === undefined ? ', following the latest' : ''})
          </output>
          {picked !== undefined && (
            <button type="button" onClick={() => showSnapshot(undefined)}>
              Follow the latest
            </button>
          )}
        </div>
      )}
    </fieldset>
  );
}
