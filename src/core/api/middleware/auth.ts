import crypto from 'node:crypto';
import type Koa from 'koa';
import { RelayError } from '../../errors.js';

function digest(s: string): Buffer {
  return crypto.createHash('sha256').update(s).digest();
}

/** Constant-time token comparison (hashing first makes the lengths equal). */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  return crypto.timingSafeEqual(digest(given.trim()), digest(expected));
}

export function tokenFromRequest(ctx: Koa.Context, allowQuery: boolean): string | undefined {
  const header = ctx.get('X-API-Token');
  if (header) return header;
  const auth = ctx.get('Authorization');
  const m = /^Bearer\s+(.+)$/i.exec(auth);
  if (m) return m[1];
  if (allowQuery && typeof ctx.query.token === 'string') return ctx.query.token;
  return undefined;
}

export interface AuthOptions {
  token: string;
  /** paths that need no token (health, the UI's static files) */
  isPublic: (ctx: Koa.Context) => boolean;
  /** paths that may carry the token as ?token= (EventSource cannot set headers) */
  allowsQueryToken: (ctx: Koa.Context) => boolean;
}

export function authMiddleware(opts: AuthOptions): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'OPTIONS' || opts.isPublic(ctx)) return next();
    if (!tokenMatches(tokenFromRequest(ctx, opts.allowsQueryToken(ctx)), opts.token)) {
      throw new RelayError(401, 'unauthorized', 'Invalid or missing API token');
    }
    return next();
  };
}
