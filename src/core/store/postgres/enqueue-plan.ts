import { decideEnqueue } from '../../messages/state-machine.js';
import type { MessageEvent, MessagePayload, MessageState } from '../../messages/types.js';
import { DEFAULT_TENANT, type EnqueueResult } from '../records.js';
import { enqueueColumns, enqueueEvent, type EnqueueColumns } from '../sql/enqueue-event.js';
import { noNul } from './params.js';

/** A stored message as enqueue decides on it. */
export type Existing = { state: MessageState; sent_ts: number | null };

/** The columns one accepted message writes (INSERT and REPLACE alike), as the bulk statements take them. */
export type EnqueueRow = EnqueueColumns;

/** What one batch writes: new rows in the order they first appear, rows replaced in place, the timeline, the answer. */
export interface EnqueuePlan {
  inserts: EnqueueRow[];
  replaces: EnqueueRow[];
  events: MessageEvent[];
  result: EnqueueResult;
}

export const enqueueKey = (tenantId: string, id: string): string => JSON.stringify([tenantId, id]);

/**
 * Decides a whole batch with decideEnqueue, message by message in order, as if each were written before
 * the next: an id seen earlier in the batch counts as stored in the state it was given. An id accepted
 * twice collapses to one row write holding its last payload (an insert keeps its first position).
 */
export function planEnqueue(batch: MessagePayload[], now: number, stored: ReadonlyMap<string, Existing>, sourceCapturedId: number | null): EnqueuePlan {
  const known = new Map(stored);
  const writes = new Map<string, { row: EnqueueRow; insert: boolean }>();
  const events: MessageEvent[] = [];
  const rejected: { id: string; reason: string }[] = [];
  for (const m of batch) {
    const tenantId = m.tenant_id ?? DEFAULT_TENANT;
    const key = enqueueKey(tenantId, m.id);
    const existing = known.get(key);
    const scheduled = m.deferred_ts !== undefined && m.deferred_ts > now;
    const decision = decideEnqueue(existing ? { state: existing.state, delivered: existing.sent_ts !== null } : null, scheduled);
    if (decision.kind === 'refuse') {
      rejected.push({ id: m.id, reason: decision.reason });
      continue;
    }
    const row: EnqueueRow = enqueueColumns(m, tenantId, decision.state, scheduled, noNul);
    writes.set(key, { row, insert: writes.get(key)?.insert ?? decision.kind === 'insert' });
    known.set(key, { state: decision.state, sent_ts: null });
    events.push(enqueueEvent(m, { tenantId, accountId: row.account_id, now }, decision, scheduled, sourceCapturedId));
  }
  const all = [...writes.values()];
  return {
    inserts: all.filter((w) => w.insert).map((w) => w.row),
    replaces: all.filter((w) => !w.insert).map((w) => w.row),
    events,
    result: { queued: events.length, rejected },
  };
}
