import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { notFound } from '../../errors.js';
import { normalisePriority } from '../../messages/normalise.js';
import { hasCrLf } from '../../messages/validate.js';
import type { RelayServices } from '../../services/index.js';
import { parseBody, parseQuery } from '../validate.js';
import { openapi } from '../openapi.js';

const noCrLf = (s: string) => !hasCrLf(s);
const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/u;

export const listCapturedQuery = z.object({
  q: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(100).optional(),
});

export const releaseBody = z.object({
  account_id: z.string().min(1).max(200).refine(noCrLf, 'must not contain CR or LF'),
  to: z
    .array(z.string().trim().max(500).regex(ADDRESS, 'must be a plain address (local@domain)'))
    .min(1)
    .max(1000)
    .optional(),
  priority: z.union([z.number().int().min(0).max(3), z.enum(['immediate', 'high', 'medium', 'low'])]).optional(),
});

const htmlQuery = z.object({ remote: z.enum(['0', '1', 'true', 'false']).optional() });
const attachmentQuery = z.object({ inline: z.enum(['0', '1', 'true', 'false']).optional() });

const idParam = z.object({ id: z.string() });
const attachmentParams = z.object({ id: z.string(), index: z.string() });

openapi.registerPath({
  method: 'get',
  path: '/api/captured',
  summary: 'Captured mail, newest first (summaries only)',
  description:
    'q: words match subject, addresses and text (prefix, all required); "quoted phrase"; operators from: to: subject: body: mailbox: (or tag:) is:read is:unread has:attachment. ' +
    'Message text is indexed in the background; a search first waits (up to 5 s) for the messages captured so far, and reports in `unindexed` how many it could not wait for.',
  request: { query: listCapturedQuery },
  responses: { 200: { description: '{ items: CapturedSummary[], next_cursor, total, unread, unindexed? }' }, 422: { description: 'invalid query' } },
});
openapi.registerPath({
  method: 'get',
  path: '/api/captured/{id}',
  summary: 'One captured message: summary, headers, text, html (cid: links kept), attachment list; marks it read',
  request: { params: idParam },
  responses: { 200: { description: 'CapturedDetail' }, 404: { description: 'unknown id' } },
});
openapi.registerPath({
  method: 'get',
  path: '/api/captured/{id}/raw',
  summary: 'Raw source (message/rfc822, downloaded as .eml); token may be given as ?token=',
  request: { params: idParam },
  responses: { 200: { description: 'the message as received', content: { 'message/rfc822': { schema: z.string() } } }, 404: { description: 'unknown id' } },
});
openapi.registerPath({
  method: 'get',
  path: '/api/captured/{id}/html',
  summary: 'HTML body for a sandboxed frame: cid: images inlined, scripts and remote loads blocked by CSP (remote=1 allows remote images and styles); token may be given as ?token=',
  request: { params: idParam, query: htmlQuery },
  responses: { 200: { description: 'text/html' }, 404: { description: 'unknown id or no HTML body' } },
});
openapi.registerPath({
  method: 'get',
  path: '/api/captured/{id}/attachments/{index}',
  summary: 'One attachment (downloaded; inline=1 shows images in place); token may be given as ?token=',
  request: { params: attachmentParams, query: attachmentQuery },
  responses: { 200: { description: 'attachment content' }, 404: { description: 'unknown id or index' } },
});
openapi.registerPath({
  method: 'delete',
  path: '/api/captured/{id}',
  request: { params: idParam },
  responses: { 200: { description: '{ ok: true }' }, 404: { description: 'unknown id' } },
});
openapi.registerPath({
  method: 'delete',
  path: '/api/captured',
  summary: 'Delete all captured mail',
  responses: { 200: { description: '{ ok: true, removed }' } },
});
openapi.registerPath({
  method: 'post',
  path: '/api/captured/{id}/release',
  summary: 'Queue a captured message for real delivery (whatever the mode), through the given account',
  request: { params: idParam, body: { content: { 'application/json': { schema: releaseBody } } } },
  responses: {
    202: { description: '{ id, state, captured_id, account_id, to }: the new queue entry' },
    404: { description: 'unknown captured id or account' },
    422: { description: 'invalid body' },
  },
});

function capturedId(raw: string): number {
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw notFound('captured message', raw);
  return n;
}

const truthy = (v: string | undefined) => v === '1' || v === 'true';

/** Served content comes from untrusted mail: never sniffed, never scripted. */
function untrustedContent(c: Koa.Context, csp: string): void {
  c.set('X-Content-Type-Options', 'nosniff');
  c.set('Content-Security-Policy', csp);
  c.set('Cache-Control', 'private, no-store');
}

const SAFE_INLINE = /^image\/(png|jpe?g|gif|webp|bmp|avif)$/i;

/** /api/captured (sandbox sink) */
export function capturedRoutes(services: Pick<RelayServices, 'captured'>): Router {
  const { captured } = services;
  const router = new Router({ prefix: '/api/captured' });

  router.get('/', async (c) => {
    c.body = await captured.list(parseQuery(c, listCapturedQuery));
  });

  router.delete('/', async (c) => {
    c.body = { ok: true, removed: await captured.deleteAll() };
  });

  router.get('/:id', async (c) => {
    c.body = await captured.detail(capturedId(c.params.id));
  });

  router.get('/:id/raw', async (c) => {
    const id = capturedId(c.params.id);
    const raw = await captured.raw(id);
    c.attachment(`captured-${id}.eml`);
    c.type = 'message/rfc822';
    untrustedContent(c, "default-src 'none'; sandbox");
    c.body = raw;
  });

  router.get('/:id/html', async (c) => {
    const id = capturedId(c.params.id);
    const { remote } = parseQuery(c, htmlQuery);
    const html = await captured.html(id);
    const remoteSrc = truthy(remote) ? ' http: https:' : '';
    untrustedContent(
      c,
      `default-src 'none'; img-src data: cid:${remoteSrc}; style-src 'unsafe-inline'${remoteSrc}; font-src data:${remoteSrc}; ` +
        'sandbox allow-popups allow-popups-to-escape-sandbox',
    );
    c.type = 'text/html; charset=utf-8';
    c.body = html;
  });

  router.get('/:id/attachments/:index', async (c) => {
    const id = capturedId(c.params.id);
    const index = /^\d{1,6}$/.test(c.params.index) ? Number(c.params.index) : -1;
    const { inline } = parseQuery(c, attachmentQuery);
    const att = await captured.attachment(id, index);
    const name = att.filename || `attachment-${index}`;
    if (truthy(inline) && SAFE_INLINE.test(att.content_type)) c.attachment(name, { type: 'inline' });
    else c.attachment(name);
    c.type = att.content_type || 'application/octet-stream';
    untrustedContent(c, "default-src 'none'; sandbox");
    c.body = att.content;
  });

  router.delete('/:id', async (c) => {
    await captured.delete(capturedId(c.params.id));
    c.body = { ok: true };
  });

  router.post('/:id/release', async (c) => {
    const id = capturedId(c.params.id);
    const body = parseBody(c, releaseBody);
    c.body = await captured.release(id, {
      account_id: body.account_id,
      to: body.to,
      priority: body.priority === undefined ? undefined : normalisePriority(body.priority, 1),
    });
    c.status = 202;
  });

  return router;
}
