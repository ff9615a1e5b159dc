// The errors that concern one input (or group of inputs), shown right next to it. Inputs point at the
// element through aria-describedby and set aria-invalid while it has messages (see useFieldErrors).
import { useShallow } from 'zustand/react/shallow';
import type { ErrorTarget, UiError } from '../store/errors-slice.ts';
import { useAppStore } from '../store/index.ts';

export function useFieldErrors(target: ErrorTarget): UiError[] {
  return useAppStore(useShallow((s) => s.errors.filter((e) => e.target === target)));
}

export function FieldErrors({ id, errors }: { id: string; errors: UiError[] }) {
  return (
    <div id={id} className="field-errors">
      {errors.map((e) => (
        <p key={e.id} className="field-error">
          <span aria-hidden="true">⚠ </span>
          {e.message}
        </p>
      ))}
    </div>
  );
}
