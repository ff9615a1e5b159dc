// Shown when a file's header is not one the parser knows: the user says which column holds the text (or the
// two sentences, or the context and the choices) and which holds the label; the file is then read again.
import { useId, useState } from 'react';
import type { ColumnMapping } from '../../../data/tasks/parse-task-file.ts';
import type { TaskFamily } from '../../../data/tasks/task-types.ts';
import type { TaskFileRole } from '../../../engine/protocol.ts';
import { applyMapping } from './task-file-actions.ts';

interface Props {
  family: TaskFamily;
  role: TaskFileRole;
  name: string;
  columns: string[];
  regressionAllowed: boolean;
}

type Field = 'text' | 'a' | 'b' | 'context' | 'label';

const FIELDS: Record<TaskFamily, { field: Field; label: string }[]> = {
  classification: [{ field: 'text', label: 'Text column' }],
  entailment: [
    { field: 'a', label: 'Premise column' },
    { field: 'b', label: 'Hypothesis column' },
  ],
  similarity: [
    { field: 'a', label: 'Sentence A column' },
    { field: 'b', label: 'Sentence B column' },
  ],
  'multiple-choice': [{ field: 'context', label: 'Question or story column' }],
};

/** A first guess per field from common header names. */
function guess(field: Field, columns: string[]): string {
  const names: Record<Field, RegExp> = {
    text: /^(text|sentence|review|content|body)$/i,
    a: /^(sentence1|premise|question|text_a|a)$/i,
    b: /^(sentence2|hypothesis|answer|text_b|b)$/i,
    context: /^(context|question|premise|story|article)$/i,
    label: /^(label|gold_label|class|category|target|answer|score|y)$/i,
  };
  return columns.find((c) => names[field].test(c)) ?? '';
}

export function ColumnMappingForm({ family, role, name, columns, regressionAllowed }: Props) {
  const id = useId();
  const fields = [
    ...FIELDS[family],
    { field: 'label' as const, label: family === 'multiple-choice' ? 'Answer column (0-based index)' : 'Label column' },
  ];
  const [values, setValues] = useState<Record<Field, string>>(() => {
    const init = {} as Record<Field, string>;
    for (const { field } of fields) init[field] = guess(field, columns);
    return init;
  });
  const [choices, setChoices] = useState<string[]>([]);
  const [regression, setRegression] = useState(false);
  const missing = fields.filter((f) => !values[f.field]).map((f) => f.label.toLowerCase());
  if (family === 'multiple-choice' && choices.length < 2) missing.push('at least two choice columns');

  const submit = () => {
    if (missing.length) return;
    const mapping: ColumnMapping = { label: values.label };
    if (family === 'classification') mapping.text = values.text;
    else if (family === 'multiple-choice') {
      mapping.context = values.context;
      mapping.choices = choices;
    } else {
      mapping.a = values.a;
      mapping.b = values.b;
    }
    if (regression) mapping.regression = true;
    applyMapping(family, role, mapping);
  };

  return (
    <form
      className="mapping-form note"
      aria-labelledby={`${id}-h`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <p id={`${id}-h`}>
        <strong>{name}</strong>: its columns ({columns.join(', ')}) are not a format gpt1-lab knows. Say which column
        holds what:
      </p>
      <div className="field-grid mapping-grid">
        {fields.map(({ field, label }) => (
          <div className="field" key={field}>
            <label htmlFor={`${id}-${field}`}>{label}</label>
            <select
              id={`${id}-${field}`}
              value={values[field]}
              onChange={(e) => setValues((v) => ({ ...v, [field]: e.target.value }))}
            >
              <option value="">choose…</option>
              {columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
      {family === 'multiple-choice' && (
        <fieldset className="choice-columns">
          <legend>Choice columns, in order</legend>
          {columns.map((c) => (
            <label key={c} className="head-toggle">
              <input
                type="checkbox"
                checked={choices.includes(c)}
                onChange={(e) => setChoices((list) => (e.target.checked ? [...list, c] : list.filter((x) => x !== c)))}
              />
              {c}
            </label>
          ))}
        </fieldset>
      )}
      {regressionAllowed && (
        <label className="head-toggle">
          <input type="checkbox" checked={regression} onChange={(e) => setRegression(e.target.checked)} />
          Labels are scores (regression, as STS-B)
        </label>
      )}
      <div className="button-row">
        <button type="submit" disabled={missing.length > 0} aria-describedby={missing.length ? `${id}-why` : undefined}>
          Read {name} with this mapping
        </button>
        {missing.length > 0 && (
          <span id={`${id}-why`} className="hint">
            Choose the {missing.join(', ')}.
          </span>
        )}
      </div>
    </form>
  );
}
