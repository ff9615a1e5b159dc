// The Pretrain tab's zero-shot probe chart for the current run, with what its scale means.
import { useAppStore } from '../../store/index.ts';
import { ProbeChart } from './ProbeChart.tsx';

export function ProbesPanel() {
  const every = useAppStore((s) => (s.currentRunId ? s.runs[s.currentRunId]?.settings.probeEvery : undefined));
  return (
    <section className="panel charts-panel" aria-label="Zero-shot probe chart">
      <ProbeChart />
      <p className="hint">
        Each probe set scored by the language model alone: 0 is chance (dashed), 1 always right; accuracy for sentiment,
        multiple choice and Winograd, MCC for acceptability. &ldquo;log steps&rdquo; draws the step-0 round at step 1.
        {every === 0 && ' This run scores no probes (“Zero-shot probes every” was 0).'}
      </p>
    </section>
  );
}
