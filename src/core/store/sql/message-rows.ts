import type {
  DeferredReason,
  MessageEvent,
  MessagePayload,
  MessageRecord,
  MessageState,
  MessageSummary,
  Priority,
  RecipientResult,
} from '../../messages/types.js';

/** Column list for summaries: never reads the payload. */
export const SUMMARY_COLUMNS = `id, tenant_id, account_id, priority, state, subject, from_addr, to_addrs, created_ts, updated_ts,
  deferred_ts, deferred_reason, sent_ts, error_ts, error, reported_ts, attempts, retry_count, sandbox, batch_code`;

export interface SummaryRow {
  id: string;
  tenant_id: string;
  account_id: string | null;
  priority: number;
  state: MessageState;
  subject: string;
  from_addr: string;
  to_addrs: string;
  created_ts: number;
  updated_ts: number;
  deferred_ts: number | null;
  deferred_reason: string | null;
  sent_ts: number | null;
  error_ts: number | null;
  error: string | null;
  reported_ts: number | null;
  attempts: number;
  retry_count: number;
  sandbox: number;
  batch_code: string | null;
}

export interface FullRow extends SummaryRow {
  seq: number;
  payload: string;
  lease_until: number | null;
  first_attempt_ts: number | null;
  smtp_message_id: string | null;
  captured_id: number | null;
  source_captured_id: number | null;
  recipients: string | null;
}

export function rowToSummary(r: SummaryRow): MessageSummary {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    account_id: r.account_id,
    priority: r.priority as Priority,
    state: r.state,
    subject: r.subject,
    from: r.from_addr,
    to: r.to_addrs,
    created_ts: r.created_ts,
    updated_ts: r.updated_ts,
    deferred_ts: r.deferred_ts,
    deferred_reason: r.deferred_reason as DeferredReason | null,
    sent_ts: r.sent_ts,
    error_ts: r.error_ts,
    error: r.error,
    reported_ts: r.reported_ts,
    attempts: r.attempts,
    retry_count: r.retry_count,
    sandbox: r.sandbox === 1,
    batch_code: r.batch_code,
  };
}

export function rowToRecord(r: FullRow): MessageRecord {
  return {
    ...rowToSummary(r),
    seq: r.seq,
    payload: JSON.parse(r.payload) as MessagePayload,
    lease_until: r.lease_until,
    first_attempt_ts: r.first_attempt_ts,
    smtp_message_id: r.smtp_message_id,
    captured_id: r.captured_id,
    source_captured_id: r.source_captured_id,
    recipients: r.recipients ? (JSON.parse(r.recipients) as RecipientResult[]) : null,
  };
}

export interface EventRow {
  seq: number;
  message_id: string;
  tenant_id: string;
  ts: number;
  type: string;
  state: string;
  detail: string | null;
}

export function rowToEvent(r: EventRow, accountId: string | null): MessageEvent {
  return {
    seq: r.seq,
    message_id: r.message_id,
    tenant_id: r.tenant_id,
    account_id: accountId,
    ts: r.ts,
    type: r.type,
    state: r.state as MessageEvent['state'],
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : undefined,
  };
}
