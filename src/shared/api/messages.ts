import { z } from 'zod';
import { orNull } from './common.js';
import { deferredReason, messageState, priority, reportedFlag, timelineState } from './states.js';

/** The message model as the API shows it, and the relay's /api/messages routes. Timestamps: epoch seconds. */

const ts = z.number().int();
const tsOrNull = ts.nullable();

export const s3Location = z.object({ bucket: z.string().min(1), key: z.string().min(1) }).strict();

/** An attachment as stored with the message: one of content (base64), url, s3 or storage_path (fetched from the application). */
export const attachmentSpec = z
  .object({
    filename: z.string().optional(),
    /** base64 */
    content: z.string().optional(),
    url: z.string().optional(),
    s3: s3Location.optional(),
    /** genro-mail-proxy endpoint attachments: a reference the application resolves ("<volume>:<path>") */
    storage_path: z.string().optional(),
    /** how storage_path is fetched ("endpoint") */
    fetch_mode: z.string().optional(),
    /** MD5 (hex) of the content, computed by the application */
    content_md5: z.string().optional(),
    content_type: z.string().optional(),
    /** Content-ID for inline images referenced as cid: in HTML */
    cid: z.string().optional(),
  })
  .strict()
  .meta({ id: 'AttachmentSpec' });
export type AttachmentSpec = z.infer<typeof attachmentSpec>;

/** A message as the application handed it over, normalised (genro-mail-proxy MessagePayload). */
export const messagePayload = z
  .object({
    id: z.string(),
    /** the tenant that sent it; absent for the default tenant (the classic single application) */
    tenant_id: z.string().optional(),
    account_id: z.string().optional(),
    from: z.string(),
    to: z.array(z.string()),
    cc: z.array(z.string()).optional(),
    bcc: z.array(z.string()).optional(),
    reply_to: z.string().optional(),
    return_path: z.string().optional(),
    subject: z.string(),
    body: z.string(),
    /** 'html' or 'plain' */
    content_type: z.string(),
    /** ProtoPost-style sends may carry both bodies: body is html, body_text the alternative. */
    body_text: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    message_id: z.string().optional(),
    attachments: z.array(attachmentSpec).optional(),
    priority,
    deferred_ts: ts.optional(),
    /** the application's batch (campaign): suspend and activate act on it */
    batch_code: z.string().optional(),
  })
  .strict()
  .meta({ id: 'MessagePayload' });
export type MessagePayload = z.infer<typeof messagePayload>;

/** A list row: never the payload. */
export const messageSummary = z
  .object({
    id: z.string(),
    /** '' for the default tenant (the classic single application) */
    tenant_id: z.string(),
    account_id: z.string().nullable(),
    priority,
    state: messageState,
    subject: z.string(),
    from: z.string(),
    /** the recipients, comma-separated */
    to: z.string(),
    created_ts: ts,
    updated_ts: ts,
    deferred_ts: tsOrNull,
    deferred_reason: orNull(deferredReason),
    sent_ts: tsOrNull,
    error_ts: tsOrNull,
    error: z.string().nullable(),
    reported_ts: tsOrNull,
    attempts: z.number().int(),
    retry_count: z.number().int(),
    sandbox: z.boolean(),
    batch_code: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'MessageSummary' });
export type MessageSummary = z.infer<typeof messageSummary>;

/** What one recipient's server said. */
export const recipientResult = z
  .object({ address: z.string(), accepted: z.boolean(), code: z.number().int().optional(), response: z.string().optional() })
  .strict()
  .meta({ id: 'RecipientResult' });
export type RecipientResult = z.infer<typeof recipientResult>;

const deliveryDetails = {
  lease_until: tsOrNull,
  first_attempt_ts: tsOrNull,
  smtp_message_id: z.string().nullable(),
  captured_id: z.number().int().nullable(),
  source_captured_id: z.number().int().nullable(),
  recipients: z.array(recipientResult).nullable(),
};

/** A full message: summary plus payload and delivery details (the store's record; `seq` is its key in the store). */
export const messageRecord = messageSummary.extend({ seq: z.number().int(), payload: messagePayload, ...deliveryDetails }).strict();
export type MessageRecord = z.infer<typeof messageRecord>;

/** One row of a message's timeline (GET /api/messages/{id}, the `messages` frame). */
export const messageEvent = z
  .object({
    /** absent on an announcement that keeps no row (the deletion of the message) */
    seq: z.number().int().optional(),
    message_id: z.string(),
    /** '' for the default tenant */
    tenant_id: z.string(),
    account_id: z.string().nullable(),
    ts,
    /** queued, replaced, scheduled, deferred, attempt, sent, error, retry, rate_limited, reported, released, deleted, captured, lease_expired */
    type: z.string(),
    state: timelineState,
    detail: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .meta({ id: 'MessageEvent' });
export type MessageEvent = z.infer<typeof messageEvent>;

// ---- GET /api/messages ---------------------------------------------------------------------------

export const listMessagesQuery = z.object({
  /** '' selects the default tenant's messages; absent: every tenant's */
  tenant_id: z.string().max(200).optional(),
  state: messageState.optional(),
  /** `true`: outcomes the application acknowledged; `false`: the others (pending messages included) */
  reported: reportedFlag.optional(),
  account_id: z.string().min(1).max(200).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(100).optional(),
});

export const messagesPage = z
  .object({ items: z.array(messageSummary), next_cursor: z.string().nullable() })
  .strict()
  .meta({ id: 'MessagesPage' });
export type MessagesPage = z.infer<typeof messagesPage>;

// ---- GET /api/messages/{id} ----------------------------------------------------------------------

/** An attachment in the detail view: where it comes from, never the content itself. */
export const attachmentView = z
  .object({
    filename: z.string().nullable(),
    source: z.enum(['content', 'url', 's3', 'endpoint']),
    url: z.string().optional(),
    s3: s3Location.optional(),
    storage_path: z.string().optional(),
    /** decoded size of inline content */
    size: z.number().int().optional(),
  })
  .strict()
  .meta({ id: 'AttachmentView' });
export type AttachmentView = z.infer<typeof attachmentView>;

/** The payload in the detail view: a body over 64 KiB is clipped (body_size gives the whole length). */
export const payloadView = messagePayload
  .extend({ body_size: z.number().int(), attachments: z.array(attachmentView).optional() })
  .strict()
  .meta({ id: 'PayloadView' });

export const messageDetail = z
  .object({
    message: messageSummary.extend({ payload: payloadView, ...deliveryDetails }).strict(),
    timeline: z.array(messageEvent),
  })
  .strict()
  .meta({ id: 'MessageDetail' });
export type MessageDetail = z.infer<typeof messageDetail>;

// ---- POST /api/messages/{id}/retry (DELETE answers Ok) -------------------------------------------

export const retryAnswer = z.object({ ok: z.literal(true), message: messageSummary }).strict().meta({ id: 'RetryAnswer' });
export type RetryAnswer = z.infer<typeof retryAnswer>;
