import { tenantReportFailing } from '../../../../shared/api/index.js';
import type { TenantOverview } from '../../api/types.js';

/** How a tenant's delivery reports stand, as one word and a sentence (pure: tested without a page). */
export type TenantSyncState =
  | { kind: 'inactive' }
  | { kind: 'no_endpoint' }
  | { kind: 'failing'; error: string }
  | { kind: 'dnd'; until: number }
  | { kind: 'never' }
  | { kind: 'ok'; last: number; due: boolean };

export function tenantSyncState(t: TenantOverview): TenantSyncState {
  if (!t.active) return { kind: 'inactive' };
  if (!t.sync_url) return { kind: 'no_endpoint' };
  if (tenantReportFailing(t)) return { kind: 'failing', error: t.last_error ?? '' };
  if (t.in_dnd && t.last_sync_ts !== undefined) return { kind: 'dnd', until: t.last_sync_ts };
  if (t.last_sync_ts === undefined) return { kind: 'never' };
  return { kind: 'ok', last: t.last_sync_ts, due: t.next_sync_due };
}

export const SYNC_LABEL: Record<TenantSyncState['kind'], string> = {
  inactive: 'inactive',
  no_endpoint: 'no endpoint',
  failing: 'failing',
  dnd: 'do not disturb',
  never: 'never synced',
  ok: 'ok',
};
