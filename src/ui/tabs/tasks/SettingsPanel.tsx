// Fine-tuning settings with the paper's defaults (§4.1: lr 6.25e-5, batch 32, 3 epochs, warm-up 0.2 %,
// λ = 0.5; gradient clip 1 from the released code), each shown beside its field and restorable in one click.
// λ has a slider and a number field; 0 turns the auxiliary LM off.
import { useId } from 'react';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import { NumberField } from '../../components/NumberField.tsx';
import { NumberFieldGrid, type NumberFieldSpec } from '../../components/NumberFieldGrid.tsx';
import { recipeFieldSpecs } from '../../components/recipe-fields.ts';
import { type FinetuneForm, PAPER_FINETUNE_FORM } from '../../store/finetune-slice.ts';
import { useAppStore } from '../../store/index.ts';
import { setFinetuneForm } from './finetune-actions.ts';
import type { FinetuneFormProblems } from './finetune-form.ts';

const FIELDS: NumberFieldSpec<keyof FinetuneForm>[] = [
  { field: 'lr', label: 'Peak learning rate', hint: `paper ${PAPER_FINETUNE_FORM.lr}`, decimal: true },
  { field: 'batch', label: 'Batch size', hint: `paper ${PAPER_FINETUNE_FORM.batch} examples` },
  { field: 'epochs', label: 'Epochs', hint: `paper ${PAPER_FINETUNE_FORM.epochs}`, decimal: true },
  {
    field: 'warmup',
    label: 'Warm-up (% of steps)',
    hint: `paper ${PAPER_FINETUNE_FORM.warmup} %, then linear decay`,
    decimal: true,
  },
  { field: 'clip', label: 'Gradient clip', hint: `global norm; code ${PAPER_FINETUNE_FORM.clip}`, decimal: true },
  { field: 'seed', label: 'Run seed', hint: 'init, order, dropout' },
  { field: 'context', label: 'Longest sequence', hint: "tokens; blank = the model's" },
  ...recipeFieldSpecs("body and classifier; blank = the model's, classifier 0.1"),
];

export function SettingsPanel({ family, problems }: { family: TaskFamily; problems: FinetuneFormProblems }) {
  const form = useAppStore((s) => s.finetuneForms[family]);
  const id = useId();
  const lambda = Number(form.auxLm);
  const isPaper = (Object.keys(PAPER_FINETUNE_FORM) as (keyof typeof PAPER_FINETUNE_FORM)[]).every(
    (k) => form[k] === PAPER_FINETUNE_FORM[k],
  );

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        Settings <span className="badge">{isPaper ? "the paper's defaults" : 'edited'}</span>
      </h3>
      <div className="lambda-row">
        <div className="field">
          <label htmlFor={`${id}-lambda-range`}>Auxiliary LM weight λ (slider)</label>
          <input
            id={`${id}-lambda-range`}
            type="range"
            min={0}
            max={2}
            step={0.05}
            value={Number.isFinite(lambda) ? Math.min(2, Math.max(0, lambda)) : 0}
            onChange={(e) => setFinetuneForm(family, { auxLm: e.target.value })}
            aria-describedby={`${id}-lambda-note`}
          />
        </div>
        <NumberField
          label="Auxiliary LM weight λ"
          value={form.auxLm}
          inputMode="decimal"
          onChange={(auxLm) => setFinetuneForm(family, { auxLm })}
          problem={problems.auxLm}
        />
      </div>
      <p id={`${id}-lambda-note`} className="hint">
        L3 = L2 + λ·L1 (paper λ = 0.5).{' '}
        {lambda === 0 ? 'λ = 0: no auxiliary LM, L3 = L2.' : 'λ = 0 turns the auxiliary LM off.'}
      </p>
      <NumberFieldGrid
        fields={FIELDS}
        values={form}
        problems={problems}
        onChange={(field, value) => setFinetuneForm(family, { [field]: value })}
        className="task-fields"
      />
      <button type="button" onClick={() => setFinetuneForm(family, { ...PAPER_FINETUNE_FORM })} disabled={isPaper}>
        Paper defaults
      </button>
    </section>
  );
}
