// A grid of NumberFields described by a table (field, label, hint, whether it takes fractions): the model,
// generation and fine-tuning settings forms are each one such table over their values and problems.
import { NumberField } from './NumberField.tsx';

export interface NumberFieldSpec<F extends string> {
  field: F;
  label: string;
  hint?: string;
  /** Fractions allowed (learning rate, temperature): the decimal keypad on phones. */
  decimal?: boolean;
}

export interface NumberFieldGridProps<F extends string> {
  fields: readonly NumberFieldSpec<F>[];
  values: { readonly [K in F]: string };
  problems: { readonly [K in F]?: string };
  onChange: (field: F, value: string) => void;
  /** Extra classes beside "field-grid". */
  className?: string;
}

export function NumberFieldGrid<F extends string>({
  fields,
  values,
  problems,
  onChange,
  className,
}: NumberFieldGridProps<F>) {
  return (
    <div className={className ? `field-grid ${className}` : 'field-grid'}>
      {fields.map((f) => (
        <NumberField
          key={f.field}
          label={f.label}
          value={values[f.field]}
          onChange={(value) => onChange(f.field, value)}
          problem={problems[f.field]}
          hint={f.hint}
          inputMode={f.decimal ? 'decimal' : 'numeric'}
        />
      ))}
    </div>
  );
}
