import Router from '@koa/router';
import type { TenantsOverview } from '../../../shared/api/index.js';
import type { RelayServices } from '../../services/index.js';

/** GET /api/tenants: the web UI's tenants page (admin token; no secrets). */
export function tenantViewRoutes(services: Pick<RelayServices, 'tenantViews'>): Router {
  const router = new Router();
  router.get('/api/tenants', async (c) => {
    c.body = (await services.tenantViews.overview()) satisfies TenantsOverview;
  });
  return router;
}
