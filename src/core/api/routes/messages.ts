import Router from '@koa/router';
import { z } from 'zod';
import { MESSAGE_STATES } from '../../messages/types.js';
import type { RelayServices } from '../../services/index.js';
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
export function messagesRoutes(services: Pick<RelayServices, 'messages'>): Router {
  const { messages } = services;
  const router = new Router({ prefix: '/api/messages' });

  router.get('/', async (c) => {
    c.body = await messages.list(parseQuery(c, listMessagesQuery));
  });

  router.get('/:id', async (c) => {
    c.body = await messages.detail(c.params.id);
  });

  router.delete('/:id', async (c) => {
    await messages.delete(c.params.id);
    c.body = { ok: true };
  });

  return router;
}
