/**
 * Shapes of the relay's HTTP API as the UI reads them. The message model is the core's own contract
 * (type-only import: nothing of the core is bundled into the renderer).
 */
import type { AttachmentSpec, MessageEvent, MessageRecord, MessageState, MessageSummary, Priority } from '../../../core/messages/types.js';

export type { AttachmentSpec, MessageEvent, MessageRecord, MessageState, MessageSummary, Priority };

export const STATES: readonly MessageState[] = ['queued', 'deferred', 'sending', 'sent', 'error', 'reported'];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface MessageDetailResponse {
  message: MessageRecord;
  timeline: MessageEvent[];
}

export type DeliveryMode = 'sandbox' | 'real';

export interface ReportResult {
  ts: number;
  ok: boolean;
  sent?: number;
  status?: number;
  error?: string;
}

/** The report loop's state (GET /api/stats `report`). */
export interface ReportStatus {
  enabled: boolean;
  paused: boolean;
  url: string | null;
  state: 'disabled' | 'paused' | 'idle' | 'ok' | 'failing';
  syncing?: boolean;
  last: ReportResult | null;
  last_success_ts: number | null;
  failing_since: number | null;
  consecutive_failures?: number;
  last_error: string | null;
  next_attempt_ts: number | null;
  retention?: { ts: number; reported: number; unreported: number; send_log?: number; orphan_events?: number } | null;
  [key: string]: unknown;
}

export interface AccountStats {
  account_id: string | null;
  counts?: Partial<Record<MessageState, number>>;
  [key: string]: unknown;
}

export interface Stats {
  counts: Record<MessageState, number>;
  accounts?: AccountStats[];
  captured?: { total?: number; unread?: number; [key: string]: unknown };
  report?: ReportStatus | ReportResult | null;
  in_flight?: number;
  delivery_mode?: DeliveryMode;
  paused?: boolean;
  [key: string]: unknown;
}

export interface Settings {
  delivery_mode: DeliveryMode;
  paused: boolean;
  client_sync_url: string | null;
  client_sync_user: string | null;
  client_sync_password_set: boolean;
  client_sync_token_set: boolean;
  report_interval_seconds: number;
  retention_seconds: number;
  sink_retention_count: number;
  sink_retention_age_seconds: number;
  smtp?: { host: string; port: number };
  api?: { url: string };
  [key: string]: unknown;
}

export interface SettingsPatch {
  delivery_mode?: DeliveryMode;
  paused?: boolean;
  client_sync_url?: string | null;
  client_sync_user?: string | null;
  client_sync_password?: string | null;
  client_sync_token?: string | null;
  report_interval_seconds?: number;
  retention_seconds?: number;
  sink_retention_count?: number;
  sink_retention_age_seconds?: number;
}

export type RateWindowName = 'minute' | 'hour' | 'day';

export interface RateWindow {
  window: RateWindowName | string;
  used: number;
  limit: number | null;
  next_free_ts: number | null;
}

export type LimitBehavior = 'defer' | 'error';

export interface Account {
  id: string;
  host: string;
  port: number;
  user?: string | null;
  use_tls?: boolean | null;
  limit_per_minute?: number | null;
  limit_per_hour?: number | null;
  limit_per_day?: number | null;
  limit_behavior?: LimitBehavior;
  batch_size?: number | null;
  timeout?: number | null;
  max_connections?: number | null;
  fallbacks?: string[] | null;
  weight?: number | null;
  ttl?: number | null;
  created_at?: string;
  rate?: RateWindow[];
  in_flight?: number;
  password_set?: boolean;
  /** held back after a connection failure until then */
  backoff_until?: number | null;
  backoff_error?: string | null;
  [key: string]: unknown;
}

/** POST /account (genro-mail-proxy upsert). */
export interface AccountInput {
  id: string;
  host: string;
  port: number;
  user: string | null;
  password: string | null;
  use_tls: boolean | null;
  limit_per_minute: number | null;
  limit_per_hour: number | null;
  limit_per_day: number | null;
  limit_behavior: LimitBehavior;
  batch_size: number | null;
  fallbacks: string[] | null;
  weight: number | null;
  /** kept as they were when an account is edited (not in the form) */
  ttl?: number | null;
  timeout?: number | null;
  max_connections?: number | null;
}

export interface VerifyResult {
  ok: boolean;
  stage: string;
  message: string;
  code?: number;
}

export interface CapturedSummary {
  id: number;
  received_ts: number;
  from: string;
  to: string[] | string;
  subject: string;
  size: number;
  attachments: number;
  mailbox: string | null;
  read: boolean;
  relay_message_id: string | null;
  /** the start of the text, for lists */
  preview?: string;
  cc?: string[];
  /** SMTP envelope */
  mail_from?: string;
  rcpt_to?: string[];
  date_ts?: number | null;
  message_id?: string | null;
  remote_address?: string | null;
  helo?: string | null;
  tls?: boolean;
}

export interface CapturedAttachment {
  index: number;
  filename: string | null;
  content_type: string;
  size: number;
  cid: string | null;
  /** an image the HTML shows in place (cid:) rather than a file attached to the message */
  inline?: boolean;
}

export type HeaderList = { key: string; value: string }[];

export interface CapturedDetail extends Partial<Omit<CapturedSummary, 'attachments'>> {
  id: number;
  headers: HeaderList | Record<string, string | string[]>;
  text: string | null;
  html: string | null;
  attachments: CapturedAttachment[];
  /** set when the source could not be parsed as MIME */
  parse_error?: string;
  [key: string]: unknown;
}

export interface ReleaseResult {
  message_id?: string;
  id?: string;
  [key: string]: unknown;
}
