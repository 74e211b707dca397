import { RelayError } from '../errors.js';
import { tenantScope, type Principal } from '../tenants/principal.js';

export type { Principal } from '../tenants/principal.js';
export { ADMIN } from '../tenants/principal.js';

/** genro-mail-proxy v0.6.10's answer to a tenant token naming another tenant. */
export const notYourTenant = (): RelayError => new RelayError(401, 'unauthorized', 'Token not authorized for this tenant');

/** The tenant a call acts for (see tenantScope); 401 when a tenant token names another tenant. */
export function scopeOf(caller: Principal, named: string | null | undefined): string {
  const scope = tenantScope(caller, named);
  if (!scope.ok) throw notYourTenant();
  return scope.tenantId;
}
