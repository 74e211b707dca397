import Router from '@koa/router';
import type Koa from 'koa';
import {
  capturedAttachmentQuery,
  capturedHtmlQuery,
  deleteCapturedQuery,
  listCapturedQuery,
  releaseBody,
  type CapturedDetail,
  type CapturedPage,
  type DeleteAllCapturedAnswer,
  type OkAnswer,
  type ReleaseAnswer,
} from '../../../shared/api/index.js';
import { previewCsp } from '../../../shared/csp.js';
import { notFound } from '../../errors.js';
import { normalisePriority } from '../../messages/normalise.js';
import type { RelayServices } from '../../services/index.js';
import { parseBody, parseQuery } from '../validate.js';

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
    const { count, ...query } = parseQuery(c, listCapturedQuery);
    c.body = (await captured.list({ ...query, count: truthy(count) })) satisfies CapturedPage;
  });

  router.delete('/', async (c) => {
    const { q, ids } = parseQuery(c, deleteCapturedQuery);
    c.body = { ok: true, removed: await captured.remove({ q, ids: ids?.split(',').map(Number) }) } satisfies DeleteAllCapturedAnswer;
  });

  router.get('/:id', async (c) => {
    c.body = (await captured.detail(capturedId(c.params.id))) satisfies CapturedDetail;
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
    const { remote } = parseQuery(c, capturedHtmlQuery);
    const html = await captured.html(id);
    untrustedContent(c, previewCsp(truthy(remote), 'header'));
    c.type = 'text/html; charset=utf-8';
    c.body = html;
  });

  router.get('/:id/attachments/:index', async (c) => {
    const id = capturedId(c.params.id);
    const index = /^\d{1,6}$/.test(c.params.index) ? Number(c.params.index) : -1;
    const { inline } = parseQuery(c, capturedAttachmentQuery);
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
    c.body = { ok: true } satisfies OkAnswer;
  });

  router.post('/:id/release', async (c) => {
    const id = capturedId(c.params.id);
    const body = parseBody(c, releaseBody);
    const queued = await captured.release(id, {
      account_id: body.account_id,
      to: body.to,
      priority: body.priority === undefined ? undefined : normalisePriority(body.priority, 1),
    });
    c.status = 202;
    c.body = queued satisfies ReleaseAnswer;
  });

  return router;
}
