import Router from '@koa/router';
import { z } from 'zod';
import type { RelayServices } from '../../services/index.js';
import { openapi } from '../openapi.js';

openapi.registerPath({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (text exposition format 0.0.4; token required)',
  responses: {
    200: { description: 'Prometheus text', content: { 'text/plain': { schema: z.string() } } },
    401: { description: 'missing or wrong token' },
  },
});

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
