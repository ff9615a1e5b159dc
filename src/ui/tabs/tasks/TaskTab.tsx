// One task tab (Classification, Entailment, Similarity or Multiple choice): data and settings on the left
// (training and dev files, the example as the model sees it, where to start, the paper's settings), training
// on the right (Train with live L1/L2/L3 and the dev metric; Try it on a fine-tuned model; Compare with the
// paper's ablations).
import { useId } from 'react';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import { useAppStore } from '../../store/index.ts';
import { TABS } from '../../store/ui-slice.ts';
import { TAB_DESCRIPTIONS } from '../../tab-descriptions.ts';
import { ComparePanel } from './ComparePanel.tsx';
import { ExamplePreview } from './ExamplePreview.tsx';
import { FinetunePanel } from './FinetunePanel.tsx';
import { parseFinetuneForm } from './finetune-form.ts';
import { SettingsPanel } from './SettingsPanel.tsx';
import { StartPanel } from './StartPanel.tsx';
import { TaskFileInput } from './TaskFileInput.tsx';
import { TryPanel } from './TryPanel.tsx';
import './tasks.css';

export function TaskTab({ family }: { family: TaskFamily }) {
  const form = useAppStore((s) => s.finetuneForms[family]);
  const { problems } = parseFinetuneForm(family, form);
  const id = useId();

  return (
    <div className="task-tab">
      <h2 className="visually-hidden">{TABS.find((t) => t.id === family)?.label} fine-tuning</h2>
      <p className="lead">{TAB_DESCRIPTIONS[family]}</p>
      <div className="task-grid">
        <div className="setup-column">
          <section className="panel" aria-labelledby={`${id}-data`}>
            <h3 id={`${id}-data`}>Data</h3>
            <TaskFileInput family={family} fileRole="train" />
            <TaskFileInput family={family} fileRole="dev" />
          </section>
          <ExamplePreview family={family} />
          <StartPanel family={family} problems={problems} />
          <SettingsPanel family={family} problems={problems} />
        </div>
        <div className="train-column">
          <FinetunePanel family={family} />
          <TryPanel family={family} />
          <ComparePanel family={family} />
        </div>
      </div>
    </div>
  );
}
