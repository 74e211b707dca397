import crypto from 'node:crypto';
import type Koa from 'koa';
import { RelayError } from '../../errors.js';
import type { Principal } from '../../services/index.js';

function digest(s: string): Buffer {
  return crypto.createHash('sha256').update(s).digest();
}

/** Constant-time token comparison (hashing first makes the lengths equal). */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  return crypto.timingSafeEqual(digest(given.trim()), digest(expected));
}

/** The token of a request: X-API-Token, Bearer or Basic's password; headers only, never the URL (URLs end up in logs). */
export function tokenFromRequest(ctx: Koa.Context): string | undefined {
  const header = ctx.get('X-API-Token');
  if (header) return header;
  const auth = ctx.get('Authorization');
  const m = /^Bearer\s+(.+)$/i.exec(auth);
  if (m) return m[1];
  // Mailpit's clients send HTTP Basic: any user name, the token as the password
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(auth);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0 && colon < decoded.length - 1) return decoded.slice(colon + 1);
  }
  return undefined;
}

/**
 * Who may call a route: anyone; any valid token (the classic routes, where a tenant token acts for
 * its tenant); the admin token only, with the relay's own answers (/api, /metrics) or with genro-mail-proxy
 * v0.6.10's (the tenant administration routes).
 */
export type Access = 'public' | 'any' | 'relay' | 'admin';

export interface AuthOptions {
  /** the caller a token stands for, or null for an unknown one */
  authenticate(token: string | undefined): Promise<Principal | null>;
  access(ctx: Koa.Context): Access;
}

const TENANT_NOT_ALLOWED = 'Admin token required, tenant tokens not allowed for this operation';

/** Resolves the caller (ctx.state.principal) and refuses what its token may not do. */
export function authMiddleware(opts: AuthOptions): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'OPTIONS') return next();
    const access = opts.access(ctx);
    if (access === 'public') return next();
    const token = tokenFromRequest(ctx);
    const principal = await opts.authenticate(token);
    if (!principal) {
      throw new RelayError(401, 'unauthorized', access === 'admin' && !token ? 'Admin token required' : 'Invalid or missing API token');
    }
    if (principal.kind === 'tenant' && access !== 'any') throw new RelayError(403, 'forbidden', TENANT_NOT_ALLOWED);
    ctx.state.principal = principal;
    return next();
  };
}

/** The caller authMiddleware resolved (routes behind it always have one). */
export function principalOf(ctx: Koa.Context): Principal {
  const p = (ctx.state as { principal?: Principal }).principal;
  if (!p) throw new RelayError(401, 'unauthorized', 'Invalid or missing API token');
  return p;
}
