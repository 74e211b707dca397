import type { Tenant } from '../store/ports.js';
import { DEFAULT_SYNC_PATH, tenantEndpointUrl } from '../tenants/endpoint-url.js';
import type { SyncAnswer, SyncTarget } from './sync-client.js';

/**
 * Pure decisions of the per-tenant report loops: where a tenant's proxy_sync goes, whether an answer
 * acknowledges the reports it carried, and which loops must start, change or stop when tenants change.
 */


/**
 * `genropy`: only a JSON object acknowledges (a registered tenant is a Genropy application: any other
 * body is a wrong URL). `lenient`: the default tenant's application may answer any 2xx body, as before.
 * In both, a string `error` refuses: Genropy answers a failed login with 200 `{"error": "<text>"}`.
 */
export type AckPolicy = 'genropy' | 'lenient';

export type Acknowledgement = { kind: 'acknowledged' } | { kind: 'refused'; reason: string };

export function acknowledgement(answer: SyncAnswer, policy: AckPolicy): Acknowledgement {
  if (answer.errorText !== null) return { kind: 'refused', reason: `HTTP ${answer.status} with error: ${answer.errorText}` };
  if (!answer.json && policy === 'genropy') return { kind: 'refused', reason: `HTTP ${answer.status} without a JSON object` };
  return { kind: 'acknowledged' };
}

/** The tenant fields a report loop depends on. */
export type TenantSyncFields = Pick<Tenant, 'id' | 'active' | 'client_base_url' | 'client_sync_path' | 'client_auth'>;

export type TenantTarget =
  | { kind: 'target'; target: SyncTarget; url: string }
  | { kind: 'none'; reason: 'inactive' | 'no_base_url' };

/** base URL (trailing `/` removed) + sync path, with the tenant's `client_auth` (genro-mail-proxy v0.6.10). */
export function tenantSyncTarget(t: TenantSyncFields): TenantTarget {
  if (!t.active) return { kind: 'none', reason: 'inactive' };
  if (!t.client_base_url) return { kind: 'none', reason: 'no_base_url' };
  const url = tenantEndpointUrl(t.client_base_url, t.client_sync_path, DEFAULT_SYNC_PATH);
  const a = t.client_auth;
  const target: SyncTarget = {
    url,
    token: a?.method === 'bearer' ? (a.token ?? '') : null,
    user: a?.method === 'basic' ? (a.user ?? '') : null,
    password: a?.method === 'basic' ? (a.password ?? '') : null,
  };
  return { kind: 'target', target, url };
}

/** What identifies a destination: a change of any of these starts the loop afresh (no inherited backoff). */
export function targetKey(target: SyncTarget): string {
  return JSON.stringify([target.url, target.user, target.password, target.token]);
}

export interface LoopPlan {
  /** tenants that need a loop and have none */
  start: { id: string; target: SyncTarget }[];
  /** tenants whose destination changed */
  retarget: { id: string; target: SyncTarget }[];
  /** loops whose tenant is gone, inactive or without a base URL */
  stop: string[];
}

/** Compares the running loops (tenant id → targetKey) with the tenants as stored now. */
export function planLoops(running: ReadonlyMap<string, string>, tenants: readonly TenantSyncFields[]): LoopPlan {
  const plan: LoopPlan = { start: [], retarget: [], stop: [] };
  const wanted = new Set<string>();
  for (const t of tenants) {
    const dest = tenantSyncTarget(t);
    if (dest.kind === 'none') continue;
    wanted.add(t.id);
    const key = running.get(t.id);
    if (key === undefined) plan.start.push({ id: t.id, target: dest.target });
    else if (key !== targetKey(dest.target)) plan.retarget.push({ id: t.id, target: dest.target });
  }
  for (const id of running.keys()) if (!wanted.has(id)) plan.stop.push(id);
  return plan;
}
