import type { ActiveAnswer, SuspensionAnswer } from '../../shared/api/index.js';
import type { RelayBus } from '../events.js';
import type { Reporter } from '../report/reporter.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import { scopeOf, type Principal } from './scope.js';
import type { TenantsService } from './tenants.js';

/** suspend/activate: `?tenant_id=` and `?batch_code=` of the call. */
export interface SuspensionRequest {
  tenant_id?: string;
  batch_code?: string;
}

/** genro-mail-proxy's commands: status, run-now, suspend, activate (for the whole relay, or one tenant). */
export interface ControlService {
  /** dispatch and reporting are not suspended */
  active(): boolean;
  /**
   * Dispatch due messages, and sync the caller's tenant (`?tenant_id=` or the tenant token's) with its
   * application even with nothing to report; an admin naming no tenant syncs every application.
   */
  runNow(caller: Principal, req: { tenant_id?: string }): void;
  /**
   * With a tenant (named, or the tenant token's): holds its batch, or all its messages, back from
   * dispatch (v0.6.10). Without one (admin token): pauses the whole relay, as before tenants.
   */
  suspend(caller: Principal, req: SuspensionRequest): Promise<ActiveAnswer | SuspensionAnswer>;
  /** The reverse of suspend; the whole relay resumes, and reporting wakes with the change. */
  activate(caller: Principal, req: SuspensionRequest): Promise<ActiveAnswer | SuspensionAnswer>;
}

export interface ControlServiceDeps {
  settings: RuntimeSettings;
  bus: Pick<RelayBus, 'emit'>;
  tenants: Pick<TenantsService, 'suspend' | 'activate'>;
  reporting: Pick<Reporter, 'runNow'>;
}

/** The tenant a command acts on (401 for another tenant's); null: the whole relay (an admin naming none). */
function tenantOf(caller: Principal, req: SuspensionRequest): string | null {
  if (caller.kind === 'admin' && !req.tenant_id) return null;
  return scopeOf(caller, req.tenant_id);
}

export function createControlService(deps: ControlServiceDeps): ControlService {
  const { settings, bus, tenants } = deps;
  return {
    active: () => !settings.current().paused,
    runNow(caller, req) {
      // 401 for another tenant's id, before anything wakes
      const tenant = tenantOf(caller, req);
      bus.emit('dispatch.wake');
      // the whole relay: announced as before tenants (final outcomes may wait), and every application synced
      if (tenant === null) bus.emit('report.wake');
      deps.reporting.runNow(tenant);
    },
    async suspend(caller, req) {
      const tenant = tenantOf(caller, req);
      if (tenant !== null) return tenants.suspend(tenant, req.batch_code || null);
      await settings.update({ paused: true });
      return { ok: true, active: false };
    },
    async activate(caller, req) {
      const tenant = tenantOf(caller, req);
      if (tenant !== null) return tenants.activate(tenant, req.batch_code || null);
      await settings.update({ paused: false });
      return { ok: true, active: true };
    },
  };
}
