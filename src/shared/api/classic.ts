import { z } from 'zod';
import { limitBehavior } from './accounts.js';
import { hasControlChars } from './common.js';
import { classicErrorDetail } from './errors.js';
import { messagePayload } from './messages.js';
import { classicMessageState, priority, PRIORITY_LABELS } from './states.js';

/**
 * The classic genro-mail-proxy wire protocol: request bodies (MessagePayload, AccountPayload) with
 * the original's coercions and messages, and the answers of /health, /status, /commands/*, /account(s)
 * and /messages. genro-mail-proxy leaves null fields out of its answers (response_model_exclude_none).
 */

// ---- requests ------------------------------------------------------------------------------------

const addressList = z.union([z.string(), z.array(z.string().nullable())]);
const optionalAddressList = addressList.nullish();
const INTEGER = /^-?\d+$/;
const intLike = z.union([z.number().int(), z.string().regex(INTEGER, 'Input should be a valid integer').transform(Number)]);

const isPriorityText = (s: string) => INTEGER.test(s) || Object.hasOwn(PRIORITY_LABELS, s.toLowerCase());

/** An integer, or a label or integer as a string; one rule for strings so a refusal says what was expected. */
export const priorityInput = z.union([
  z.number().int(),
  z
    .string()
    .refine(isPriorityText, { message: "Input should be 'immediate', 'high', 'medium', 'low' or an integer" })
    .transform((s) => (INTEGER.test(s) ? Number(s) : s.toLowerCase())),
]);

export const attachmentInput = z.object({
  filename: z.string().nullish(),
  content: z.string().nullish(),
  url: z.string().nullish(),
  s3: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).nullish(),
  /** genro-mail-proxy endpoint attachments: the application's reference, fetched from it at send time */
  storage_path: z.string().nullish(),
  fetch_mode: z.string().nullish(),
  content_md5: z.string().nullish(),
  content_type: z.string().nullish(),
  mime_type: z.string().nullish(),
  cid: z.string().nullish(),
});

/** A header value: text, or a number or boolean (sent as its text); objects and lists are refused. */
export const headerValueInput = z.union([z.string(), z.number(), z.boolean()]).nullable();

export const messageInput = z.object({
  id: z.string(),
  /** the sending tenant (genro-mail-proxy v0.6.10); absent or empty: the call's */
  tenant_id: z.string().max(200).nullish(),
  account_id: z.string().nullish(),
  from: z.string(),
  to: addressList,
  cc: optionalAddressList,
  bcc: optionalAddressList,
  reply_to: z.string().nullish(),
  return_path: z.string().nullish(),
  subject: z.string(),
  body: z.string(),
  content_type: z.string().nullish(),
  headers: z.record(z.string(), headerValueInput).nullish(),
  message_id: z.string().nullish(),
  attachments: z.array(attachmentInput).nullish(),
  priority: priorityInput.nullish(),
  deferred_ts: intLike.nullish(),
  /** the application's batch (campaign), for suspend/activate */
  batch_code: z.string().max(64).nullish(),
});
export type MessageInput = z.infer<typeof messageInput>;

/** The body of add-messages as documented: at most 1,000 messages, each a MessagePayload. */
export const addMessagesInput = z.object({
  messages: z.array(messageInput),
  default_priority: priorityInput.nullish(),
});

/** The body as parsed: the envelope only; each message is parsed on its own, a bad one rejected alone. */
export const addMessagesEnvelope = z.object({
  messages: z.array(z.unknown()),
  default_priority: priorityInput.nullish(),
});
export type AddMessagesEnvelope = z.infer<typeof addMessagesEnvelope>;

export const deleteMessagesInput = z.object({
  ids: z.array(z.string().nullable()).default([]),
});

export const cleanupMessagesInput = z
  .object({ older_than_seconds: intLike.nullish() })
  .nullish()
  .transform((v) => v ?? {});

const optionalPositiveInt = intLike.nullish();

export const accountInput = z.object({
  id: z
    .string()
    .min(1, 'must not be empty')
    .max(200)
    .refine((s) => !hasControlChars(s), 'must not contain control characters'),
  /** Genropy's account name: accepted, not kept (as genro-mail-proxy v0.6.10) */
  name: z.string().nullish(),
  host: z.string().min(1, 'must not be empty').max(255).regex(/^[^\s\r\n]+$/, 'must be a host name without spaces'),
  port: intLike.pipe(z.number().int().min(1).max(65535)),
  user: z.string().nullish(),
  password: z.string().nullish(),
  ttl: optionalPositiveInt,
  limit_per_minute: optionalPositiveInt,
  limit_per_hour: optionalPositiveInt,
  limit_per_day: optionalPositiveInt,
  limit_behavior: z
    .enum(['defer', 'error', 'reject'], { message: "Input should be 'defer' or 'error'" })
    .nullish(),
  use_tls: z.boolean().nullish(),
  batch_size: optionalPositiveInt,
  timeout: optionalPositiveInt,
  max_connections: optionalPositiveInt,
  fallbacks: z.array(z.string().min(1)).nullish(),
  weight: optionalPositiveInt,
  tenant_id: z.string().nullish(),
  /** AUTH may go without TLS to a remote host (default off: TLS or STARTTLS is required when credentials are set) */
  allow_insecure_auth: z.boolean().nullish(),
});
export type AccountInputBody = z.infer<typeof accountInput>;

