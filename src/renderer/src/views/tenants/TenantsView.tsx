import type { TenantOverview } from '../../api/types.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useNow } from '../../hooks/useNow.js';
import { formatDateTime, formatRelative } from '../../lib/format.js';
import { routeHref } from '../../lib/router.js';
import { useRelay } from '../../state/relay-context.js';
import { SYNC_LABEL, tenantSyncState } from './tenant-status.js';

function SyncCell({ t, now }: { t: TenantOverview; now: number }) {
  const s = tenantSyncState(t);
  switch (s.kind) {
    case 'failing':
      return (
        <span className="sync-bad">
          ✗ failing: {s.error}
          {t.last_ok_ts !== undefined ? <span className="muted"> · last ok {formatDateTime(t.last_ok_ts)}</span> : null}
        </span>
      );
    case 'ok':
      return (
        <span className="sync-ok" title={formatDateTime(s.last)}>
          ✓ {formatRelative(s.last, now)}
          {s.due ? <span className="muted"> · due now</span> : null}
        </span>
      );
    case 'dnd':
      return <span title={formatDateTime(s.until)}>do not disturb until {formatDateTime(s.until)}</span>;
    default:
      return <span className="muted">{SYNC_LABEL[s.kind]}</span>;
  }
}

/** The applications sharing this relay: where their reports go, how the last sync went (never a secret). */
export function TenantsView() {
  const { tenants } = useRelay();
  const now = useNow(5000);
  if (tenants === null) return <p className="muted pad">Loading…</p>;
  if (tenants.length === 0) {
    return (
      <EmptyState title="No tenants">
        <p>This relay serves one application (the classic setup). Tenants appear here once an application registers through POST /tenant.</p>
      </EmptyState>
    );
  }
  return (
    <section className="tenants-view" aria-label="Tenants">
      <table className="tenants-table">
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Reports</th>
            <th scope="col">Last sync</th>
            <th scope="col">Pending</th>
            <th scope="col">Endpoints</th>
            <th scope="col">Auth</th>
          </tr>
        </thead>
        <tbody>
          {tenants.map((t) => (
            <tr key={t.id} data-tenant={t.id}>
              <th scope="row">
                <a href={routeHref('queue', undefined, { tenant: t.id })} title={`Show the queue of ${t.id}`}>
                  {t.id}
                </a>
                {t.name ? <div className="muted small">{t.name}</div> : null}
              </th>
              <td>
                <SyncCell t={t} now={now} />
              </td>
              <td>{t.last_sync_ts !== undefined ? formatDateTime(t.last_sync_ts) : <span className="muted">never</span>}</td>
              <td>{t.pending ?? <span className="muted">—</span>}</td>
              <td>
                {t.sync_url ? (
                  <div>
                    sync <code>{t.sync_url}</code>
                  </div>
                ) : (
                  <span className="muted">no client_base_url</span>
                )}
                {t.attachment_url ? (
                  <div>
                    attachments <code>{t.attachment_url}</code>
                  </div>
                ) : null}
              </td>
              <td>{t.auth_method}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
