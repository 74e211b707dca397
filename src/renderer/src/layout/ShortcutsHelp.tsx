import { useEffect, useRef } from 'react';

const SHORTCUTS: [string, string][] = [
  ['1 – 5', 'Queue, Captured, Accounts, Settings, Tenants (when there are tenants)'],
  ['/', 'Search in the current list'],
  ['j k', 'Next / previous: moves in the list, or opens the next mail or message when one is open'],
  ['↑ ↓', 'Move in a list (when it has focus)'],
  ['Enter', 'Open the highlighted item'],
  ['x  ·  shift/ctrl click', 'Pick rows for a bulk action (a range with shift)'],
  ['d  or  Delete', 'Delete the open mail and open the next one (or the picked rows)'],
  ['u', 'Mark the open (or picked) mail read / unread'],
  ['Esc', 'Close the detail pane or dialog'],
  ['← →', 'Switch tabs in the captured mail inspector'],
  ['?', 'This help'],
];

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && typeof d.showModal === 'function' && !d.open) d.showModal();
    else d?.setAttribute('open', '');
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="shortcuts-h"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="shortcuts-h">Keyboard shortcuts</h2>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, d]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{d}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </dialog>
  );
}
