import Router from '@koa/router';
import type { Relay } from '../../relay.js';

/** GET /api/accounts, POST /api/accounts/{id}/verify, POST /api/messages/{id}/retry (delivery engine) */
export function accountsApiRoutes(relay: Relay): Router {
  void relay;
  return new Router();
}
