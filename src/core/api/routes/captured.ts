import Router from '@koa/router';
import type { Relay } from '../../relay.js';

/** /api/captured (sandbox sink) */
export function capturedRoutes(relay: Relay): Router {
  void relay;
  return new Router();
}
