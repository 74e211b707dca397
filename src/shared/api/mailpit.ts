import { z } from 'zod';
import { raw, type ApiRoute, body as jsonBody, json, RELAY_401, RELAY_403 } from './route-kit.js';

/**
 * Mailpit API v1 (the parts test tools use), field names and types as Mailpit's swagger describes them:
 * github.com/axllent/mailpit v1.30.5 (commit 408b30d5), server/ui/api/v1/swagger.json and server/apiv1/*.go.
 * IDs are our captured ids as strings (Mailpit's own are opaque to tools); PartIDs are attachment positions.
 */

const int = z.number().int();

export const mailpitAddress = z.object({ Name: z.string(), Address: z.string() }).strict().meta({ id: 'MailpitAddress' });
export type MailpitAddress = z.infer<typeof mailpitAddress>;

export const mailpitSummary = z
  .object({
    ID: z.string(),
    MessageID: z.string(),
    Read: z.boolean(),
    From: mailpitAddress,
    To: z.array(mailpitAddress),
    Cc: z.array(mailpitAddress),
    /** the envelope recipients neither To nor Cc names */
    Bcc: z.array(mailpitAddress),
    ReplyTo: z.array(mailpitAddress),
    Subject: z.string(),
    /** RFC 3339 (received) */
    Created: z.string(),
    Username: z.string(),
    Tags: z.array(z.string()),
    Size: int,
    Attachments: int,
    Snippet: z.string(),
  })
  .strict()
  .meta({ id: 'MailpitMessageSummary' });
export type MailpitSummary = z.infer<typeof mailpitSummary>;

/** GET /api/v1/messages and /api/v1/search: `total` counts the mailbox, `messages_count` the matches. */
export const mailpitMessages = z
  .object({
    total: int,
    unread: int,
    count: int,
    messages_count: int,
    messages_unread: int,
    start: int,
    tags: z.array(z.string()),
    messages: z.array(mailpitSummary),
  })
  .strict()
  .meta({ id: 'MailpitMessagesSummary' });
export type MailpitMessages = z.infer<typeof mailpitMessages>;

export const mailpitAttachment = z
  .object({
    PartID: z.string(),
    FileName: z.string(),
    ContentType: z.string(),
    ContentID: z.string(),
    Size: int,
    Checksums: z.object({ MD5: z.string(), SHA1: z.string(), SHA256: z.string() }).strict(),
  })
  .strict()
  .meta({ id: 'MailpitAttachment' });
export type MailpitAttachment = z.infer<typeof mailpitAttachment>;

export const mailpitMessage = z
  .object({
    ID: z.string(),
    MessageID: z.string(),
    From: mailpitAddress,
    To: z.array(mailpitAddress),
    Cc: z.array(mailpitAddress),
    Bcc: z.array(mailpitAddress),
    ReplyTo: z.array(mailpitAddress),
    ReturnPath: z.string(),
    Subject: z.string(),
    ListUnsubscribe: z.object({ Header: z.string(), Links: z.array(z.string()), Errors: z.string(), HeaderPost: z.string() }).strict(),
    /** RFC 3339: the Date header, else when it was received */
    Date: z.string(),
    Tags: z.array(z.string()),
    Username: z.string(),
    Text: z.string(),
    HTML: z.string(),
    Size: int,
    Inline: z.array(mailpitAttachment),
    Attachments: z.array(mailpitAttachment),
  })
  .strict()
  .meta({ id: 'MailpitMessage' });
export type MailpitMessage = z.infer<typeof mailpitMessage>;

/** GET /api/v1/message/{ID}/headers: Go's canonical keys (`Message-Id`), every value of each. */
export const mailpitHeaders = z.record(z.string(), z.array(z.string())).meta({ id: 'MailpitHeaders' });
export type MailpitHeaders = z.infer<typeof mailpitHeaders>;

