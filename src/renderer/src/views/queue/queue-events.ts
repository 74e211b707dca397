import type { MessageEvent, MessageState, MessageSummary } from '../../api/types.js';

export interface QueueFilter {
  state?: MessageState | '';
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
    const reason = str(d.reason);
    if (reason) next.deferred_reason = reason as MessageSummary['deferred_reason'];
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

/** Whether a row belongs in a list shown with `filter` (the search term is the server's business). */
export function matchesFilter(row: Pick<MessageSummary, 'state' | 'account_id'>, filter: QueueFilter): boolean {
  if (filter.state && row.state !== filter.state) return false;
  if (filter.account_id && row.account_id !== filter.account_id) return false;
  return true;
}

/** Whether an event about a message we do not show could bring a new row into the filtered list. */
export function mayEnterList(ev: MessageEvent, filter: QueueFilter): boolean {
  if (ev.state === 'deleted') return false;
  if (filter.state && ev.state !== filter.state) return false;
  if (filter.account_id && ev.account_id !== filter.account_id) return false;
  return true;
}

/** Accepts the `messages` SSE payload: an array of events, one event, or a coalesced summary (null). */
export function eventsFromPayload(data: unknown): MessageEvent[] | null {
  const isEvent = (x: unknown): x is MessageEvent =>
    !!x && typeof x === 'object' && typeof (x as MessageEvent).message_id === 'string' && typeof (x as MessageEvent).state === 'string';
  if (Array.isArray(data)) return data.every(isEvent) ? data : null;
  if (isEvent(data)) return [data];
  if (data && typeof data === 'object' && Array.isArray((data as { events?: unknown }).events)) {
    return eventsFromPayload((data as { events: unknown }).events);
  }
  return null;
}
