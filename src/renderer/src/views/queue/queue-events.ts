import { deferredReason, type MessagesFrame } from '../../../../shared/api/index.js';
import type { MessageEvent, MessageState, MessageSummary } from '../../api/types.js';

export interface QueueFilter {
  /** absent: every tenant's; '' the default tenant's (the classic application) */
  tenant_id?: string;
  state?: MessageState | '';
  /** true: outcomes the application acknowledged; false: the others; absent: both */
  reported?: boolean;
  account_id?: string;
  q?: string;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The summary row after one timeline event (null when the message is gone). */
export function applyEvent(row: MessageSummary, ev: MessageEvent): MessageSummary | null {
  if (ev.state === 'deleted' || ev.type === 'deleted') return null;
  const d = ev.detail ?? {};
  const next: MessageSummary = { ...row, state: ev.state, updated_ts: Math.max(row.updated_ts, ev.ts) };
  if (ev.account_id !== undefined && ev.account_id !== null) next.account_id = ev.account_id;
  switch (ev.type) {
    case 'attempt':
      next.attempts = row.attempts + 1;
      break;
    case 'sent':
      next.sent_ts = ev.ts;
      next.error = null;
      next.error_ts = null;
      if (typeof d.sandbox === 'boolean') next.sandbox = d.sandbox;
      break;
    case 'error':
      next.error_ts = ev.ts;
      next.error = str(d.error) ?? str(d.message) ?? str(d.response) ?? row.error ?? 'failed';
      break;
    case 'reported':
      next.reported_ts = ev.ts;
      break;
    case 'retry':
      // a new attempt, whose final outcome is reported again
      next.reported_ts = null;
      break;
    case 'queued':
    case 'replaced':
    case 'released':
      next.sent_ts = null;
      next.error_ts = null;
      next.error = null;
      next.reported_ts = null;
      break;
  }
  if (ev.state === 'deferred') {
    next.deferred_ts = num(d.until) ?? num(d.deferred_ts) ?? num(d.next_ts) ?? row.deferred_ts;
    const reason = deferredReason.safeParse(d.reason);
    if (reason.success) next.deferred_reason = reason.data;
    else if (ev.type === 'rate_limited') next.deferred_reason = 'rate_limited';
    else if (ev.type === 'retry') next.deferred_reason = 'retry';
    else if (ev.type === 'scheduled') next.deferred_reason = 'scheduled';
  } else if (ev.state === 'queued' || ev.state === 'sending') {
    next.deferred_ts = null;
    next.deferred_reason = null;
    if (ev.state === 'queued' && (ev.type === 'retry' || ev.type === 'lease_expired')) {
      next.error = null;
      next.error_ts = null;
    }
  }
  return next;
}

/** A queue row's key: two tenants may use the same message id. */
export function messageRowKey(m: { tenant_id: string; id: string }): string {
  return `${m.tenant_id}\u0000${m.id}`;
}

/** The key of the row a timeline event is about. */
export function eventRowKey(ev: Pick<MessageEvent, 'tenant_id' | 'message_id'>): string {
  return messageRowKey({ tenant_id: ev.tenant_id, id: ev.message_id });
}

/** Whether a row belongs in a list shown with `filter` (the search term is the server's business). */
export function matchesFilter(
  row: Pick<MessageSummary, 'state' | 'account_id' | 'tenant_id'> & { reported_ts?: number | null },
  filter: QueueFilter,
): boolean {
  if (filter.tenant_id !== undefined && row.tenant_id !== filter.tenant_id) return false;
  if (filter.state && row.state !== filter.state) return false;
  if (filter.reported !== undefined && (row.reported_ts != null) !== filter.reported) return false;
  if (filter.account_id && row.account_id !== filter.account_id) return false;
  return true;
}

/** Whether an event about a message we do not show could bring a new row into the filtered list. */
export function mayEnterList(ev: MessageEvent, filter: QueueFilter): boolean {
  if (ev.state === 'deleted') return false;
  if (filter.tenant_id !== undefined && ev.tenant_id !== filter.tenant_id) return false;
  if (filter.state && ev.state !== filter.state) return false;
  // only a report makes a message reported; any other event leaves it (or makes it) unreported
  if (filter.reported !== undefined && (ev.type === 'reported') !== filter.reported) return false;
  if (filter.account_id && ev.account_id !== filter.account_id) return false;
  return true;
}

/** The events of a `messages` frame; null for a burst announced only as a count (the list refetches). */
export function eventsFromPayload(frame: MessagesFrame): MessageEvent[] | null {
  return Array.isArray(frame) ? frame : null;
}