export const mailpitInfo = z
  .object({
    Version: z.string(),
    LatestVersion: z.string(),
    Database: z.string(),
    DatabaseSize: int,
    Messages: int,
    Unread: int,
    Tags: z.record(z.string(), int),
    RuntimeStats: z
      .object({
        Uptime: int,
        Memory: int,
        MessagesDeleted: int,
        SMTPAccepted: int,
        SMTPAcceptedSize: int,
        SMTPRejected: int,
        SMTPIgnored: int,
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'MailpitInfo' });
export type MailpitInfo = z.infer<typeof mailpitInfo>;

// ---- requests ------------------------------------------------------------------------------------

const count = (name: string, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, `${name} must be a whole number`)
    .transform(Number)
    .optional()
    .transform((n) => n ?? fallback);

export const mailpitListQuery = z.object({ start: count('start', 0), limit: count('limit', 50) });
export const mailpitSearchQuery = mailpitListQuery.extend({
  query: z.string().trim().min(1, 'no search query').max(500),
  /** the IANA time zone of before:/after: dates that name none (Mailpit's; else UTC) */
  tz: z.string().max(100).optional(),
});
export const mailpitDeleteSearchQuery = mailpitSearchQuery.pick({ query: true, tz: true });

const ids = z.array(z.string().max(100)).max(1000);

/** PUT /api/v1/messages: the IDs, else the search's matches, else the whole mailbox. */
export const mailpitReadBody = z
  .object({ Read: z.boolean().default(false), IDs: ids.optional(), Search: z.string().max(500).optional() })
  .refine((b) => !(b.IDs?.length && b.Search), { message: 'You may specify either IDs or a search query, not both', path: ['Search'] });
/** DELETE /api/v1/messages: the IDs, or everything when none are given. */
export const mailpitDeleteBody = z.object({ IDs: ids.optional() });

export const mailpitReleaseBody = z.object({ To: z.array(z.string().max(500)).max(1000).min(1, 'No valid addresses found') });
/** `account_id`: which account delivers a release (not Mailpit's: needed when the relay has several) */
export const mailpitReleaseQuery = z.object({ account_id: z.string().min(1).max(200).optional() });

const named = z.object({ Email: z.string().max(500), Name: z.string().max(500).optional() });
export const mailpitSendBody = z.object({
  From: named,
  To: z.array(named).max(1000).optional(),
  Cc: z.array(named).max(1000).optional(),
  Bcc: z.array(z.string().max(500)).max(1000).optional(),
  ReplyTo: z.array(named).max(1).optional(),
  Subject: z.string().max(998).optional(),
  Text: z.string().optional(),
  HTML: z.string().optional(),
  Attachments: z
    .array(z.object({ Content: z.string(), Filename: z.string().max(255), ContentType: z.string().max(200).optional(), ContentID: z.string().max(200).optional() }))
    .max(100)
    .optional(),
  Tags: z.array(z.string().max(100)).max(100).optional(),
  Headers: z.record(z.string(), z.string()).optional(),
});
export type MailpitSendBody = z.infer<typeof mailpitSendBody>;
export const mailpitSendAnswer = z.object({ ID: z.string() }).strict().meta({ id: 'MailpitSendAnswer' });
export type MailpitSendAnswer = z.infer<typeof mailpitSendAnswer>;
/** Mailpit's send answers its errors as JSON */
export const mailpitJsonError = z.object({ Error: z.string() }).strict().meta({ id: 'MailpitError' });

// ---- routes --------------------------------------------------------------------------------------

const idParams = z.object({ ID: z.string() });
const partParams = z.object({ ID: z.string(), PartID: z.string() });
const OK = { 200: raw('text/plain', 'ok') };
const ADMIN = { ...RELAY_401, ...RELAY_403 };
const FAIL = { 400: raw('text/plain', 'bad request (the reason as text)') };
const NOT_FOUND = { 404: raw('text/plain', 'unknown message ID (or no message for latest)') };
const DESCRIPTION = 'Mailpit API v1 compatible; the token also as HTTP Basic password (any user). ID `latest`: the newest message.';

/** The Mailpit-compatible routes: /api/v1/* (admin token) and the public /livez and /readyz. */
export const MAILPIT_ROUTES: readonly ApiRoute[] = [
  { method: 'get', path: '/livez', summary: 'Mailpit liveness (public)', security: [], responses: { 200: raw('text/plain', 'alive (empty)') } },
  { method: 'get', path: '/readyz', summary: 'Mailpit readiness (public)', security: [], responses: { 200: raw('text/plain', 'ready (empty)') } },
  { method: 'get', path: '/api/v1/info', summary: 'Mailpit application information', responses: { 200: json(mailpitInfo, 'info'), ...ADMIN } },
  {
    method: 'get',
    path: '/api/v1/messages',
    summary: 'Mailpit: list messages, newest first',
    description: DESCRIPTION,
    request: { query: mailpitListQuery },
    responses: { 200: json(mailpitMessages, 'a page'), ...FAIL, ...ADMIN },
  },
  {
    method: 'put',
    path: '/api/v1/messages',
    summary: 'Mailpit: set the read status of the IDs, a search, or every message',
    request: { body: jsonBody(mailpitReadBody) },
    responses: { ...OK, ...FAIL, ...ADMIN },
  },
  {
    method: 'delete',
    path: '/api/v1/messages',
    summary: 'Mailpit: delete the IDs, or every message',
    request: { body: jsonBody(mailpitDeleteBody) },
    responses: { ...OK, ...FAIL, ...ADMIN },
  },
  {
    method: 'get',
    path: '/api/v1/search',
    summary: 'Mailpit: search (words, "phrases", -negation, from: to: cc: bcc: subject: message-id: filename: tag: is:read is:unread has:attachment before: after: larger: smaller:; tz for dates)',
    request: { query: mailpitSearchQuery },
    responses: { 200: json(mailpitMessages, 'the matches'), ...FAIL, ...ADMIN },
  },
  {
    method: 'delete',
    path: '/api/v1/search',
    summary: 'Mailpit: delete every message the search matches',
    request: { query: mailpitDeleteSearchQuery },
    responses: { ...OK, ...FAIL, ...ADMIN },
  },
  {
    method: 'get',
    path: '/api/v1/message/{ID}',
    summary: 'Mailpit: one message (marks it read)',
    description: DESCRIPTION,
    request: { params: idParams },
    responses: { 200: json(mailpitMessage, 'the message'), ...NOT_FOUND, ...ADMIN },
  },
  {
    method: 'get',
    path: '/api/v1/message/{ID}/headers',
    summary: 'Mailpit: the headers of a message',
    request: { params: idParams },
    responses: { 200: json(mailpitHeaders, 'headers'), ...NOT_FOUND, ...ADMIN },
  },
  {
    method: 'get',
    path: '/api/v1/message/{ID}/raw',
    summary: 'Mailpit: the source of a message',
    request: { params: idParams },
    responses: { 200: raw('text/plain', 'the source'), ...NOT_FOUND, ...ADMIN },
  },
  {
    method: 'get',
    path: '/api/v1/message/{ID}/part/{PartID}',
    summary: 'Mailpit: one attachment or inline part',
    request: { params: partParams },
    responses: { 200: raw('application/octet-stream', 'the part'), ...NOT_FOUND, ...ADMIN },
  },
  {
    method: 'post',
    path: '/api/v1/message/{ID}/release',
    summary: 'Mailpit: release a message to the To addresses through the only account (or ?account_id=)',
    request: { params: idParams, query: mailpitReleaseQuery, body: jsonBody(mailpitReleaseBody) },
    responses: { ...OK, ...FAIL, ...NOT_FOUND, ...ADMIN },
  },
  {
    method: 'post',
    path: '/api/v1/send',
    summary: 'Mailpit: send a message (captured in sandbox mode; ID is the captured message once it arrived)',
    request: { body: jsonBody(mailpitSendBody) },
    responses: { 200: json(mailpitSendAnswer, 'the message ID'), 400: json(mailpitJsonError, 'invalid message'), ...ADMIN },
  },
];
