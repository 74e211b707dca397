import type { DeferredReason, MessageState, MessageSummary, Priority, RecipientResult } from '../messages/types.js';
import type { LimitBehavior } from '../../shared/api/accounts.js';
import type { CapturedCounts, CapturedSummary } from '../../shared/api/captured.js';
import type { ClientAuth } from '../../shared/api/tenants.js';

/**
 * The records that cross the store's ports (./ports.ts): what callers hand to the store and get back.
 * Backends map their rows to these; nothing outside the store sees a row or a driver object.
 */

// ---- tenants -------------------------------------------------------------------------------------

/** The classic single application: every row of a relay without tenants belongs to it. */
export const DEFAULT_TENANT = '';

/** A message is the application's id within its tenant (two tenants may use the same id). */
export interface MessageKey {
  tenant_id: string;
  id: string;
}

export function messageKey(id: string, tenantId: string = DEFAULT_TENANT): MessageKey {
  return { tenant_id: tenantId, id };
}

/**
 * One string per account for maps keyed by account: the id itself in the default tenant, so a relay
 * without tenants keys as before; a tenant's account gets a NUL-led prefix no configured id starts with.
 */
export function accountKey(tenantId: string, accountId: string): string {
  return tenantId === DEFAULT_TENANT ? accountId : `\u0000${tenantId}\u0000${accountId}`;
}

export type { ClientAuth };

/** What a tenant's owner configures (POST /tenant, PUT /tenant/{id}). */
export interface TenantConfig {
  name: string | null;
  client_auth: ClientAuth | null;
  client_base_url: string | null;
  client_sync_path: string | null;
  client_attachment_path: string | null;
  rate_limits: Record<string, unknown> | null;
  large_file_config: Record<string, unknown> | null;
  active: boolean;
}

/** A tenant of genro-mail-proxy v0.6.10 (the default tenant has no row: its settings are config.ini's). */
export interface Tenant extends TenantConfig {
  id: string;
  /** batch codes held back from dispatch; ['*']: every message of the tenant */
  suspended_batches: string[];
  /** SHA-256 (hex) of the tenant's API key; the key itself is never stored */
  api_key_hash: string | null;
  /** epoch seconds after which the key is refused; null: never */
  api_key_expires_at: number | null;
  created_ts: number;
  updated_ts: number;
}

/** Messages a claim must leave in the queue: suspended tenants and batches (computed by the engine). */
export interface HeldWork {
  /** tenants whose every message waits (suspended with '*') */
  tenants: readonly string[];
  /** messages of these batches wait */
  batches: readonly { tenant_id: string; batch_code: string }[];
}

// ---- accounts ----------------------------------------------------------------------------------

export type { LimitBehavior };
/** An SMTP account (genro-mail-proxy AccountPayload plus the relay's routing fields), unique per tenant. */
export interface Account {
  tenant_id: string;
  id: string;
  host: string;
  port: number;
  user: string | null;
  /** decoded; never returned by the API */
  password: string | null;
  ttl: number;
  limit_per_minute: number | null;
  limit_per_hour: number | null;
  limit_per_day: number | null;
  limit_behavior: LimitBehavior;
  /** null: implicit TLS iff port 465; true: implicit TLS; false: plain/STARTTLS */
  use_tls: boolean | null;
  batch_size: number | null;
  /** SMTP timeout, seconds */
  timeout: number | null;
  max_connections: number | null;
  /** accounts tried in order on a temporary failure (failover) */
  fallbacks: string[] | null;
  /** share of traffic when an account lists weighted fallbacks */
  weight: number | null;
  /** AUTH may go without TLS to a remote host (off: TLS or STARTTLS required when credentials are set) */
  allow_insecure_auth: boolean;
  created_at: string;
  updated_ts: number;
}
/** allow_insecure_auth may be left out: off */
export type AccountInput = Omit<Account, 'created_at' | 'updated_ts' | 'allow_insecure_auth'> & { allow_insecure_auth?: boolean };

