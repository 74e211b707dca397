import Router from '@koa/router';
import { z } from 'zod';
import { hasCrLf } from '../../messages/validate.js';
import type { RelayServices } from '../../services/index.js';
import { parseBody, parseQuery } from '../validate.js';
import { openapi } from '../openapi.js';

/** "local@domain" or "Display Name <local@domain>" */
const MAILBOX = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/u;

const mailbox = z
  .string()
  .trim()
  .max(500)
  .refine((s) => !hasCrLf(s), 'must not contain CR or LF')
  .refine((s) => MAILBOX.test(s), 'must be an e-mail address');
const mailboxes = z.union([mailbox.transform((s) => [s]), z.array(mailbox).max(1000)]);

// shapes only: header safety, attachment sources and accounts are the one validation's (messages/validate.ts)
const attachment = z.object({
  filename: z.string().max(255).optional(),
  content: z.string().optional(),
  url: z.string().optional(),
  s3: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).optional(),
  content_type: z.string().max(200).optional(),
  cid: z.string().max(200).optional(),
});

export const sendBody = z
  .object({
    id: z.string().min(1).max(200).optional(),
    account_id: z.string().min(1).max(200).optional(),
    from: mailbox,
    to: mailboxes.refine((xs) => xs.length > 0, 'needs at least one recipient'),
    cc: mailboxes.optional(),
    bcc: mailboxes.optional(),
    reply_to: mailbox.optional(),
    subject: z.string().min(1).max(998),
    body_text: z.string().optional(),
    body_html: z.string().optional(),
    headers: z.record(z.string(), z.string().max(4000)).optional(),
    attachments: z.array(attachment).max(100).optional(),
  })
  .refine((b) => b.body_text !== undefined || b.body_html !== undefined, {
    message: 'body_text or body_html is required',
    path: ['body_text'],
  });

export const sendQuery = z.object({
  wait: z.coerce.number().min(0).optional(),
});

openapi.registerPath({
  method: 'post',
  path: '/api/send',
  summary: 'Send one message (ProtoPost-style), queued at immediate priority',
  description:
    'With ?wait=N (seconds, at most 30) the answer waits for the final outcome: 200 {id, state: sent|error, ...}; otherwise, or when the wait runs out, 202 {id, state}.',
  request: { query: sendQuery, body: { content: { 'application/json': { schema: sendBody } } } },
  responses: {
    200: { description: '{ id, state, sandbox, captured_id, error, sent_ts, error_ts, recipients }' },
    202: { description: '{ id, state }' },
    409: { description: 'the id was already sent' },
    422: { description: 'invalid field (named)' },
  },
});

/** POST /api/send */
export function sendRoutes(services: Pick<RelayServices, 'send'>): Router {
  const router = new Router();

  router.post('/api/send', async (c) => {
    const { wait } = parseQuery(c, sendQuery);
    const body = parseBody(c, sendBody);
    // a client that goes away stops the wait
    const gone = new AbortController();
    const onClose = () => gone.abort();
    c.req.on('close', onClose);
    try {
      const { final, ...outcome } = await services.send.send(body, { waitSeconds: wait ?? 0, signal: gone.signal });
      c.status = final ? 200 : 202;
      c.body = outcome;
    } finally {
      c.req.off('close', onClose);
    }
  });

  return router;
}
