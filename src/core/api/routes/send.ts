import Router from '@koa/router';
import type { Relay } from '../../relay.js';

/** POST /api/send */
export function sendRoutes(relay: Relay): Router {
  void relay;
  return new Router();
}
