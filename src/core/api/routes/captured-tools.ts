import Router from '@koa/router';
import type { AttachmentPreview, HtmlCheckAnswer, LinkCheckAnswer } from '../../../shared/api/index.js';
import { notFound } from '../../errors.js';
import type { RelayServices } from '../../services/index.js';

function capturedId(raw: string): number {
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw notFound('captured message', raw);
  return n;
}

/** /api/captured/{id}/html-check, link-check, attachments/{index}/preview */
export function capturedToolsRoutes(services: Pick<RelayServices, 'capturedTools'>): Router {
  const { capturedTools } = services;
  const router = new Router({ prefix: '/api/captured' });

  router.get('/:id/html-check', async (c) => {
    c.body = (await capturedTools.htmlCheck(capturedId(c.params.id))) satisfies HtmlCheckAnswer;
  });

  router.post('/:id/link-check', async (c) => {
    c.body = (await capturedTools.linkCheck(capturedId(c.params.id))) satisfies LinkCheckAnswer;
  });

  router.get('/:id/attachments/:index/preview', async (c) => {
    const id = capturedId(c.params.id);
    const index = /^\d{1,6}$/.test(c.params.index) ? Number(c.params.index) : -1;
    c.body = (await capturedTools.preview(id, index)) satisfies AttachmentPreview;
  });

  return router;
}
