// A one-line pointer to runs saved before this page loaded, which the Runs tab can resume.
import { isActive } from '../../actions.ts';
import { useAppStore } from '../../store/index.ts';

export function SavedRunsNote() {
  const saved = useAppStore((s) => s.savedRuns.filter((r) => !s.runs[r.runId]).length);
  const busy = useAppStore((s) => isActive(s.currentRunId ? s.runs[s.currentRunId] : undefined));
  const setTab = useAppStore((s) => s.setTab);
  if (!saved || busy) return null;
  return (
    <p className="note">
      {saved === 1 ? 'A saved run' : `${saved} saved runs`} can be resumed where it stopped.{' '}
      <button type="button" className="link-button" onClick={() => setTab('runs')}>
        Show saved runs
      </button>
    </p>
  );
}
