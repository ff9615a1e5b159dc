// The page's alert region: every error the worker (or this side) reported, newest last, each dismissable.
// It renders nothing while there are none, so an idle page has no alerts.
import { useAppStore } from '../store/index.ts';

export function AlertRegion() {
  const errors = useAppStore((s) => s.errors);
  const dismiss = useAppStore((s) => s.dismissError);
  if (!errors.length) return null;
  return (
    <section className="alert-region" aria-label="Errors">
      {errors.map((e) => (
        <div key={e.id} role="alert" className="alert">
          <span className="alert-where">{e.where}</span>
          <span className="alert-message">{e.message}</span>
          <button
            type="button"
            className="link-button"
            onClick={() => dismiss(e.id)}
            aria-label={`Dismiss: ${e.message}`}
          >
            Dismiss
          </button>
        </div>
      ))}
    </section>
  );
}
