import Router from '@koa/router';
import type { Relay } from '../../relay.js';

/** GET /metrics */
export function metricsRoutes(relay: Relay): Router {
  void relay;
  return new Router();
}
