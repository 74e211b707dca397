import { z } from 'zod';
import { isBase64 } from '../base64.js';
import { recipientResult } from './messages.js';
import { messageState, timelineState } from './states.js';

/** POST /api/send: one ProtoPost-style message, queued at immediate priority. */

const noCrLf = (s: string) => !/[\r\n]/.test(s);
/** "local@domain" or "Display Name <local@domain>" */
const MAILBOX = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/u;

const mailbox = z
  .string()
  .trim()
  .max(500)
  .refine(noCrLf, 'must not contain CR or LF')
  .refine((s) => MAILBOX.test(s), 'must be an e-mail address');
const mailboxes = z.union([mailbox.transform((s) => [s]), z.array(mailbox).max(1000)]);

const HTTP_URL = /^https?:\/\//i;

/** Only the source delivery uses is checked (s3, else url, else content), as the relay's one validation does. */
const sendAttachment = z
  .object({
    filename: z.string().max(255).refine(noCrLf, 'must not contain CR or LF').optional(),
    /** base64 */
    content: z.string().optional(),
    /** http(s) */
    url: z.string().optional(),
    s3: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).optional(),
    content_type: z.string().max(200).refine(noCrLf, 'must not contain CR or LF').optional(),
    cid: z.string().max(200).refine(noCrLf, 'must not contain CR or LF').optional(),
  })
  .superRefine((a, ctx) => {
    if (a.s3) return;
    if (a.url) {
      if (!HTTP_URL.test(a.url)) ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an http(s) URL' });
    } else if (!a.content) ctx.addIssue({ code: 'custom', message: 'needs content, url or s3' });
    else if (!isBase64(a.content)) ctx.addIssue({ code: 'custom', path: ['content'], message: 'must be base64' });
  });

export const sendBody = z
  .object({
    id: z.string().min(1).max(200).refine(noCrLf, 'must not contain CR or LF').optional(),
    account_id: z.string().min(1).max(200).optional(),
    from: mailbox,
    to: mailboxes.refine((xs) => xs.length > 0, 'needs at least one recipient'),
    cc: mailboxes.optional(),
    bcc: mailboxes.optional(),
    reply_to: mailbox.optional(),
    subject: z.string().min(1).max(998).refine(noCrLf, 'must not contain CR or LF'),
    body_text: z.string().optional(),
    body_html: z.string().optional(),
    headers: z
      .record(
        z.string().regex(/^[!-9;-~]+$/, 'must be a header name'),
        z.string().max(4000).refine(noCrLf, 'must not contain CR or LF'),
      )
      .optional(),
    attachments: z.array(sendAttachment).max(100).optional(),
  })
  .refine((b) => b.body_text !== undefined || b.body_html !== undefined, {
    message: 'body_text or body_html is required',
    path: ['body_text'],
  });
export type SendBody = z.input<typeof sendBody>;

/** ?wait=N: wait up to N seconds (at most 30) for the final outcome. */
export const sendQuery = z.object({
  wait: z.coerce.number().min(0).optional(),
});

/** 200: the final outcome came within the wait. */
export const sendOutcome = z
  .object({
    id: z.string(),
    state: messageState,
    sandbox: z.boolean(),
    captured_id: z.number().int().nullable(),
    error: z.string().nullable(),
    sent_ts: z.number().int().nullable(),
    error_ts: z.number().int().nullable(),
    recipients: z.array(recipientResult).nullable(),
  })
  .strict()
  .meta({ id: 'SendOutcome' });
export type SendOutcome = z.infer<typeof sendOutcome>;

/** 202: queued (no wait asked, or the wait ran out first). */
export const sendAccepted = z.object({ id: z.string(), state: timelineState }).strict().meta({ id: 'SendAccepted' });
export type SendAccepted = z.infer<typeof sendAccepted>;
