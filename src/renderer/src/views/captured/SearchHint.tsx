import { useEffect, useState } from 'react';
import type { SearchWarning } from '../../../../shared/api/index.js';
import { deleteSearchResults, searchFacts } from '../../api/captured-tools.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { errorMessage } from '../../lib/errors.js';
import { formatNumber } from '../../lib/format.js';
import { useRelay } from '../../state/relay-context.js';
import '../../styles/captured-tools.css';

const results = (n: number) => `${formatNumber(n)} result${n === 1 ? '' : 's'}`;

/**
 * Under the captured search box: what the search could not use (an unknown operator, a bad date or
 * size) and "Delete these N results", which deletes every match on the server, loaded or not.
 */
export function SearchHint({ q }: { q: string }) {
  const { api } = useRelay();
  const [facts, setFacts] = useState<{ q: string; matched: number; warnings: SearchWarning[] } | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (!q) return;
    let live = true;
    searchFacts(api, q).then(
      (f) => live && setFacts({ q, ...f }),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [api, q, round]);

  if (!q) return null;
  const shown = facts?.q === q ? facts : null;
  return (
    <div className="search-hint">
      {shown?.warnings.length ? (
        <ul className="search-warnings" role="status" aria-label="Search warnings">
          {shown.warnings.map((w, i) => (
            <li key={i}>
              <code>{w.operator}</code> {w.message}
            </li>
          ))}
        </ul>
      ) : null}
      {shown && shown.matched > 0 ? (
        <button type="button" className="btn btn-small btn-danger" onClick={() => setConfirm(true)}>
          Delete these {results(shown.matched)}
        </button>
      ) : null}
      <ErrorNote error={error} />
      {confirm && shown ? (
        <ConfirmDialog
          title={`Delete these ${results(shown.matched)}?`}
          confirmLabel={`Delete ${results(shown.matched)}`}
          danger
          onCancel={() => setConfirm(false)}
          onConfirm={async () => {
            setConfirm(false);
            try {
              // the list drops the deleted rows when the relay announces them
              await deleteSearchResults(api, q);
              setError(null);
            } catch (err) {
              setError(errorMessage(err));
            }
            setRound((n) => n + 1);
          }}
        >
          <p>
            Every captured message matching <code>{q}</code> is removed, also those not loaded in the list. Other captured mail stays.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