/** An account with genro-mail-proxy's defaults for every field not given. */
export function accountWithDefaults(
  a: Pick<AccountInput, 'id' | 'host' | 'port'> & Partial<AccountInput>,
): AccountInput & Pick<Account, 'allow_insecure_auth'> {
  return {
    tenant_id: DEFAULT_TENANT,
    user: null,
    password: null,
    ttl: 300,
    limit_per_minute: null,
    limit_per_hour: null,
    limit_per_day: null,
    limit_behavior: 'defer',
    use_tls: null,
    batch_size: null,
    timeout: null,
    max_connections: null,
    fallbacks: null,
    weight: null,
    allow_insecure_auth: false,
    ...a,
  };
}

// ---- messages ----------------------------------------------------------------------------------

export interface EnqueueResult {
  queued: number;
  rejected: { id: string; reason: string }[];
}
export interface ListMessagesQuery {
  /** only this tenant's messages ('' : the default tenant's); absent: every tenant's */
  tenant_id?: string;
  state?: MessageState;
  /** only messages whose outcome was (true) or was not yet (false) reported to the application */
  reported?: boolean;
  account_id?: string;
  /** substring of id, subject, from or to */
  q?: string;
  limit: number;
  /** opaque cursor returned by the previous page */
  cursor?: string;
}
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

// ---- dispatch ----------------------------------------------------------------------------------

/** A message taken from the queue for delivery: what the dispatcher needs, nothing more. */
export interface ClaimedMessage {
  /** the message's key in the store: outcomes and leases name it */
  seq: number;
  id: string;
  tenant_id: string;
  account_id: string | null;
  batch_code: string | null;
  priority: Priority;
  /** the payload as stored (JSON), parsed once by the dispatcher */
  payload: string;
  attempts: number;
  retry_count: number;
  first_attempt_ts: number | null;
  created_ts: number;
  source_captured_id: number | null;
}
export interface AttemptStart {
  seq: number;
  account_id: string | null;
  /** the number of this attempt (1 for the first) */
  attempt: number;
  detail: Record<string, unknown>;
}
/**
 * When the SMTP attempt an outcome ends had started (epoch seconds): the outcome's update counts the
 * attempt and sets the first attempt time. Omitted for decisions taken at claim time (no attempt).
 */
export interface AttemptCount {
  started_ts?: number | null;
}

export interface SentOutcome extends AttemptCount {
  seq: number;
  /** the message's tenant: its send log row is the tenant's account's */
  tenant_id: string;
  /** the message's own account */
  account_id: string | null;
  /** the account (of the same tenant) whose server accepted it (null for sandbox deliveries; no send_log row then) */
  via_account: string | null;
  sandbox: boolean;
  captured_id: number | null;
  smtp_message_id: string | null;
  recipients: RecipientResult[] | null;
  detail: Record<string, unknown>;
}
export interface ErrorOutcome extends AttemptCount {
  seq: number;
  account_id: string | null;
  error: string;
  recipients?: RecipientResult[] | null;
  detail: Record<string, unknown>;
}
export interface DeferOutcome extends AttemptCount {
  seq: number;
  account_id: string | null;
  until: number;
  reason: Exclude<DeferredReason, 'scheduled'>;
  /** the new retry count (retry backoff); omitted: unchanged */
  retry_count?: number;
  detail: Record<string, unknown>;
}
export type RetryResult =
  | { status: 'ok'; message: MessageSummary }
  | { status: 'not_found' }
  | { status: 'conflict'; state: MessageState };

/** How many more messages of each account a claim may take (the engine computes them before it asks). */
export interface ClaimCaps {
  /** per account, keyed by accountKey(tenant_id, id) */
  perAccount: ReadonlyMap<string, number>;
  /** messages without an account */
  noAccount: number;
  /** accounts not in `perAccount` */
  otherAccounts: number;
}

export interface ClaimRequest {
  now: number;
  /** lease expiry written on every claimed row */
  leaseUntil: number;
  /** at most this many rows */
  limit: number;
  /** omitted: no per-account limits, the head of the whole queue is taken */
  caps?: ClaimCaps;
  /** omitted: nothing is held */
  held?: HeldWork;
  /** the claiming relay's instance id, written beside the lease (PostgreSQL; omitted: none) */
  owner?: string;
}

// ---- captured mail -----------------------------------------------------------------------------

/** A captured message as lists show it (summary columns only, never the source): the API's own shape. */
export type { CapturedSummary };
/** How many captured messages there are, and how many unread (the API's own shape). */
export type { CapturedCounts };

