import { useState } from 'react';
import type { LinkCheckAnswer } from '../../../../shared/api/index.js';
import { linkCheck } from '../../api/captured-tools.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { errorMessage } from '../../lib/errors.js';
import { useRelay } from '../../state/relay-context.js';
import '../../styles/captured-tools.css';

/** Every link and image of the HTML body with its HTTP status: only when asked (the servers learn of it). */
export function LinkCheckTab({ id }: { id: number }) {
  const { api } = useRelay();
  const [answer, setAnswer] = useState<LinkCheckAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    try {
      setAnswer(await linkCheck(api, id));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="link-check pad">
      <p className="muted small">
        Requests each link and image (HEAD, then GET) from the relay. The servers they point to learn that this message was looked at; addresses on private networks
        are refused unless <code>[sandbox] link_check_private</code> is on.
      </p>
      <button type="button" className="btn" onClick={run} disabled={busy}>
        {busy ? 'Checking…' : answer ? 'Check links again' : 'Check links'}
      </button>
      <ErrorNote error={error} />
      {answer ? (
        <>
          <p className="small" role="status">
            {answer.links.length} link{answer.links.length === 1 ? '' : 's'} · {answer.failed} with a problem{answer.truncated ? ' · only the first ones were checked' : ''}
          </p>
          <table className="link-table">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Kind</th>
                <th scope="col">URL</th>
              </tr>
            </thead>
            <tbody>
              {answer.links.map((l) => (
                <tr key={l.url} className={l.ok ? 'ok' : 'bad'}>
                  <td>
                    <span className="link-status">{l.status ?? '—'}</span> <span className="muted small">{l.detail}{l.redirects ? ` · ${l.redirects} redirect${l.redirects === 1 ? '' : 's'}` : ''}</span>
                  </td>
                  <td>{l.kind}</td>
                  <td className="link-url">{l.url}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
