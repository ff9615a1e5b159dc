// Live attention from the page: ask the worker for the attention maps of the tab's text every N steps while
// a run pre-trains or fine-tunes (the current run and the next ones), and send the text again when it changes;
// and the words that say which run a snapshot comes from.
import { sendCommand } from '../../engine-port.ts';
import type { AttentionMaps } from '../../store/attention-slice.ts';
import { useAppStore } from '../../store/index.ts';

const get = () => useAppStore.getState();

/** Steps between live snapshots a person can pick (0: off). */
export const LIVE_INTERVALS = [1, 5, 10, 25, 50, 100, 250] as const;

export function watchAttention(every: number): void {
  get().setLiveAttention(every);
  sendCommand({ type: 'watch-attention', text: get().attention.text, every });
}

/** Sets the text to inspect; a live watch follows it from the next snapshot on. */
export function setAttentionText(text: string): void {
  get().setAttentionText(text);
  const every = get().attention.liveEvery;
  if (every > 0 && text.trim()) sendCommand({ type: 'watch-attention', text, every });
}

/** Which run a snapshot comes from, in words (a fine-tuning run's maps are of the text in its task's form). */
export function snapshotRun(maps: AttentionMaps): string {
  return maps.finetuneRunId !== undefined
    ? `fine-tuning run ${maps.finetuneRunId}, the text in its task's form`
    : `pre-training run ${maps.runId}`;
}
