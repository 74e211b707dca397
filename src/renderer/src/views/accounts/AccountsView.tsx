import { useState } from 'react';
import type { AccountView } from '../../api/types.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { useNow } from '../../hooks/useNow.js';
import { errorMessage } from '../../lib/errors.js';
import { navigate, routeHref, type Route } from '../../lib/router.js';
import { useRelay } from '../../state/relay-context.js';
import { useAccounts } from '../../state/useAccounts.js';
import { AccountCard } from './AccountCard.js';
import { AccountFormPanel } from './AccountFormPanel.js';

const POLL_MS = 2000;

function pendingFor(stats: ReturnType<typeof useRelay>['stats'], id: string): number {
  const entry = stats?.accounts?.find((a) => a.account_id === id);
  const c = entry?.counts ?? {};
  return (c.queued ?? 0) + (c.deferred ?? 0) + (c.sending ?? 0);
}

/** SMTP accounts with their live rate-limit state; create, edit, verify, delete. */
export function AccountsView({ route }: { route: Route }) {
  const { api, stats, refreshStats } = useRelay();
  const { accounts, error, reload } = useAccounts(POLL_MS);
  const now = useNow(1000);
  const [deleting, setDeleting] = useState<AccountView | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const editingId = route.id && route.id !== 'new' ? route.id : null;
  const creating = route.id === 'new';
  const original = editingId ? (accounts?.find((a) => a.id === editingId) ?? null) : null;
  const showForm = creating || (editingId !== null && original !== null);

  return (
    <div className={showForm ? 'split has-detail' : 'split'}>
      <section className="pane list-pane accounts-pane" aria-label="SMTP accounts">
        <div className="toolbar">
          <h2>SMTP accounts</h2>
          <a className="btn btn-primary" href={routeHref('accounts', 'new')}>
            Add account
          </a>
        </div>
        <ErrorNote error={actionError ?? error} />
        {editingId && accounts && !original ? <p className="error-note">No account '{editingId}'.</p> : null}
        {accounts && accounts.length === 0 ? (
          <EmptyState title="No SMTP accounts yet">
            <p>
              Accounts are the real SMTP servers the relay delivers through (in <em>real</em> mode, or when you release a
              captured message). Your application names one as <code>account_id</code> in each message.
            </p>
            <p>In sandbox mode no account is contacted: everything lands in Captured.</p>
            <a className="btn btn-primary" href={routeHref('accounts', 'new')}>
              Add your first account
            </a>
          </EmptyState>
        ) : null}
        <div className="cards">
          {(accounts ?? []).map((a) => (
            <AccountCard
              key={a.id}
              account={a}
              now={now}
              queued={pendingFor(stats, a.id)}
              onDelete={() => setDeleting(a)}
              verify={() => api.verifyAccount(a.id)}
            />
          ))}
        </div>
      </section>
      {showForm ? (
        <AccountFormPanel
          key={creating ? 'new' : editingId}
          original={creating ? null : original}
          accounts={accounts ?? []}
          onClose={() => navigate('accounts')}
          onSave={async (input) => {
            await api.saveAccount(input);
            await reload();
            navigate('accounts');
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete account ${deleting.id}?`}
          confirmLabel="Delete account and its messages"
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={async () => {
            const id = deleting.id;
            setDeleting(null);
            try {
              await api.deleteAccount(id);
              setActionError(null);
              await reload();
              refreshStats();
              if (editingId === id) navigate('accounts');
            } catch (err) {
              setActionError(errorMessage(err));
            }
          }}
        >
          <p>
            As with genro-mail-proxy, deleting an account also deletes <strong>all of its messages</strong>
            {pendingFor(stats, deleting.id) ? ` (${pendingFor(stats, deleting.id)} still pending)` : ''} and its send log.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