/** GET /messages?active_only=1: only messages still waiting (1, true, yes, on); ?tenant_id= the tenant's. */
export const classicMessagesQuery = z.object({ active_only: z.string().optional(), tenant_id: z.string().max(200).optional() });

// ---- answers -------------------------------------------------------------------------------------

const int = z.number().int();

export const healthAnswer = z.object({ status: z.literal('ok') }).strict().meta({ id: 'Health' });
export type HealthAnswer = z.infer<typeof healthAnswer>;

/** /status, /commands/suspend, /commands/activate: whether dispatch runs. */
export const activeAnswer = z.object({ ok: z.literal(true), active: z.boolean() }).strict().meta({ id: 'ActiveAnswer' });
export type ActiveAnswer = z.infer<typeof activeAnswer>;

/** a refused message; one without an id is named by its reason only */
const rejectedMessage = z.object({ id: z.string().min(1).optional(), reason: z.string() }).strict();

export const addMessagesAnswer = z
  .object({
    ok: z.literal(true),
    queued: int,
    rejected: z.array(rejectedMessage),
  })
  .strict()
  .meta({ id: 'AddMessagesAnswer' });
export type AddMessagesAnswer = z.infer<typeof addMessagesAnswer>;

/**
 * 400 when every message was rejected: the top-level fields Genropy reads at any status, and the
 * classic `detail` for the clients that read that.
 */
export const addMessagesRefusal = z
  .object({
    ok: z.literal(false),
    queued: z.literal(0),
    rejected: z.array(rejectedMessage),
    detail: classicErrorDetail,
  })
  .strict()
  .meta({ id: 'AddMessagesRefusal' });
export type AddMessagesRefusal = z.infer<typeof addMessagesRefusal>;

export const deleteMessagesAnswer = z
  .object({ ok: z.literal(true), removed: int, not_found: z.array(z.string()) })
  .strict()
  .meta({ id: 'DeleteMessagesAnswer' });
export type DeleteMessagesAnswer = z.infer<typeof deleteMessagesAnswer>;

export const cleanupMessagesAnswer = z.object({ ok: z.literal(true), removed: int }).strict().meta({ id: 'CleanupMessagesAnswer' });
export type CleanupMessagesAnswer = z.infer<typeof cleanupMessagesAnswer>;

/** AccountInfo: every field of the account but the password, null fields left out. */
export const classicAccountInfo = z
  .object({
    id: z.string(),
    /** absent for the default tenant */
    tenant_id: z.string().optional(),
    host: z.string(),
    port: int,
    user: z.string().optional(),
    ttl: int,
    limit_per_minute: int.optional(),
    limit_per_hour: int.optional(),
    limit_per_day: int.optional(),
    limit_behavior: limitBehavior,
    use_tls: z.boolean().optional(),
    batch_size: int.optional(),
    timeout: int.optional(),
    max_connections: int.optional(),
    fallbacks: z.array(z.string()).optional(),
    weight: z.number().optional(),
    created_at: z.string(),
  })
  .strict()
  .meta({ id: 'AccountInfo' });
export type ClassicAccountInfo = z.infer<typeof classicAccountInfo>;

export const classicAccountsAnswer = z
  .object({ ok: z.literal(true), accounts: z.array(classicAccountInfo) })
  .strict()
  .meta({ id: 'AccountsAnswer' });
export type ClassicAccountsAnswer = z.infer<typeof classicAccountsAnswer>;

/** MessageRecord of GET /messages: the stored payload under `message` (with retry_count once retried). */
export const classicMessageRecord = z
  .object({
    id: z.string(),
    /** absent for the default tenant */
    tenant_id: z.string().optional(),
    account_id: z.string().optional(),
    priority,
    batch_code: z.string().optional(),
    message: messagePayload.extend({ retry_count: int.optional() }).strict(),
    /** only while deferred */
    deferred_ts: int.optional(),
    sent_ts: int.optional(),
    error_ts: int.optional(),
    error: z.string().optional(),
    reported_ts: int.optional(),
    /** "YYYY-MM-DD HH:MM:SS" (UTC) */
    created_at: z.string(),
    updated_at: z.string(),
    state: classicMessageState,
  })
  .strict()
  .meta({ id: 'MessageRecord' });
export type ClassicMessageRecord = z.infer<typeof classicMessageRecord>;

export const classicMessagesAnswer = z
  .object({ ok: z.literal(true), messages: z.array(classicMessageRecord) })
  .strict()
  .meta({ id: 'MessagesAnswer' });
export type ClassicMessagesAnswer = z.infer<typeof classicMessagesAnswer>;
