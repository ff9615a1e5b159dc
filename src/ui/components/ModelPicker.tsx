// A chooser of one model of the page's list (model-list.ts) for a view that reads a model (Generate,
// Attention): the current pre-training run by default, the imported model, or a fine-tuned one. A choice that
// went away (a model deleted) stays shown as gone, so the view never silently switches model.
import { PRETRAIN_MODEL, useModelList } from '../model-list.ts';

export function ModelPicker({
  id,
  value,
  onChange,
}: {
  id: string;
  /** The chosen key; undefined: the current pre-training run. */
  value: string | undefined;
  onChange: (key: string | undefined) => void;
}) {
  const listed = useModelList();
  const key = value ?? PRETRAIN_MODEL;
  return (
    <div className="field">
      <label htmlFor={id}>Model</label>
      <select
        id={id}
        value={key}
        onChange={(e) => onChange(e.target.value === PRETRAIN_MODEL ? undefined : e.target.value)}
      >
        {!listed.some((m) => m.key === PRETRAIN_MODEL) && (
          <option value={PRETRAIN_MODEL}>Current pre-training run</option>
        )}
        {listed.map((m) => (
          <option key={m.key} value={m.key}>
            {m.label}
          </option>
        ))}
        {!listed.some((m) => m.key === key) && key !== PRETRAIN_MODEL && (
          <option value={key}>{key} (no longer here)</option>
        )}
      </select>
    </div>
  );
}
