import { TRANSITIONS } from '../../messages/state-machine.js';
import type { MessageEvent } from '../../messages/types.js';
import type { AttemptStart, DeferOutcome, ErrorOutcome, SentOutcome } from '../records.js';
import { targetState } from './transitions.js';

/** The message a statement changed, as both backends read it back. */
export interface ChangedMessage {
  id: string;
  tenant_id: string;
}

/** The timeline row of each dispatch outcome, the same in both backends. */
export function attemptEvent(m: ChangedMessage, it: AttemptStart, now: number): MessageEvent {
  return { message_id: m.id, tenant_id: m.tenant_id, account_id: it.account_id, ts: now, type: 'attempt', state: targetState('claim'), detail: { attempt: it.attempt, ...it.detail } };
}

export function sentEvent(m: ChangedMessage, it: SentOutcome, now: number): MessageEvent {
  const detail = {
    ...it.detail,
    sandbox: it.sandbox,
    ...(it.captured_id !== null ? { captured_id: it.captured_id } : {}),
    ...(it.smtp_message_id ? { smtp_message_id: it.smtp_message_id } : {}),
  };
  return { message_id: m.id, tenant_id: m.tenant_id, account_id: it.account_id, ts: now, type: TRANSITIONS.sent.events[0], state: targetState('sent'), detail };
}

export function errorEvent(m: ChangedMessage, it: ErrorOutcome, now: number): MessageEvent {
  return { message_id: m.id, tenant_id: m.tenant_id, account_id: it.account_id, ts: now, type: TRANSITIONS.fail.events[0], state: targetState('fail'), detail: { error: it.error, ...it.detail } };
}

export function deferEvent(m: ChangedMessage, it: DeferOutcome, now: number): MessageEvent {
  const detail = { reason: it.reason, deferred_ts: it.until, ...(it.retry_count !== undefined ? { retry_count: it.retry_count } : {}), ...it.detail };
  return { message_id: m.id, tenant_id: m.tenant_id, account_id: it.account_id, ts: now, type: it.reason === 'rate_limited' ? 'rate_limited' : 'deferred', state: targetState('defer'), detail };
}
