import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import type { Relay } from '../../relay.js';
import { notFound } from '../../errors.js';
import { normalisePriority } from '../../messages/normalise.js';
import { attachmentAt, inspectMessage, renderableHtml } from '../../sink/inspect.js';
import { releaseCaptured } from '../../sink/release.js';
import { parseCapturedSearch } from '../../sink/search-query.js';
import { parseBody, parseQuery } from '../validate.js';
import { openapi } from '../openapi.js';

const noCrLf = (s: string) => !/[\r\n]/.test(s);
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

/** how long a search waits for the background indexer to catch up with a burst of captures */
const SEARCH_INDEX_WAIT_MS = 5000;

/** /api/captured (sandbox sink) */
export function capturedRoutes(relay: Relay): Router {
  const { store, bus } = relay.ctx;
  const router = new Router({ prefix: '/api/captured' });

  const rawOf = (id: number): Buffer => {
    const raw = store.captured.raw(id);
    if (!raw) throw notFound('captured message', String(id));
    return raw;
  };

  router.get('/', async (c) => {
    const q = parseQuery(c, listCapturedQuery);
    // the sink indexes message text in the background: a search covers everything captured so far
    const unindexed = q.q ? await relay.sink.flushIndexing(SEARCH_INDEX_WAIT_MS) : 0;
    const page = store.captured.list({ limit: q.limit, cursor: q.cursor, search: q.q ? parseCapturedSearch(q.q) : undefined });
    c.body = { ...page, ...store.captured.counts(), ...(unindexed > 0 ? { unindexed } : {}) };
  });

  router.delete('/', (c) => {
    const removed = store.captured.deleteAll();
    bus.emit('captured.removed', { ids: 'all' });
    c.body = { ok: true, removed };
  });

  router.get('/:id', async (c) => {
    const id = capturedId(c.params.id);
    const summary = store.captured.get(id);
    if (!summary) throw notFound('captured message', c.params.id);
    const view = await inspectMessage(rawOf(id));
    if (!summary.read) store.captured.markRead(id);
    c.body = { ...summary, read: true, ...view };
  });

  router.get('/:id/raw', (c) => {
    const id = capturedId(c.params.id);
    const raw = rawOf(id);
    c.attachment(`captured-${id}.eml`);
    c.type = 'message/rfc822';
    untrustedContent(c, "default-src 'none'; sandbox");
    c.body = raw;
  });

  router.get('/:id/html', async (c) => {
    const id = capturedId(c.params.id);
    const { remote } = parseQuery(c, htmlQuery);
    const html = await renderableHtml(rawOf(id));
    if (html === null) throw notFound('HTML body of captured message', String(id));
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
    const att = index >= 0 ? await attachmentAt(rawOf(id), index) : null;
    if (!att) throw notFound('attachment', `${id}/${c.params.index}`);
    const name = att.filename || `attachment-${index}`;
    if (truthy(inline) && SAFE_INLINE.test(att.content_type)) c.attachment(name, { type: 'inline' });
    else c.attachment(name);
    c.type = att.content_type || 'application/octet-stream';
    untrustedContent(c, "default-src 'none'; sandbox");
    c.body = att.content;
  });

  router.delete('/:id', (c) => {
    const id = capturedId(c.params.id);
    if (!store.captured.delete(id)) throw notFound('captured message', c.params.id);
    bus.emit('captured.removed', { ids: [id] });
    c.body = { ok: true };
  });

  router.post('/:id/release', (c) => {
    const id = capturedId(c.params.id);
    const body = parseBody(c, releaseBody);
    const result = releaseCaptured(relay, id, {
      account_id: body.account_id,
      to: body.to,
      priority: body.priority === undefined ? undefined : normalisePriority(body.priority, 1),
    });
    c.status = 202;
    c.body = result;
  });

  return router;
}
