import { useEffect, useState } from 'react';
import type { AccountView } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { InlineField } from '../../components/Field.js';
import { formatDateTime } from '../../lib/format.js';
import { routeHref } from '../../lib/router.js';
import { useRelay } from '../../state/relay-context.js';
import { inBackoff, releaseAccounts, releaseDefault } from './release-account.js';

const PAUSED_NOTE = 'Dispatch is paused: the released message waits in the queue until you resume.';

/** Picks an account (a healthy one first) and queues the captured mail for real delivery through it. */
export function ReleaseControl({ accounts: all, recipients, onRelease }: {
  accounts: AccountView[] | null;
  recipients: string;
  onRelease: (accountId: string) => Promise<string | null>;
}) {
  const { settings } = useRelay();
  const paused = settings?.paused ?? false;
  const accounts = all ? releaseAccounts(all) : null;
  const [accountId, setAccountId] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [released, setReleased] = useState<string | null>(null);
  const now = Date.now() / 1000;
  const preset = accounts ? releaseDefault(accounts, now) : null;
  const presetId = preset?.kind === 'pick' ? preset.id : '';
  useEffect(() => {
    if (!accountId && presetId) setAccountId(presetId);
  }, [presetId, accountId]);

  if (accounts && accounts.length === 0) {
    return (
      <span className="muted small">
        To release mail for real delivery, <a href={routeHref('accounts', 'new')}>add an SMTP account</a>.
      </span>
    );
  }
  const chosen = accounts?.find((a) => a.id === accountId) ?? null;
  const chosenBacksOff = chosen !== null && inBackoff(chosen, now);
  return (
    <div className="release">
      <InlineField label="Release via">
        <select value={accountId} onChange={(e) => setAccountId(e.target.value)}>
          {!accountId ? <option value="">choose an account…</option> : null}
          {(accounts ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.id} ({a.host}){inBackoff(a, now) ? ' — backing off' : ''}
            </option>
          ))}
        </select>
      </InlineField>
      <button type="button" className="btn btn-warn" disabled={!accountId} onClick={() => setConfirming(true)}>
        Release…
      </button>
      {preset?.kind === 'ask' && !accountId ? <span className="small release-warning">Every account is backing off after a failure: choose one.</span> : null}
      {paused ? <span className="small release-warning">Dispatch is paused.</span> : null}
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
          {chosenBacksOff && chosen ? (
            <p className="release-warning">
              {accountId} is backing off after a failure until {formatDateTime(chosen.backoff_until)}
              {chosen.backoff_error ? ` (${chosen.backoff_error})` : ''}: the message waits until then.
            </p>
          ) : null}
          {paused ? <p className="release-warning">{PAUSED_NOTE}</p> : null}
          <p className="muted">This happens whatever the delivery mode is.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
