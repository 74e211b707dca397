import Router from '@koa/router';
import {
  tenantBody,
  tenantPatchBody,
  tenantsQuery,
  type ApiKeyAnswer,
  type OkAnswer,
  type SavedAnswer,
  type SyncStatusAnswer,
  type TenantInfo,
  type TenantsAnswer,
} from '../../../shared/api/index.js';
import type { RelayServices } from '../../services/index.js';
import { principalOf } from '../middleware/auth.js';
import { parseBody, parseQuery } from '../validate.js';

/** genro-mail-proxy v0.6.10's tenants: registration, configuration, API keys (admin-only ones per the route table). */
export function tenantRoutes(services: Pick<RelayServices, 'tenants'>): Router {
  const { tenants } = services;
  // exact paths only: the auth middleware tells admin routes by their exact path, so a route that also
  // matched '/tenant/x/' or '/TENANTS' would run for a tenant token
  const router = new Router({ strict: true, sensitive: true });

  router.post('/tenant', async (c) => {
    c.body = (await tenants.register(parseBody(c, tenantBody))) satisfies ApiKeyAnswer;
  });

  router.get('/tenants', async (c) => {
    const q = parseQuery(c, tenantsQuery);
    const activeOnly = ['1', 'true', 'yes', 'on'].includes((q.active_only ?? '').toLowerCase());
    c.body = { ok: true, tenants: await tenants.list(activeOnly) } satisfies TenantsAnswer;
  });

  router.get('/tenants/sync-status', async (c) => {
    c.body = (await tenants.syncStatus()) satisfies SyncStatusAnswer;
  });

  router.get('/tenant/:id', async (c) => {
    c.body = (await tenants.get(principalOf(c), c.params.id)) satisfies TenantInfo;
  });

  router.put('/tenant/:id', async (c) => {
    const dropped = await tenants.update(principalOf(c), c.params.id, parseBody(c, tenantPatchBody));
    c.body = { ok: true, ...dropped } satisfies SavedAnswer;
  });

  router.delete('/tenant/:id', async (c) => {
    await tenants.delete(c.params.id);
    c.body = { ok: true } satisfies OkAnswer;
  });

  router.post('/tenant/:id/api-key', async (c) => {
    c.body = (await tenants.createApiKey(c.params.id)) satisfies ApiKeyAnswer;
  });

  router.delete('/tenant/:id/api-key', async (c) => {
    await tenants.revokeApiKey(c.params.id);
    c.body = { ok: true } satisfies OkAnswer;
  });

  return router;
}
