import Router from '@koa/router';
import type { Relay } from '../../relay.js';

export function openapiRoutes(relay: Relay): Router {
  void relay;
  return new Router();
}
