import { TRANSITIONS } from '../../messages/state-machine.js';
import type { MessageEvent, MessagePayload, MessageState } from '../../messages/types.js';

/** The queue columns of one accepted message, the same on both backends. */
export interface EnqueueColumns {
  tenant_id: string;
  id: string;
  account_id: string | null;
  batch_code: string | null;
  priority: number;
  state: MessageState;
  payload: string;
  subject: string;
  from_addr: string;
  to_addrs: string;
  deferred_ts: number | null;
  deferred_reason: string | null;
}

/** `text` cleans the clipped text columns (PostgreSQL refuses a NUL in text; SQLite keeps it). */
export function enqueueColumns(m: MessagePayload, tenantId: string, state: MessageState, scheduled: boolean, text: (s: string) => string = (s) => s): EnqueueColumns {
  return {
    tenant_id: tenantId,
    id: m.id,
    account_id: m.account_id ?? null,
    batch_code: m.batch_code ?? null,
    priority: m.priority,
    state,
    payload: JSON.stringify(m),
    subject: text(m.subject.slice(0, 500)),
    from_addr: text(m.from.slice(0, 500)),
    to_addrs: text(m.to.join(', ').slice(0, 1000)),
    deferred_ts: scheduled ? m.deferred_ts! : null,
    deferred_reason: scheduled ? 'scheduled' : null,
  };
}

/** The timeline row of one accepted message (`queued` or `replaced`), the same on both backends. */
export function enqueueEvent(
  m: MessagePayload,
  at: { tenantId: string; accountId: string | null; now: number },
  decision: { kind: 'insert' | 'replace'; state: MessageState },
  scheduled: boolean,
  sourceCapturedId: number | null,
): MessageEvent {
  return {
    message_id: m.id,
    tenant_id: at.tenantId,
    account_id: at.accountId,
    ts: at.now,
    type: TRANSITIONS[decision.kind === 'insert' ? 'enqueue' : 'replace'].events[0],
    state: decision.state,
    detail: {
      priority: m.priority,
      ...(scheduled ? { deferred_ts: m.deferred_ts, reason: 'scheduled' } : {}),
      ...(sourceCapturedId !== null ? { source_captured_id: sourceCapturedId } : {}),
    },
  };
}
