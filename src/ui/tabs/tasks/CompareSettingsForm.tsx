// Compare's own settings: Table 5's rows or the layers-transferred sweep (Figure 2 left), the seeds per row,
// and the learning rates tried on a held part of the training file for the tuned column (empty: no sweep).
import { useId } from 'react';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import { NumberField } from '../../components/NumberField.tsx';
import { useAppStore } from '../../store/index.ts';
import { parseCompareForm } from './compare-form.ts';
import { setFinetuneForm } from './finetune-actions.ts';

export function CompareSettingsForm({ family, disabled }: { family: TaskFamily; disabled: boolean }) {
  const form = useAppStore((s) => s.finetuneForms[family]);
  const { problems } = parseCompareForm(form);
  const id = useId();
  return (
    <fieldset className="compare-settings" disabled={disabled}>
      <legend>What to compare</legend>
      <div className="field">
        <label htmlFor={`${id}-rows`}>Rows</label>
        <select
          id={`${id}-rows`}
          value={form.compareRows}
          onChange={(e) => setFinetuneForm(family, { compareRows: e.target.value === 'layers' ? 'layers' : 'table5' })}
        >
          <option value="table5">Table 5: ± aux LM, no pre-training, first blocks</option>
          <option value="layers">Layers transferred: n = 0 … L (Figure 2 left)</option>
        </select>
      </div>
      <NumberField
        label="Seeds per row"
        value={form.seeds}
        onChange={(seeds) => setFinetuneForm(family, { seeds })}
        problem={problems.seeds}
        hint="mean and min–max over them"
      />
      <NumberField
        label="Learning rates to try"
        value={form.lrSweep}
        inputMode="decimal"
        onChange={(lrSweep) => setFinetuneForm(family, { lrSweep })}
        problem={problems.lrSweep}
        hint="chosen per row on a held part of the training file; empty: no tuned column"
        className="wide"
      />
    </fieldset>
  );
}
