import Router from '@koa/router';
import { z } from 'zod';
import type { Relay } from '../../relay.js';
import { MESSAGE_STATES } from '../../messages/types.js';
import { notFound } from '../../errors.js';
import { parseQuery } from '../validate.js';
import { openapi } from '../openapi.js';

export const listMessagesQuery = z.object({
  state: z.enum(MESSAGE_STATES).optional(),
  account_id: z.string().min(1).max(200).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(100).optional(),
});

openapi.registerPath({
  method: 'get',
  path: '/api/messages',
  summary: 'Messages, newest first (summaries only)',
  request: { query: listMessagesQuery },
  responses: { 200: { description: '{ items: MessageSummary[], next_cursor }' }, 422: { description: 'invalid filter' } },
});
openapi.registerPath({
  method: 'get',
  path: '/api/messages/{id}',
  summary: 'One message with its event timeline',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: '{ message, timeline }' }, 404: { description: 'unknown id' } },
});
openapi.registerPath({
  method: 'delete',
  path: '/api/messages/{id}',
  request: { params: z.object({ id: z.string() }) },
  responses: { 200: { description: '{ ok: true }' }, 404: { description: 'unknown id' } },
});

/** The relay's own message routes: paginated summaries and a detail view with the timeline. */
export function messagesRoutes(relay: Relay): Router {
  const { store } = relay.ctx;
  const router = new Router({ prefix: '/api/messages' });

  router.get('/', (c) => {
    const q = parseQuery(c, listMessagesQuery);
    c.body = store.messages.list(q);
  });

  router.get('/:id', (c) => {
    const m = store.messages.get(c.params.id);
    if (!m) throw notFound('message', c.params.id);
    const { payload, ...rest } = m;
    c.body = {
      message: {
        ...rest,
        payload: {
          ...payload,
          body_size: payload.body.length,
          body: payload.body.length > 64 * 1024 ? `${payload.body.slice(0, 64 * 1024)}…` : payload.body,
          attachments: payload.attachments?.map((a) => ({
            filename: a.filename ?? null,
            source: a.s3 ? 's3' : a.url ? 'url' : 'content',
            ...(a.url ? { url: a.url } : {}),
            ...(a.s3 ? { s3: a.s3 } : {}),
            ...(a.content ? { size: Math.floor((a.content.length * 3) / 4) } : {}),
          })),
        },
      },
      timeline: store.messages.timeline(m.id, m.account_id),
    };
  });

  router.delete('/:id', (c) => {
    const r = relay.queue.deleteMessages([c.params.id]);
    if (r.removed === 0) throw notFound('message', c.params.id);
    c.body = { ok: true };
  });

  return router;
}
