import Router from '@koa/router';
import type { Relay } from '../../relay.js';

/** GET /api/events (Server-Sent Events) */
export function eventsRoutes(relay: Relay): Router {
  void relay;
  return new Router();
}
