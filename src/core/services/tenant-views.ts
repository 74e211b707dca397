import type { SyncStatusAnswer, TenantInfo, TenantOverview, TenantsOverview } from '../../shared/api/index.js';
import { DEFAULT_ATTACHMENT_PATH } from '../delivery/attachments/endpoints.js';
import type { TenantsService } from './tenants.js';

/** v0.6.10's sync path when a tenant names none (Genropy registers `/proxy_sync`). */
export const DEFAULT_SYNC_PATH = '/mail-proxy/sync';

/** The tenants as the web UI and `relay status` show them: configuration and report state, never a secret. */
export interface TenantViewsService {
  overview(): Promise<TenantsOverview>;
}

/**
 * base URL (trailing `/` removed) + path, as the relay calls it, with any user:password of the URL left
 * out; null without a base URL, or for one that is not a URL.
 */
export function endpointUrl(base: string | undefined, path: string | undefined, fallback: string): string | null {
  if (!base) return null;
  const p = path || fallback;
  const full = `${base.replace(/\/+$/, '')}${p.startsWith('/') ? p : `/${p}`}`;
  try {
    const u = new URL(full);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return null;
  }
}

type SyncRow = SyncStatusAnswer['tenants'][number];

/** The report loop's extra fields (last_ok_ts, last_error, pending), read when present and well-formed. */
function reportFields(row: SyncRow): Pick<TenantOverview, 'last_ok_ts' | 'last_error' | 'pending'> {
  const extra = row as Record<string, unknown>;
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  const out: Pick<TenantOverview, 'last_ok_ts' | 'last_error' | 'pending'> = {};
  const ok = int(extra.last_ok_ts);
  const pending = int(extra.pending);
  if (ok !== undefined) out.last_ok_ts = ok;
  if (typeof extra.last_error === 'string' && extra.last_error) out.last_error = extra.last_error;
  if (pending !== undefined) out.pending = pending;
  return out;
}

export function tenantOverviewOf(info: TenantInfo, sync: SyncRow | undefined): TenantOverview {
  const syncUrl = endpointUrl(info.client_base_url, info.client_sync_path, DEFAULT_SYNC_PATH);
  const attachmentUrl = endpointUrl(info.client_base_url, info.client_attachment_path, DEFAULT_ATTACHMENT_PATH);
  return {
    id: info.id,
    ...(info.name ? { name: info.name } : {}),
    active: info.active,
    ...(syncUrl ? { sync_url: syncUrl } : {}),
    ...(attachmentUrl ? { attachment_url: attachmentUrl } : {}),
    auth_method: info.client_auth?.method ?? 'none',
    ...(sync?.last_sync_ts !== undefined ? { last_sync_ts: sync.last_sync_ts } : {}),
    next_sync_due: sync?.next_sync_due ?? true,
    in_dnd: sync?.in_dnd ?? false,
    ...(sync ? reportFields(sync) : {}),
  };
}

export function createTenantViewsService(deps: { tenants: Pick<TenantsService, 'list' | 'syncStatus'> }): TenantViewsService {
  return {
    async overview() {
      const [infos, status] = await Promise.all([deps.tenants.list(false), deps.tenants.syncStatus()]);
      const byId = new Map(status.tenants.map((t) => [t.id, t]));
      return { items: infos.map((i) => tenantOverviewOf(i, byId.get(i.id))), sync_interval_seconds: status.sync_interval_seconds };
    },
  };
}
