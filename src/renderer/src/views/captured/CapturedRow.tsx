import { memo } from 'react';
import type { CapturedListItem } from '../../api/types.js';
import { formatBytes, formatDateTime, formatTime, recipients } from '../../lib/format.js';

function PaperclipIcon() {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="11" height="11" aria-hidden="true">
      <path d="M10.5 4.5 5.7 9.3a1.3 1.3 0 0 0 1.9 1.9l5-5a2.6 2.6 0 0 0-3.7-3.7l-5 5a3.9 3.9 0 0 0 5.5 5.5l4.1-4.1" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
    </svg>
  );
}

export const CapturedRow = memo(function CapturedRow({ item: c, showTenant, active, selected, rowId, now, onOpen }: {
  item: CapturedListItem;
  /** the tenant of the queued message it came from, once the relay has tenants */
  showTenant: boolean;
  active: boolean;
  selected: boolean;
  rowId: string;
  now: number;
  onOpen: (id: number) => void;
}) {
  const cls = ['row', 'captured-row', c.read ? '' : 'unread', active ? 'active' : '', selected ? 'selected' : ''].join(' ');
  const to = recipients(c.to);
  return (
    <div id={rowId} role="option" aria-selected={selected} className={cls} onClick={() => onOpen(c.id)} data-id={c.id}>
      <span className="unread-dot" aria-label={c.read ? undefined : 'unread'} title={c.read ? undefined : 'unread'} />
      <div className="col-main">
        <div className="line1">
          <span className="from" title={c.from}>
            {c.from || '(no sender)'}
          </span>
          <time className="muted" title={formatDateTime(c.received_ts)}>
            {formatTime(c.received_ts, now)}
          </time>
        </div>
        <div className="line2" title={c.subject}>
          {c.subject || <em className="muted">(no subject)</em>}
          {c.preview ? <span className="muted preview"> — {c.preview}</span> : null}
        </div>
        <div className="line3 muted" title={to}>
          to {to}
          {c.mailbox ? <span className="tag">{c.mailbox}</span> : null}
          {c.attachments ? (
            <span className="tag" title={`${c.attachments} attachment${c.attachments > 1 ? 's' : ''}`}>
              <PaperclipIcon /> {c.attachments}
            </span>
          ) : null}
          {c.relay_message_id ? <span className="tag" title={`queued message ${c.relay_message_id}`}>relay</span> : null}
          {/* a live announcement does not carry the tenant: the tag appears once the row is refetched */}
          {showTenant && c.relay_message_id && typeof c.relay_tenant_id === 'string' ? (
            <span className="tenant-tag" title={c.relay_tenant_id ? `tenant ${c.relay_tenant_id}` : 'the default tenant (classic application)'}>
              {c.relay_tenant_id || 'default'}
            </span>
          ) : null}
          <span className="size">{formatBytes(c.size)}</span>
        </div>
      </div>
    </div>
  );
});
