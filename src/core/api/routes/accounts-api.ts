import Router from '@koa/router';
import { tenantQuery, type AccountsPage, type RetryAnswer, type VerifyResult } from '../../../shared/api/index.js';
import type { RelayServices } from '../../services/index.js';
import { parseQuery } from '../validate.js';

/** GET /api/accounts, POST /api/accounts/{id}/verify, POST /api/messages/{id}/retry (delivery engine) */
export function accountsApiRoutes(services: Pick<RelayServices, 'accounts' | 'messages'>): Router {
  const { accounts, messages } = services;
  const router = new Router();

  router.get('/api/accounts', async (c) => {
    c.body = { items: await accounts.listWithDelivery(), next_cursor: null } satisfies AccountsPage;
  });

  router.post('/api/accounts/:id/verify', async (c) => {
    const { tenant_id } = parseQuery(c, tenantQuery);
    c.body = (await accounts.verify(tenant_id ?? '', c.params.id)) satisfies VerifyResult;
  });

  router.post('/api/messages/:id/retry', async (c) => {
    const { tenant_id } = parseQuery(c, tenantQuery);
    c.body = { ok: true, message: await messages.retry({ tenant_id: tenant_id ?? '', id: c.params.id }) } satisfies RetryAnswer;
  });

  return router;
}
