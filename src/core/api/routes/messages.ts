import Router from '@koa/router';
import type Koa from 'koa';
import { listMessagesQuery, tenantQuery, type MessageDetail, type MessagesPage, type OkAnswer } from '../../../shared/api/index.js';
import type { RelayServices } from '../../services/index.js';
import { parseQuery } from '../validate.js';

/** The relay's own message routes: paginated summaries and a detail view with the timeline. */
export function messagesRoutes(services: Pick<RelayServices, 'messages'>): Router {
  const { messages } = services;
  const router = new Router({ prefix: '/api/messages' });

  router.get('/', async (c) => {
    c.body = (await messages.list(parseQuery(c, listMessagesQuery))) satisfies MessagesPage;
  });

  /** a message of the default tenant, or of ?tenant_id= */
  const keyOf = (c: Koa.Context, id: string) => ({ tenant_id: parseQuery(c, tenantQuery).tenant_id ?? '', id });

  router.get('/:id', async (c) => {
    c.body = (await messages.detail(keyOf(c, c.params.id))) satisfies MessageDetail;
  });

  router.delete('/:id', async (c) => {
    await messages.delete(keyOf(c, c.params.id));
    c.body = { ok: true } satisfies OkAnswer;
  });

  return router;
}
