import { describe, expect, it } from 'vitest';
import { endpointUrl, tenantOverviewOf } from '../../../src/core/services/tenant-views.js';

const info = { id: 'acme', active: true, created_at: '2026-01-01 00:00:00', updated_at: '2026-01-01 00:00:00' };
const sync = { id: 'acme', active: true, next_sync_due: false, in_dnd: false, last_sync_ts: 100 };

describe('tenant views', () => {
  it('joins base URL and path as the relay calls them, defaults included, without user:password', () => {
    expect(endpointUrl('https://a.example/base/', '/proxy_sync', '/x')).toBe('https://a.example/base/proxy_sync');
    expect(endpointUrl('https://a.example', undefined, '/mail-proxy/sync')).toBe('https://a.example/mail-proxy/sync');
    expect(endpointUrl('https://a.example', 'rel', '/x')).toBe('https://a.example/rel');
    expect(endpointUrl('http://u:p@a.example/b', '/s', '/x')).toBe('http://a.example/b/s');
    expect(endpointUrl(undefined, '/s', '/x')).toBeNull();
    expect(endpointUrl('not a url', '/s', '/x')).toBeNull();
  });

  it("shows the report loop's fields when the tenant has a loop", () => {
    expect(tenantOverviewOf(info, sync)).toEqual({ id: 'acme', active: true, auth_method: 'none', last_sync_ts: 100, next_sync_due: false, in_dnd: false });
    const withReport = { ...sync, last_ok_ts: 90, last_error: 'HTTP 500', pending_reports: 3 };
    expect(tenantOverviewOf(info, withReport)).toMatchObject({ last_ok_ts: 90, last_error: 'HTTP 500', pending: 3 });
    expect(tenantOverviewOf(info, { ...sync, last_error: '' })).not.toHaveProperty('last_error');
    expect(tenantOverviewOf(info, undefined)).toMatchObject({ next_sync_due: true, in_dnd: false });
  });
});
