import { memo } from 'react';
import type { MessageSummary } from '../../api/types.js';
import { StateBadge } from '../../components/StateBadge.js';
import { formatDateTime, formatRelative, formatTime, priorityName } from '../../lib/format.js';

const DEFERRAL: Record<string, string> = { scheduled: 'scheduled', rate_limited: 'rate limit', retry: 'retry', account_backoff: 'backoff' };

/** The time that matters for the row's state: when it was sent, failed, or will be tried again. */
function whenLabel(m: MessageSummary, now: number): string {
  if (m.state === 'deferred' && m.deferred_ts) return `${DEFERRAL[m.deferred_reason ?? ''] ?? 'next'} ${formatRelative(m.deferred_ts, now)}`;
  if (m.state === 'sending') return `sending since ${formatTime(m.updated_ts, now)}`;
  if (m.state === 'sent' && m.sent_ts) return `sent ${formatTime(m.sent_ts, now)}`;
  if (m.state === 'error' && m.error_ts) return `failed ${formatTime(m.error_ts, now)}`;
  return `queued ${formatTime(m.created_ts, now)}`;
}

export const QueueRow = memo(function QueueRow({
  message: m,
  showTenant,
  active,
  selected,
  now,
  rowId,
  onOpen,
}: {
  message: MessageSummary;
  /** the tenant column, shown once the relay has tenants */
  showTenant: boolean;
  active: boolean;
  selected: boolean;
  now: number;
  rowId: string;
  onOpen: (id: string, tenantId: string) => void;
}) {
  const cls = ['row', 'queue-row', active ? 'active' : '', selected ? 'selected' : ''].join(' ');
  return (
    <div id={rowId} role="option" aria-selected={selected} className={cls} onClick={() => onOpen(m.id, m.tenant_id)} data-id={m.id} data-tenant={m.tenant_id}>
      <div className="col-state">
        <StateBadge state={m.state} sandbox={m.sandbox} reportedTs={m.reported_ts} />
      </div>
      {showTenant ? (
        <div className="col-tenant" title={m.tenant_id ? `tenant ${m.tenant_id}` : 'the default tenant (classic application)'}>
          {m.tenant_id ? <span className="tenant-tag">{m.tenant_id}</span> : <span className="muted">default</span>}
        </div>
      ) : null}
      <div className="col-main">
        <div className="line1" title={m.subject}>
          {m.subject || <em className="muted">(no subject)</em>}
        </div>
        <div className="line2 muted" title={`${m.from} → ${m.to}`}>
          {m.from} → {m.to}
          {m.state === 'error' && m.error ? <span className="row-error"> · {m.error}</span> : null}
        </div>
      </div>
      <div className="col-account" title="account">{m.account_id ?? '—'}</div>
      <div className={`col-priority prio-${m.priority}`}>{priorityName(m.priority)}</div>
      <div className="col-attempts" title="delivery attempts">{m.attempts || ''}</div>
      <div className="col-when" title={`created ${formatDateTime(m.created_ts)} · updated ${formatDateTime(m.updated_ts)}`}>
        {whenLabel(m, now)}
      </div>
    </div>
  );
});
