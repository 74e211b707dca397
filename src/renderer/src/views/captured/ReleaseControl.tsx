import { useEffect, useState } from 'react';
import type { AccountView } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { routeHref } from '../../lib/router.js';
import { InlineField } from '../../components/Field.js';

/** Picks an account and queues the captured mail for real delivery through it. */
export function ReleaseControl({ accounts, recipients, onRelease }: {
  accounts: AccountView[] | null;
  recipients: string;
  onRelease: (accountId: string) => Promise<string | null>;
}) {
  const [accountId, setAccountId] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [released, setReleased] = useState<string | null>(null);
  useEffect(() => {
    if (!accountId && accounts?.length) setAccountId(accounts[0].id);
  }, [accounts, accountId]);

  if (accounts && accounts.length === 0) {
    return (
      <span className="muted small">
        To release mail for real delivery, <a href={routeHref('accounts', 'new')}>add an SMTP account</a>.
      </span>
    );
  }
  return (
    <div className="release">
      <InlineField label="Release via">
        <select value={accountId} onChange={(e) => setAccountId(e.target.value)}>
          {(accounts ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.id} ({a.host})
            </option>
          ))}
        </select>
      </InlineField>
      <button type="button" className="btn btn-warn" disabled={!accountId} onClick={() => setConfirming(true)}>
        Release…
      </button>
      {released ? (
        <span className="small" role="status">
          Queued as <a href={routeHref('queue', released)}>{released}</a>
        </span>
      ) : null}
      {confirming ? (
        <ConfirmDialog
          title="Deliver this message for real?"
          confirmLabel="Release for real delivery"
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={async () => {
            setConfirming(false);
            setReleased(await onRelease(accountId));
          }}
        >
          <p>
            It will be sent through <strong>{accountId}</strong> to its real recipients: <strong>{recipients}</strong>.
          </p>
          <p className="muted">This happens whatever the delivery mode is.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
