// A run's toolbar, generated from its control records (controls/run-control.ts): a button per control,
// enabled by its guard, with its shortcut in aria-keyshortcuts; under it, why a disabled control cannot be
// pressed, when its guard says.
import { useId } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { invokeControl, type RunControl, resolve } from '../controls/run-control.ts';
import type { AppState } from '../store/index.ts';
import { useAppStore } from '../store/index.ts';
import { Icon, type IconName } from './Icon.tsx';

/** What a control's button shows now, flat (label, icon, why-not: null when enabled) for a shallow compare. */
function faces(controls: readonly RunControl[], s: AppState): (string | null)[] {
  return controls.flatMap((c) => {
    const availability = c.guard(s);
    const why = availability.enabled ? null : (availability.why ?? '');
    return [resolve(c.label, s), c.icon ? resolve(c.icon, s) : '', why];
  });
}

export function RunToolbar({ name, controls }: { name: string; controls: readonly RunControl[] }) {
  const id = useId();
  const flat = useAppStore(useShallow((s) => faces(controls, s)));
  const views = controls.map((control, i) => ({
    control,
    label: flat[3 * i] as string,
    icon: flat[3 * i + 1] as IconName | '',
    why: flat[3 * i + 2] ?? null,
    whyId: `${id}-${control.id}-why`,
  }));

  return (
    <>
      <div className="button-row" role="toolbar" aria-label={name}>
        {views.map(({ control, label, icon, why, whyId }) => (
          <button
            key={control.id}
            type="button"
            className={control.tone}
            onClick={() => invokeControl(control)}
            disabled={why !== null}
            aria-describedby={why ? whyId : undefined}
            aria-keyshortcuts={control.shortcut?.keys}
            title={control.title}
          >
            {icon && <Icon name={icon} />}
            {label}
          </button>
        ))}
      </div>
      {views.map(
        ({ control, label, why, whyId }) =>
          why && (
            <p key={control.id} id={whyId} className="hint">
              {label}: {why}.
            </p>
          ),
      )}
    </>
  );
}
