// Live attention from the page: ask the worker for the attention maps of the tab's text every N steps while
// a run pre-trains or fine-tunes (the current run and the next ones), and send the text again when it changes.
import { sendCommand } from '../../engine-port.ts';
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
