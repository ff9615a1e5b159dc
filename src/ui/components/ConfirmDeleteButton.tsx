// A delete that asks once: the first press arms it ("Really delete?"), the second deletes, and moving focus
// away disarms it. Used for saved pre-training runs and kept fine-tuning runs in the Runs tab.
import { useState } from 'react';

export function ConfirmDeleteButton({
  what,
  kind,
  onDelete,
}: {
  /** The item's name, in the accessible names ("Delete saved run r1", "Really delete r1?"). */
  what: string;
  /** What the item is, e.g. "saved run". */
  kind: string;
  onDelete: () => void;
}) {
  const [armed, setArmed] = useState(false);
  return (
    <button
      type="button"
      className="link-button danger-link"
      aria-label={armed ? `Really delete ${what}?` : `Delete ${kind} ${what}`}
      onClick={() => {
        if (!armed) setArmed(true);
        else {
          setArmed(false);
          onDelete();
        }
      }}
      onBlur={() => setArmed(false)}
    >
      {armed ? 'Really delete?' : 'Delete'}
    </button>
  );
}
