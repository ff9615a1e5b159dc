// The '?' overlay listing the keyboard shortcuts, generated from the run controls' and the page's shortcut
// records (keyboard.ts): a native modal <dialog> (focus trapped, Esc closes).
import { useEffect, useRef } from 'react';
import { SHORTCUT_HELP } from '../keyboard.ts';
import { useAppStore } from '../store/index.ts';

export function ShortcutsHelp() {
  const open = useAppStore((s) => s.helpOpen);
  const setOpen = useAppStore((s) => s.setHelpOpen);
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="help-dialog"
      aria-labelledby="help-h"
      onClose={() => setOpen(false)}
      onKeyDown={(e) => {
        if (e.key === '?') {
          e.preventDefault();
          setOpen(false);
        }
      }}
    >
      <h2 id="help-h">Keyboard shortcuts</h2>
      <table>
        <tbody>
          {SHORTCUT_HELP.map((s) => (
            <tr key={`${s.keys}: ${s.help}`}>
              <th scope="row">
                <kbd>{s.keys}</kbd>
              </th>
              <td>{s.help}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">Shortcuts are off while you type in a field.</p>
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </dialog>
  );
}
