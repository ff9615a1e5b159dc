// A labelled text field for a number, kept as typed (so "0." can be typed) with its problem shown under it.
import { useId } from 'react';

export interface NumberFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  problem?: string;
  hint?: string;
  /** 'decimal' for fractions (learning rate, temperature), 'numeric' for whole numbers. */
  inputMode?: 'numeric' | 'decimal';
  disabled?: boolean;
  onCommit?: () => void;
  className?: string;
}

export function NumberField({
  label,
  value,
  onChange,
  problem,
  hint,
  inputMode = 'numeric',
  disabled,
  onCommit,
  className,
}: NumberFieldProps) {
  const id = useId();
  const describedBy = [problem ? `${id}-problem` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode={inputMode}
        spellCheck={false}
        autoComplete="off"
        value={value}
        disabled={disabled}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onCommit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') onCommit?.();
        }}
      />
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {problem && (
        <span id={`${id}-problem`} className="field-error">
          {problem}
        </span>
      )}
    </div>
  );
}
