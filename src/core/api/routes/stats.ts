import Router from '@koa/router';
import type { Stats } from '../../../shared/api/index.js';
import type { RelayServices } from '../../services/index.js';

/** GET /api/stats */
export function statsRoutes(services: Pick<RelayServices, 'stats'>): Router {
  const router = new Router();
  router.get('/api/stats', async (c) => {
    c.body = (await services.stats.overview()) satisfies Stats;
  });
  return router;
}
