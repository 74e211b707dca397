import Koa from 'koa';
import type Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Logger } from 'pino';
import { API_ROUTES } from '../../shared/api/routes.js';
import type { RelayServices } from '../services/index.js';
import { errorMiddleware } from './middleware/errors.js';
import { authMiddleware } from './middleware/auth.js';
import { classicRoutes } from './routes/classic.js';
import { messagesRoutes } from './routes/messages.js';
import { settingsRoutes } from './routes/settings.js';
import { statsRoutes } from './routes/stats.js';
import { accountsApiRoutes } from './routes/accounts-api.js';
import { capturedRoutes } from './routes/captured.js';
import { eventsRoutes } from './routes/events.js';
import { sendRoutes } from './routes/send.js';
import { metricsRoutes } from './routes/metrics.js';
import { openapiRoutes } from './routes/openapi.js';
import { uiRoutes, isUiAsset } from './routes/ui.js';

/** the routes the contract declares public (`security: []`): /health and /openapi.json */
const PUBLIC_PATHS = new Set(API_ROUTES.filter((r) => r.security?.length === 0).map((r) => r.path));

export interface ApiAppOptions {
  services: RelayServices;
  /** the API token every non-public route needs */
  token: string;
  logger: Logger;
  bodyLimitBytes: number;
  /** folder of the built web UI (null: out/renderer in the project) */
  uiDir: string | null;
}

/** Koa app: routes -> small handlers -> core services; one error middleware; zod at the edges. */
export function createApiApp(opts: ApiAppOptions): Koa {
  const app = new Koa();
  app.proxy = false;
  app.silent = true;
  const { logger, services } = opts;

  app.use(errorMiddleware(logger));
  app.use(
    authMiddleware({
      token: opts.token,
      isPublic: (ctx) => PUBLIC_PATHS.has(ctx.path) || ((ctx.method === 'GET' || ctx.method === 'HEAD') && isUiAsset(ctx.path)),
      allowsQueryToken: (ctx) => ctx.path === '/api/events' || /^\/api\/captured\/[^/]+\/(raw|attachments\/\d+|html)$/.test(ctx.path),
    }),
  );
  app.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: opts.bodyLimitBytes,
      // genro-mail-proxy clients always send JSON; accept a body without a content type as JSON too
      detectJSON: (ctx) => !ctx.get('Content-Type'),
      encoding: 'utf-8',
    }),
  );

  for (const router of apiRouters(services, opts.uiDir)) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}

/** Every router of the app, in the order they are tried (the UI's catch-all last). */
export function apiRouters(services: RelayServices, uiDir: string | null): Router[] {
  return [
    classicRoutes(services),
    messagesRoutes(services),
    settingsRoutes(services),
    statsRoutes(services),
    accountsApiRoutes(services),
    capturedRoutes(services),
    eventsRoutes(services),
    sendRoutes(services),
    metricsRoutes(services),
    openapiRoutes(),
    uiRoutes(uiDir),
  ];
}
