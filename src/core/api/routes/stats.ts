import Router from '@koa/router';
import type { RelayServices } from '../../services/index.js';
import { openapi } from '../openapi.js';

openapi.registerPath({ method: 'get', path: '/api/stats', summary: 'Counts by state, per account; report status', responses: { 200: { description: 'stats' } } });

export function statsRoutes(services: Pick<RelayServices, 'stats'>): Router {
  const router = new Router();
  router.get('/api/stats', async (c) => {
    c.body = await services.stats.overview();
  });
  return router;
}
