import { CAPTURED_READ_ROUTES } from './captured-read.js';
import { CAPTURED_TOOLS_ROUTES } from './captured-tools-routes.js';
import { CLASSIC_ROUTES, OTHER_ROUTES } from './classic-routes.js';
import { EMULATION_ROUTES } from './emulation.js';
import { MAILBOX_ROUTES } from './mailboxes.js';
import { MAILPIT_ROUTES } from './mailpit.js';
import { RELAY_ROUTES } from './relay-routes.js';
import type { ApiRoute } from './route-kit.js';
import { TENANT_ROUTES } from './tenant-routes.js';
import { TENANT_VIEW_ROUTES } from './tenant-views.js';

export type { ApiResponse, ApiRoute, HttpMethod } from './route-kit.js';
export { isAdminOnly } from './route-kit.js';
export { CAPTURED_TOOLS_ROUTES, CLASSIC_ROUTES, EMULATION_ROUTES, MAILPIT_ROUTES, OTHER_ROUTES, RELAY_ROUTES, TENANT_ROUTES, TENANT_VIEW_ROUTES };

/**
 * Every route of the API with its request and answer schemas: the server registers these for
 * OpenAPI (each entry is a zod-to-openapi RouteConfig) and the contract test checks real answers
 * against them.
 */
export const API_ROUTES: readonly ApiRoute[] = [...CLASSIC_ROUTES, ...TENANT_ROUTES, ...RELAY_ROUTES, ...CAPTURED_READ_ROUTES, ...CAPTURED_TOOLS_ROUTES, ...TENANT_VIEW_ROUTES, ...MAILPIT_ROUTES, ...EMULATION_ROUTES, ...MAILBOX_ROUTES, ...OTHER_ROUTES];
