/** The message model shared by the queue, delivery, reporting and the API. All timestamps are epoch seconds. */

export const PRIORITY_LABELS = { immediate: 0, high: 1, medium: 2, low: 3 } as const;
export type PriorityLabel = keyof typeof PRIORITY_LABELS;
export type Priority = 0 | 1 | 2 | 3;

export const MESSAGE_STATES = ['queued', 'deferred', 'sending', 'sent', 'error', 'reported'] as const;
export type MessageState = (typeof MESSAGE_STATES)[number];
/** States that still wait for delivery. */
export const PENDING_STATES: readonly MessageState[] = ['queued', 'deferred', 'sending'];
/** Final states, reported to the application. */
export const FINAL_STATES: readonly MessageState[] = ['sent', 'error'];

export type DeferredReason = 'scheduled' | 'rate_limited' | 'retry' | 'account_backoff';

export interface AttachmentSpec {
  filename?: string;
  /** base64 */
  content?: string;
  url?: string;
  s3?: { bucket: string; key: string };
  content_type?: string;
  /** Content-ID for inline images referenced as cid: in HTML */
  cid?: string;
}

/** A message as the application handed it to us, normalised (genro-mail-proxy MessagePayload). */
export interface MessagePayload {
  id: string;
  account_id?: string;
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  reply_to?: string;
  return_path?: string;
  subject: string;
  body: string;
  /** 'html' or 'plain' */
  content_type: string;
  /** ProtoPost-style sends may carry both bodies: body is html, body_text the alternative. */
  body_text?: string;
  headers?: Record<string, string>;
  message_id?: string;
  attachments?: AttachmentSpec[];
  priority: Priority;
  deferred_ts?: number;
}

/** Summary row used by lists: never the payload. */
export interface MessageSummary {
  id: string;
  account_id: string | null;
  priority: Priority;
  state: MessageState;
  subject: string;
  from: string;
  to: string;
  created_ts: number;
  updated_ts: number;
  deferred_ts: number | null;
  deferred_reason: DeferredReason | null;
  sent_ts: number | null;
  error_ts: number | null;
  error: string | null;
  reported_ts: number | null;
  attempts: number;
  retry_count: number;
  sandbox: boolean;
}

export interface RecipientResult {
  address: string;
  accepted: boolean;
  code?: number;
  response?: string;
}

/** A full message: summary plus payload and delivery details. */
export interface MessageRecord extends MessageSummary {
  payload: MessagePayload;
  lease_until: number | null;
  first_attempt_ts: number | null;
  smtp_message_id: string | null;
  captured_id: number | null;
  source_captured_id: number | null;
  recipients: RecipientResult[] | null;
}

/** One row of a message's timeline. */
export interface MessageEvent {
  seq?: number;
  message_id: string;
  account_id: string | null;
  ts: number;
  /** what happened: queued, replaced, scheduled, deferred, attempt, sent, error, retry, rate_limited, reported, released, deleted, captured, lease_expired */
  type: string;
  /** the message's state after the event */
  state: MessageState | 'deleted';
  detail?: Record<string, unknown>;
}
