import Router from '@koa/router';
import { RELAY_VERSION } from '../../version.js';

/** GET /openapi.json (public), built once on first request; the generator loads then, not at start. */
export function openapiRoutes(): Router {
  const router = new Router();
  let cached: object | null = null;
  router.get('/openapi.json', async (c) => {
    cached ??= (await import('../openapi.js')).openApiDocument(RELAY_VERSION);
    c.body = cached;
  });
  return router;
}
