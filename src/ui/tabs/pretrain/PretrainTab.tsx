// The Pretrain tab: set-up on the left (corpus, tokenizer, model, zero-shot probe sets), training on the
// right (controls, progress, charts, the zero-shot probe chart, samples, generation).
import { TAB_DESCRIPTIONS } from '../../tab-descriptions.ts';
import { CorpusPanel } from './CorpusPanel.tsx';
import { GeneratePanel } from './GeneratePanel.tsx';
import { MetricsCharts } from './MetricsCharts.tsx';
import { ModelPanel } from './ModelPanel.tsx';
import { ProbeFilesPanel } from './ProbeFilesPanel.tsx';
import { ProbesPanel } from './ProbesPanel.tsx';
import { RunControls } from './RunControls.tsx';
import { SamplesPanel } from './SamplesPanel.tsx';
import { SavedRunsNote } from './SavedRunsNote.tsx';
import { TokenizerPanel } from './TokenizerPanel.tsx';

export function PretrainTab() {
  return (
    <div className="pretrain">
      <p className="lead">{TAB_DESCRIPTIONS.pretrain}</p>
      <SavedRunsNote />
      <div className="pretrain-grid">
        <div className="setup-column">
          <CorpusPanel />
          <TokenizerPanel />
          <ModelPanel />
          <ProbeFilesPanel />
        </div>
        <div className="train-column">
          <RunControls />
          <MetricsCharts />
          <ProbesPanel />
          <div className="two-up">
            <SamplesPanel />
            <GeneratePanel />
          </div>
        </div>
      </div>
    </div>
  );
}
