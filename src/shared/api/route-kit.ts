import { z } from 'zod';
import { classicError, relayError } from './errors.js';

/** The shape of a route entry (a zod-to-openapi RouteConfig) and the helpers the route tables share. */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

// type aliases, not interfaces: zod-to-openapi's RouteConfig wants implicit index signatures
type Content = Record<string, { schema: z.ZodType }>;

export type ApiResponse = {
  description: string;
  content?: Content;
};

export type ApiRoute = {
  method: HttpMethod;
  /** OpenAPI template: /api/messages/{id} */
  path: string;
  summary?: string;
  description?: string;
  /** [] for a public route (no token) */
  security?: Record<string, string[]>[];
  request?: {
    params?: z.ZodObject;
    query?: z.ZodObject;
    body?: { content: Content };
  };
  responses: Record<number, ApiResponse>;
};

export const json = (schema: z.ZodType, description: string): ApiResponse => ({ description, content: { 'application/json': { schema } } });
export const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
export const raw = (mediaType: string, description: string): ApiResponse => ({ description, content: { [mediaType]: { schema: z.string() } } });

export const idParams = z.object({ id: z.string() });

/** Routes only the configured (admin) token may call: a tenant's API key gets 403 there. */
export const ADMIN_ONLY: Record<string, string[]>[] = [{ AdminToken: [] }];
export const isAdminOnly = (r: ApiRoute): boolean => r.security?.some((s) => 'AdminToken' in s) ?? false;
export const attachmentParams = z.object({ id: z.string(), index: z.string() });

// the classic routes answer errors as {detail}, the relay's /api routes as {error: {code, message}}
export const classicFail = (description: string) => json(classicError, description);
export const relayFail = (description: string) => json(relayError, description);
export const CLASSIC_401 = { 401: classicFail('missing or wrong token, or a tenant token naming another tenant') };
export const RELAY_401 = { 401: relayFail('missing or wrong token') };
/** the relay's own routes and the tenant administration are the admin token's */
export const CLASSIC_403 = { 403: classicFail('a tenant token: the admin token is required') };
export const RELAY_403 = { 403: relayFail('a tenant token: the admin token is required') };
