import { describe, expect, it } from 'vitest';
import type { TenantOverview } from '../../../../src/renderer/src/api/types.js';
import { tenantSyncState } from '../../../../src/renderer/src/views/tenants/tenant-status.js';

const t = (patch: Partial<TenantOverview> = {}): TenantOverview => ({
  id: 'acme',
  active: true,
  sync_url: 'https://acme.example/proxy_sync',
  auth_method: 'basic',
  next_sync_due: false,
  in_dnd: false,
  ...patch,
});

describe('tenantSyncState', () => {
  it('names what stands in the way first: inactive, no endpoint', () => {
    expect(tenantSyncState(t({ active: false, last_error: 'x' }))).toEqual({ kind: 'inactive' });
    expect(tenantSyncState(t({ sync_url: undefined }))).toEqual({ kind: 'no_endpoint' });
  });

  it('reports failing while the error is newer than the last success', () => {
    expect(tenantSyncState(t({ last_error: 'HTTP 500', last_sync_ts: 200, last_ok_ts: 100 }))).toEqual({ kind: 'failing', error: 'HTTP 500' });
    expect(tenantSyncState(t({ last_error: 'HTTP 500' }))).toEqual({ kind: 'failing', error: 'HTTP 500' });
    expect(tenantSyncState(t({ last_error: 'old', last_sync_ts: 100, last_ok_ts: 100 }))).toEqual({ kind: 'ok', last: 100, due: false });
  });

  it('tells never synced, do-not-disturb and ok apart', () => {
    expect(tenantSyncState(t())).toEqual({ kind: 'never' });
    expect(tenantSyncState(t({ in_dnd: true, last_sync_ts: 9_999_999_999 }))).toEqual({ kind: 'dnd', until: 9_999_999_999 });
    expect(tenantSyncState(t({ last_sync_ts: 50, next_sync_due: true }))).toEqual({ kind: 'ok', last: 50, due: true });
  });
});
