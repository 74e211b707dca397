import { z } from 'zod';
import { capturedSearchFields } from './captured-search.js';
import { messageState, priorityLabel } from './states.js';

/** Mail captured by the sandbox sink: /api/captured routes. */

const int = z.number().int();
const noCrLf = (s: string) => !/[\r\n]/.test(s);
const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/u;

/** A captured message as lists show it: summary columns only, never the source. */
export const capturedSummary = z
  .object({
    id: int,
    received_ts: int,
    /** SMTP envelope */
    mail_from: z.string(),
    rcpt_to: z.array(z.string()),
    from: z.string(),
    to: z.array(z.string()),
    cc: z.array(z.string()),
    subject: z.string(),
    date_ts: int.nullable(),
    size: int,
    attachments: int,
    /** AUTH user name the client sent, used as a mailbox tag */
    mailbox: z.string().nullable(),
    read: z.boolean(),
    message_id: z.string().nullable(),
    /** the queue entry whose sandbox delivery produced it */
    relay_message_id: z.string().nullable(),
    /** that queue entry's tenant ('' for the default tenant) */
    relay_tenant_id: z.string().nullable(),
    /** the start of the text */
    preview: z.string(),
    remote_address: z.string().nullable(),
    helo: z.string().nullable(),
    tls: z.boolean(),
  })
  .strict()
  .meta({ id: 'CapturedSummary' });
export type CapturedSummary = z.infer<typeof capturedSummary>;

// ---- GET /api/captured ---------------------------------------------------------------------------

export const listCapturedQuery = z.object({
  q: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(100).optional(),
  /** `1`: a search also answers `matched`, every match counted (tens of ms at 100,000 messages: asked for, not by default) */
  count: z.enum(['0', '1', 'true', 'false']).optional(),
});

export const capturedCounts = z.object({ total: int, unread: int }).strict().meta({ id: 'CapturedCounts' });
export type CapturedCounts = z.infer<typeof capturedCounts>;

export const capturedPage = z
  .object({
    items: z.array(capturedSummary),
    next_cursor: z.string().nullable(),
    total: int,
    unread: int,
    /** a search could not wait for this many messages to be indexed */
    unindexed: int.optional(),
    ...capturedSearchFields,
  })
  .strict()
  .meta({ id: 'CapturedPage' });
export type CapturedPage = z.infer<typeof capturedPage>;

// ---- GET /api/captured/{id} ----------------------------------------------------------------------

export const capturedAttachment = z
  .object({
    /** position in the message, for GET /api/captured/{id}/attachments/{index} */
    index: int,
    filename: z.string().nullable(),
    content_type: z.string(),
    size: int,
    cid: z.string().nullable(),
    /** an image the HTML body shows itself (cid:), rather than a file attached to the message */
    inline: z.boolean(),
  })
  .strict()
  .meta({ id: 'CapturedAttachment' });
export type CapturedAttachment = z.infer<typeof capturedAttachment>;

export const headerList = z.array(z.object({ key: z.string(), value: z.string() }).strict());
export type HeaderList = z.infer<typeof headerList>;

/** The summary (marked read), with headers, bodies and the attachment list parsed from the source. */
export const capturedDetail = capturedSummary
  .extend({
    headers: headerList,
    text: z.string().nullable(),
    /** as sent: cid: references kept (GET /api/captured/{id}/html gives a renderable copy) */
    html: z.string().nullable(),
    attachments: z.array(capturedAttachment),
    /** set when the source could not be parsed as MIME; headers then come from a plain scan */
    parse_error: z.string().optional(),
  })
  .strict()
  .meta({ id: 'CapturedDetail' });
export type CapturedDetail = z.infer<typeof capturedDetail>;

/** `?remote=1` allows remote images and styles in the HTML view; `?inline=1` shows an image attachment in place. */
export const capturedHtmlQuery = z.object({ remote: z.enum(['0', '1', 'true', 'false']).optional() });
export const capturedAttachmentQuery = z.object({ inline: z.enum(['0', '1', 'true', 'false']).optional() });

// ---- DELETE /api/captured (DELETE /api/captured/{id} answers Ok) ---------------------------------

/**
 * DELETE /api/captured narrowed to what a view shows: `ids` (comma-separated) deletes those, `q` every
 * message the search matches; without either, everything.
 */
export const deleteCapturedQuery = z.object({
  q: z.string().max(500).optional(),
  /** at most 1000 */
  ids: z
    .string()
    .max(17_000)
    .regex(/^\d{1,15}(,\d{1,15}){0,999}$/, 'must be at most 1000 captured ids separated by commas')
    .optional(),
});
export type CapturedSelection = { ids?: number[]; q?: string; /** IANA zone of dates in `q` */ tz?: string };

export const deleteAllCapturedAnswer = z.object({ ok: z.literal(true), removed: int }).strict().meta({ id: 'DeleteAllCapturedAnswer' });
export type DeleteAllCapturedAnswer = z.infer<typeof deleteAllCapturedAnswer>;

// ---- POST /api/captured/{id}/release -------------------------------------------------------------

export const releaseBody = z.object({
  account_id: z.string().min(1).max(200).refine(noCrLf, 'must not contain CR or LF'),
  /** recipients instead of the captured envelope's */
  to: z
    .array(z.string().trim().max(500).regex(ADDRESS, 'must be a plain address (local@domain)'))
    .min(1)
    .max(1000)
    .optional(),
  priority: z.union([z.number().int().min(0).max(3), priorityLabel]).optional(),
});
export type ReleaseBody = z.input<typeof releaseBody>;

/** The new queue entry. */
export const releaseAnswer = z
  .object({ id: z.string(), state: messageState, captured_id: int, account_id: z.string(), to: z.array(z.string()) })
  .strict()
  .meta({ id: 'ReleaseAnswer' });
export type ReleaseAnswer = z.infer<typeof releaseAnswer>;

/** What the `captured` frame carries for a newly captured message (From/To fall back to the envelope). */
export const capturedAnnouncement = z
  .object({
    id: int,
    received_ts: int,
    from: z.string(),
    to: z.array(z.string()),
    subject: z.string(),
    size: int,
    attachments: int,
    mailbox: z.string().nullable(),
    relay_message_id: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'CapturedAnnouncement' });
export type CapturedAnnouncement = z.infer<typeof capturedAnnouncement>;
