import crypto from 'node:crypto';
import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Relay } from '../../relay.js';
import { conflict } from '../../errors.js';
import type { AttachmentSpec, MessageEvent, MessagePayload, MessageState } from '../../messages/types.js';
import { ValidationError } from '../middleware/errors.js';
import { parseBody, parseQuery } from '../validate.js';
import { openapi } from '../openapi.js';

const MAX_WAIT_SECONDS = 30;
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
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

const attachment = z
  .object({
    filename: z.string().max(255).refine(noCrLf, 'must not contain CR or LF').optional(),
    content: z.string().regex(BASE64, 'must be base64').optional(),
    url: z.string().regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL').optional(),
    s3: z.object({ bucket: z.string().min(1), key: z.string().min(1) }).optional(),
    content_type: z.string().max(200).refine(noCrLf, 'must not contain CR or LF').optional(),
    cid: z.string().max(200).refine(noCrLf, 'must not contain CR or LF').optional(),
  })
  .refine((a) => !!(a.content || a.url || a.s3), 'needs content, url or s3');

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

const FINAL: ReadonlySet<MessageEvent['state']> = new Set<MessageEvent['state']>(['sent', 'error', 'reported', 'deleted']);

function toPayload(b: z.infer<typeof sendBody>, id: string): MessagePayload {
  const html = b.body_html !== undefined;
  const p: MessagePayload = {
    id,
    from: b.from,
    to: b.to,
    subject: b.subject,
    body: html ? b.body_html! : (b.body_text ?? ''),
    content_type: html ? 'html' : 'plain',
    priority: 0,
  };
  if (html && b.body_text !== undefined) p.body_text = b.body_text;
  if (b.account_id) p.account_id = b.account_id;
  if (b.cc?.length) p.cc = b.cc;
  if (b.bcc?.length) p.bcc = b.bcc;
  if (b.reply_to) p.reply_to = b.reply_to;
  if (b.headers && Object.keys(b.headers).length) p.headers = b.headers;
  if (b.attachments?.length) p.attachments = b.attachments as AttachmentSpec[];
  return p;
}

/** Resolves with the message's final state, or null when `seconds` pass or the client goes away first. */
function waitForFinal(relay: Relay, c: Koa.Context, id: string, seconds: number): { done: Promise<MessageEvent['state'] | null>; cancel: () => void } {
  const bus = relay.ctx.bus;
  let settle: (s: MessageEvent['state'] | null) => void = () => {};
  let timer: NodeJS.Timeout | null = null;
  const onMessages = (evs: MessageEvent[]) => {
    for (const ev of evs) if (ev.message_id === id && FINAL.has(ev.state)) return settle(ev.state);
  };
  const onClose = () => settle(null);
  const cancel = () => {
    bus.off('messages', onMessages);
    c.req.off('close', onClose);
    if (timer) clearTimeout(timer);
  };
  const done = new Promise<MessageEvent['state'] | null>((resolve) => {
    settle = (s) => {
      cancel();
      resolve(s);
    };
  });
  bus.on('messages', onMessages);
  c.req.on('close', onClose);
  timer = setTimeout(() => settle(null), seconds * 1000);
  return { done, cancel };
}

/** POST /api/send */
export function sendRoutes(relay: Relay): Router {
  const { store, settings } = relay.ctx;
  const router = new Router();

  router.post('/api/send', async (c) => {
    const { wait } = parseQuery(c, sendQuery);
    const body = parseBody(c, sendBody);
    if (body.account_id && !store.accounts.exists(body.account_id)) {
      throw new ValidationError([{ field: 'account_id', message: `account '${body.account_id}' not found` }]);
    }
    if (!body.account_id && settings.current().delivery_mode === 'real') {
      throw new ValidationError([{ field: 'account_id', message: 'required in real delivery mode' }]);
    }
    const id = body.id ?? `send-${crypto.randomUUID()}`;
    const seconds = Math.min(MAX_WAIT_SECONDS, wait ?? 0);
    // listen before enqueueing so a fast outcome cannot slip between the two
    const waiter = seconds > 0 ? waitForFinal(relay, c, id, seconds) : null;
    const result = relay.queue.enqueue([toPayload(body, id)]);
    if (result.queued !== 1) {
      waiter?.cancel();
      throw conflict(`message '${id}' not queued: ${result.rejected[0]?.reason ?? 'refused'}`);
    }
    const final = waiter ? await waiter.done : null;
    const m = store.messages.get(id);
    if (final === null || !m) {
      c.status = 202;
      c.body = { id, state: (m?.state ?? final ?? 'queued') as MessageState | 'deleted' };
      return;
    }
    c.status = 200;
    c.body = {
      id,
      state: m.state,
      sandbox: m.sandbox,
      captured_id: m.captured_id,
      error: m.error,
      sent_ts: m.sent_ts,
      error_ts: m.error_ts,
      recipients: m.recipients,
    };
  });

  return router;
}