/** What the sink extracted from one accepted message (everything but the raw source). */
export interface NewCaptured {
  received_ts: number;
  mail_from: string;
  rcpt_to: string[];
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  date_ts: number | null;
  size: number;
  attachments: number;
  mailbox: string | null;
  /** X-Tags values and plus-address tags (#18.4); left out: none */
  tags?: string[];
  message_id: string | null;
  preview: string;
  remote_address: string | null;
  helo: string | null;
  tls: boolean;
  /**
   * Bounded text extract, indexed for search with subject and addresses, not stored. Left out, the
   * message is stored unindexed (its commit writes no index pages) until completeIndex() indexes it.
   */
  search_text?: string;
}
/** What the background indexer learned from parsing a captured message in full. */
export interface CapturedIndexEntry {
  id: number;
  search_text: string;
  attachments: number;
  preview: string;
  /** the attachments' file names: stored for `filename:` and indexed with the text */
  filenames?: string[];
}
export type SearchField = 'any' | 'subject' | 'sender' | 'recipients' | 'body';
/** Mailpit's substring filters (LIKE %text%, case-insensitive) on stored columns; bcc: envelope recipients not in To/Cc. */
export type SearchColumn = 'cc' | 'bcc' | 'filename' | 'message_id';
/** A parsed search: every term must match (in its field), plus exact filters on summary columns. */
export interface CapturedSearch {
  /** negate: the message must not match (only indexed messages qualify) */
  terms: { field: SearchField; text: string; negate?: boolean }[];
  mailbox?: string;
  /** messages whose mailbox is none of these (`-mailbox:`) */
  not_mailboxes?: string[];
  /** came through the queue for this tenant (`tenant:`), or not for these (`-tenant:`) */
  tenant?: string;
  not_tenants?: string[];
  /** carry every one of these tags / none of these (`tag:`, `-tag:`; case-insensitive, whole tags) */
  tags?: string[];
  not_tags?: string[];
  read?: boolean;
  has_attachments?: boolean;
  contains?: { column: SearchColumn; text: string; negate?: boolean }[];
  /** received at or after / at or before (epoch seconds; Mailpit's after: and before:) */
  received_after?: number;
  received_before?: number;
  /** size in bytes strictly above / below (Mailpit's larger: and smaller:) */
  larger_than?: number;
  smaller_than?: number;
}
export interface ListCapturedQuery {
  search?: CapturedSearch;
  limit: number;
  cursor?: string;
}
export interface RetentionLimits {
  /** keep at most this many (newest) messages; <= 0: no count limit */
  keepCount: number;
  /** delete messages received before this epoch second; null: no age limit */
  receivedBefore: number | null;
  /** rows deleted per call, so ingest never waits long for the write lock */
  batch: number;
}

// ---- delivery reports and retention ------------------------------------------------------------

/** One item of a `delivery_report` POST (genro-mail-proxy wire format; `sandbox` only when true). */
export interface DeliveryReportItem {
  id: string;
  account_id: string | null;
  priority: Priority;
  sent_ts: number | null;
  error_ts: number | null;
  error: string | null;
  deferred_ts: number | null;
  sandbox?: true;
}
/** A final outcome read for reporting, with what identifies the exact outcome that was reported. */
export interface PendingReport {
  item: DeliveryReportItem;
  /** the tenant whose application gets the report */
  tenant_id: string;
  seq: number;
}
/** Result of one bounded step of the orphan-event sweep. */
export interface OrphanSweepStep {
  deleted: number;
  /** where the next step starts (events up to here have been examined and were all old enough) */
  nextSeq: number;
  /** nothing more to examine right now */
  done: boolean;
}

/** One mailbox of the captured mail and its counts. */
export interface MailboxCount {
  name: string;
  total: number;
  unread: number;
}

/** Captured mail grouped three ways (#18.4): by SMTP AUTH username, by queue tenant, by tag. */
export interface CapturedMailboxes {
  /** by SMTP AUTH username (null: sent without AUTH) */
  users: { mailbox: string | null; total: number; unread: number }[];
  tenants: MailboxCount[];
  tags: MailboxCount[];
}
