import { TRANSITIONS } from '../../messages/state-machine.js';
import type { MessageEvent, MessagePayload, MessageState } from '../../messages/types.js';

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
