import Router from '@koa/router';
import type { Relay } from '../../relay.js';

/** the web UI's static files at / */
export function uiRoutes(relay: Relay): Router {
  void relay;
  return new Router();
}

/** Paths of the web UI's static files (public: they hold no data). */
export function isUiAsset(path: string): boolean {
  return path === '/' || path === '/index.html' || path.startsWith('/assets/') || path === '/favicon.svg';
}
