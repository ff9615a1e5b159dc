// Where fine-tuning starts: the current pretrained model (the Pretrain tab's run, paused or ended), an imported
// checkpoint (a gpt1-lab or Hugging Face openai-gpt folder), or from scratch (random weights, a character
// tokenizer of the training file); and how many of the pretrained blocks are transferred (paper §5, Fig. 2).
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { FinetuneInitChoice } from '../../../engine/protocol.ts';
import { PRESET_DESCRIPTIONS, type PresetName } from '../../../model/config.ts';
import { NumberField } from '../../components/NumberField.tsx';
import { formatCompact } from '../../format.ts';
import { useAppStore } from '../../store/index.ts';
import { currentModel, setFinetuneForm, setInit } from './finetune-actions.ts';
import type { FinetuneFormProblems } from './finetune-form.ts';
import { ImportBox } from './ImportBox.tsx';

const PRESETS: PresetName[] = ['tiny', 'small', 'gpt1'];

export function StartPanel({ family, problems }: { family: TaskFamily; problems: FinetuneFormProblems }) {
  const form = useAppStore((s) => s.finetuneForms[family]);
  const current = useAppStore(useShallow((s) => currentModel(s)));
  const imported = useAppStore((s) => s.imported);
  const layers = useAppStore((s) =>
    form.init === 'imported'
      ? s.imported.info?.layers
      : s.currentRunId
        ? s.runs[s.currentRunId]?.settings.config.nLayer
        : undefined,
  );
  const id = useId();
  const options: { init: FinetuneInitChoice; label: string; note: string }[] = [
    { init: 'current', label: 'Current pretrained model', note: current.text },
    {
      init: 'imported',
      label: 'Imported checkpoint',
      note: imported.info
        ? `${imported.info.name}: ${imported.info.layers} × ${imported.info.dims}, ${formatCompact(imported.info.parameters)} parameters`
        : 'a gpt1-lab or Hugging Face openai-gpt folder',
    },
    { init: 'scratch', label: 'From scratch', note: 'random weights: the "no pre-training" baseline' },
  ];

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Start from</h3>
      <fieldset className="radio-group">
        <legend className="visually-hidden">Initialisation</legend>
        {options.map((o) => (
          <label key={o.init} className="radio">
            <input
              type="radio"
              name={`${id}-init`}
              value={o.init}
              checked={form.init === o.init}
              onChange={() => setInit(family, o.init)}
              aria-describedby={`${id}-${o.init}-note`}
            />
            <span className="radio-label">{o.label}</span>
            <span id={`${id}-${o.init}-note`} className="hint">
              {o.note}
            </span>
          </label>
        ))}
      </fieldset>
      {form.init === 'imported' && <ImportBox />}
      {form.init === 'scratch' ? (
        <div className="field">
          <label htmlFor={`${id}-size`}>Model size</label>
          <select
            id={`${id}-size`}
            value={form.preset}
            onChange={(e) => setFinetuneForm(family, { preset: e.target.value as PresetName })}
            aria-describedby={`${id}-size-note`}
          >
            {PRESETS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
          <span id={`${id}-size-note`} className="hint">
            {PRESET_DESCRIPTIONS[form.preset]}; characters of the training file as tokens
          </span>
        </div>
      ) : (
        <NumberField
          label="Blocks to transfer"
          value={form.transferLayers}
          onChange={(transferLayers) => setFinetuneForm(family, { transferLayers })}
          problem={problems.transferLayers}
          hint={`transferred layers: blank = all${layers ? ` ${layers}` : ''}; the rest start fresh (paper Fig. 2)`}
        />
      )}
    </section>
  );
}
