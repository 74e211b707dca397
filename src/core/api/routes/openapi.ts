import Router from '@koa/router';
import { openApiDocument } from '../openapi.js';
import { RELAY_VERSION } from '../../version.js';

/** GET /openapi.json (public), built once on first request. */
export function openapiRoutes(): Router {
  const router = new Router();
  let cached: object | null = null;
  router.get('/openapi.json', (c) => {
    cached ??= openApiDocument(RELAY_VERSION);
    c.body = cached;
  });
  return router;
}
