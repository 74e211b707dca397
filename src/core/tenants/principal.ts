import { DEFAULT_TENANT } from '../store/records.js';

/** Who is calling: the configured token (every tenant, every route) or a tenant's API key. */
export type Principal = { kind: 'admin' } | { kind: 'tenant'; tenantId: string };

export const ADMIN: Principal = { kind: 'admin' };

export type TenantScope =
  | { ok: true; tenantId: string }
  /** a tenant token naming another tenant */
  | { ok: false };

/**
 * The tenant a classic call acts for: the one it names (an empty name counts as none), else the
 * tenant token's, else the default tenant. A tenant token may only name its own tenant.
 */
export function tenantScope(caller: Principal, named: string | null | undefined): TenantScope {
  const name = named ? named : null;
  if (caller.kind === 'admin') return { ok: true, tenantId: name ?? DEFAULT_TENANT };
  if (name !== null && name !== caller.tenantId) return { ok: false };
  return { ok: true, tenantId: caller.tenantId };
}
