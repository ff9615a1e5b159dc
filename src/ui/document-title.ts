// Mirrors the current run's progress in document.title so a background tab shows it (TensorBoard/W&B users
// keep training tabs in the background). Updated from a store subscription, not from React renders.
import { formatDuration } from './format.ts';
import { runProgress } from './run-progress.ts';
import { useAppStore } from './store/index.ts';
import type { RunRecord } from './store/runs-slice.ts';

const BASE_TITLE = 'gpt1-lab';
const ICONS: Partial<Record<RunRecord['state'], string>> = {
  starting: '…',
  preparing: '…',
  running: '▶',
  pausing: '⏸',
  paused: '⏸',
  done: '✓',
  stopped: '■',
  error: '⚠',
};

export function titleFor(run: RunRecord | undefined): string {
  if (!run) return BASE_TITLE;
  const p = runProgress(run);
  const parts = [`${ICONS[run.state] ?? ''} ${Math.floor(p.fraction * 100)}%`, `step ${p.step}/${p.total}`];
  if (run.latest) parts.push(`loss ${run.latest.loss.toFixed(3)}`);
  if (p.etaMs !== undefined) parts.push(`ETA ${formatDuration(p.etaMs)}`);
  return `${parts.join(' · ')} — ${BASE_TITLE}`;
}

export function watchDocumentTitle(): () => void {
  const apply = () => {
    const s = useAppStore.getState();
    const title = titleFor(s.currentRunId ? s.runs[s.currentRunId] : undefined);
    if (document.title !== title) document.title = title;
  };
  apply();
  return useAppStore.subscribe((state, previous) => {
    if (state.runs !== previous.runs || state.currentRunId !== previous.currentRunId) apply();
  });
}
