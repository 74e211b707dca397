import type { SyncStatusAnswer, TenantInfo, TenantOverview, TenantsOverview } from '../../shared/api/index.js';
import { DEFAULT_ATTACHMENT_PATH, DEFAULT_SYNC_PATH, tenantEndpointUrl } from '../tenants/endpoint-url.js';
import type { TenantsService } from './tenants.js';

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
  try {
    const u = new URL(tenantEndpointUrl(base, path, fallback));
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return null;
  }
}

type SyncRow = SyncStatusAnswer['tenants'][number];

/** The report loop's fields, absent for a tenant without a loop (inactive, or no client_base_url). */
function reportFields(row: SyncRow): Pick<TenantOverview, 'last_ok_ts' | 'last_error' | 'pending'> {
  const out: Pick<TenantOverview, 'last_ok_ts' | 'last_error' | 'pending'> = {};
  if (row.last_ok_ts !== undefined) out.last_ok_ts = row.last_ok_ts;
  if (row.last_error) out.last_error = row.last_error;
  if (row.pending_reports !== undefined) out.pending = row.pending_reports;
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
