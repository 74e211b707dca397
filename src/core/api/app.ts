import Koa from 'koa';
import type Router from '@koa/router';
import type { Logger } from 'pino';
import { API_ROUTES, isAdminOnly, type ApiRoute } from '../../shared/api/routes.js';
import type { RelayServices } from '../services/index.js';
import { errorMiddleware, isClassicPath } from './middleware/errors.js';
import { authMiddleware, type Access } from './middleware/auth.js';
import { hostCheckMiddleware, type HostPolicy } from './middleware/host-check.js';
import { jsonBody } from './middleware/json-body.js';
import { classicRoutes } from './routes/classic.js';
import { tenantRoutes } from './routes/tenants.js';
import { tenantViewRoutes } from './routes/tenant-views.js';
import { messagesRoutes } from './routes/messages.js';
import { settingsRoutes } from './routes/settings.js';
import { statsRoutes } from './routes/stats.js';
import { accountsApiRoutes } from './routes/accounts-api.js';
import { capturedRoutes } from './routes/captured.js';
import { capturedReadRoutes } from './routes/captured-read.js';
import { capturedToolsRoutes } from './routes/captured-tools.js';
import { mailpitRoutes } from './routes/mailpit.js';
import { emulationRoutes } from './routes/emulation.js';
import { mailboxesRoutes } from './routes/mailboxes.js';
import { eventsRoutes } from './routes/events.js';
import { sendRoutes } from './routes/send.js';
import { metricsRoutes } from './routes/metrics.js';
import { openapiRoutes } from './routes/openapi.js';
import { uiRoutes, isUiAsset } from './routes/ui.js';

/** the routes the contract declares public (`security: []`): /health, /openapi.json, /livez and /readyz */
const PUBLIC_PATHS = new Set(API_ROUTES.filter((r) => r.security?.length === 0).map((r) => r.path));

const matcher = (r: ApiRoute) => ({ method: r.method.toUpperCase(), path: new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`) });
/** the tenant administration of genro-mail-proxy v0.6.10 (`security: ADMIN_ONLY`) */
const ADMIN_ROUTES = API_ROUTES.filter(isAdminOnly).map(matcher);

/** Who may call what (see Access): the relay's own routes and the tenant administration are the admin token's. */
export function accessOf(ctx: Koa.Context): Access {
  if (PUBLIC_PATHS.has(ctx.path) || ((ctx.method === 'GET' || ctx.method === 'HEAD') && isUiAsset(ctx.path))) return 'public';
  // the routers match any letter case and a trailing slash: so must this, or /API/messages is not /api/*
  const p = routedPath(ctx.path);
  if (ADMIN_ROUTES.some((r) => r.method === ctx.method && r.path.test(p))) return 'admin';
  if (!isClassicPath(p) || p === '/metrics') return 'relay';
  return 'any';
}

/** A path as the routers compare it: letter case and trailing slashes do not count. */
export function routedPath(path: string): string {
  return path.toLowerCase().replace(/\/+$/, '') || '/';
}

export interface ApiAppOptions {
  services: RelayServices;
  logger: Logger;
  /** the largest body of the relay's own routes (/api/*) */
  bodyLimitBytes: number;
  /** the largest body of the genro-mail-proxy routes (a 1,000-message add-messages) */
  classicBodyLimitBytes: number;
  /** folder of the built web UI (null: out/renderer in the project) */
  uiDir: string | null;
  /** the Host names served (DNS rebinding guard) */
  hosts: HostPolicy;
}

/** Koa app: routes -> small handlers -> core services; one error middleware; zod at the edges. */
export function createApiApp(opts: ApiAppOptions): Koa {
  const app = new Koa();
  app.proxy = false;
  app.silent = true;
  const { logger, services } = opts;

  app.use(errorMiddleware(logger));
  app.use(hostCheckMiddleware(opts.hosts));
  app.use(authMiddleware({ authenticate: (token) => services.tenants.authenticate(token), access: accessOf }));
  app.use(jsonBody({ limitFor: (ctx) => (isClassicPath(routedPath(ctx.path)) ? opts.classicBodyLimitBytes : opts.bodyLimitBytes) }));

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
    tenantRoutes(services),
    tenantViewRoutes(services),
    messagesRoutes(services),
    settingsRoutes(services),
    statsRoutes(services),
    accountsApiRoutes(services),
    capturedRoutes(services),
    capturedReadRoutes(services),
    capturedToolsRoutes(services),
    mailpitRoutes(services),
    emulationRoutes(services),
    mailboxesRoutes(services),
    eventsRoutes(services),
    sendRoutes(services),
    metricsRoutes(services),
    openapiRoutes(),
    uiRoutes(uiDir),
  ];
}
