import Router from '@koa/router';
import type { RelayServices } from '../../services/index.js';

/** GET /metrics */
export function metricsRoutes(services: Pick<RelayServices, 'metrics'>): Router {
  const { metrics } = services;
  const router = new Router();
  router.get('/metrics', async (c) => {
    const text = await metrics.render();
    c.body = text;
    c.set('Content-Type', metrics.contentType);
    c.set('Cache-Control', 'no-store');
  });
  return router;
}
