import Router from '@koa/router';
import type Koa from 'koa';
import type { ChaosTriggers, EmulationView } from '../../../shared/api/emulation.js';
import { RelayError } from '../../errors.js';
import type { RelayServices } from '../../services/index.js';

const bodyOf = (c: Koa.Context): unknown => (c.request as { body?: unknown }).body ?? {};

/** Mailpit answers a refused PUT as text/plain 400 */
function mailpitText(handler: Koa.Middleware): Koa.Middleware {
  return async (c, next) => {
    try {
      await handler(c, next);
    } catch (err) {
      if (!(err instanceof RelayError) || err.status !== 400) throw err;
      c.status = 400;
      c.type = 'text/plain';
      c.body = err.message;
    }
  };
}

/** GET/PUT/DELETE /api/emulation and Mailpit's GET/PUT /api/v1/chaos */
export function emulationRoutes(services: Pick<RelayServices, 'emulation'>): Router {
  const { emulation } = services;
  const router = new Router();
  router.get('/api/emulation', async (c) => {
    c.body = (await emulation.view()) satisfies EmulationView;
  });
  router.put('/api/emulation', async (c) => {
    c.body = (await emulation.replace(bodyOf(c))) satisfies EmulationView;
  });
  router.delete('/api/emulation', async (c) => {
    c.body = (await emulation.reset()) satisfies EmulationView;
  });
  router.get('/api/v1/chaos', (c) => {
    c.body = emulation.chaos() satisfies ChaosTriggers;
  });
  router.put(
    '/api/v1/chaos',
    mailpitText(async (c) => {
      c.body = (await emulation.setChaos(bodyOf(c))) satisfies ChaosTriggers;
    }),
  );
  return router;
}
