import { z } from 'zod';
import { json, RELAY_401, RELAY_403, type ApiRoute } from './route-kit.js';
import { AUTH_METHODS } from './tenants.js';

/** GET /api/tenants: the tenants page of the web UI and `relay status` (admin only; never a secret). */

const int = z.number().int();

export const tenantOverview = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    active: z.boolean(),
    /** where delivery reports go: base URL + sync path, any user:password of the URL left out */
    sync_url: z.string().optional(),
    /** where endpoint attachments are fetched, as sync_url */
    attachment_url: z.string().optional(),
    /** how the relay authenticates to the application; the token or password itself is never shown */
    auth_method: z.enum(AUTH_METHODS),
    /** epoch seconds of the last sync (in the future: do-not-disturb until then); absent: never */
    last_sync_ts: int.optional(),
    next_sync_due: z.boolean(),
    in_dnd: z.boolean(),
    /** epoch seconds of the last acknowledged report, when the report loop tells */
    last_ok_ts: int.optional(),
    /** why the last report failed, when it did */
    last_error: z.string().optional(),
    /** outcomes waiting to be reported, when the report loop tells */
    pending: int.optional(),
  })
  .strict()
  .meta({ id: 'TenantOverview' });
export type TenantOverview = z.infer<typeof tenantOverview>;

/** A tenant's reports fail while its last error is newer than its last acknowledged report. */
export function tenantReportFailing(t: Pick<TenantOverview, 'last_error' | 'last_ok_ts' | 'last_sync_ts'>): boolean {
  return !!t.last_error && (t.last_ok_ts === undefined || (t.last_sync_ts ?? 0) > t.last_ok_ts);
}

export const tenantsOverview = z
  .object({ items: z.array(tenantOverview), sync_interval_seconds: int })
  .strict()
  .meta({ id: 'TenantsOverview' });
export type TenantsOverview = z.infer<typeof tenantsOverview>;

export const TENANT_VIEW_ROUTES: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '/api/tenants',
    summary: 'Registered tenants with their report state and endpoint URLs (no secrets); empty without tenants',
    responses: { 200: json(tenantsOverview, 'tenants'), ...RELAY_401, ...RELAY_403 },
  },
];
