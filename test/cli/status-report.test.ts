import { describe, expect, it } from 'vitest';
import { buildReport, render, type Answers } from '../../src/cli/status-report.js';

const answers = (tenants: Answers['tenants']): Answers => ({
  health: { ok: true, body: {} },
  unavailable: [],
  stats: null,
  accounts: null,
  settings: null,
  errors: null,
  tenants,
});

describe('status report: tenants', () => {
  it('counts a tenant whose reports fail as a problem, naming its URL and error (#14.6)', () => {
    const tenant = { id: 'acme', active: true, sync_url: 'https://acme.example/proxy_sync', auth_method: 'none' as const, next_sync_due: true, in_dnd: false };
    const r = buildReport('http://relay', answers({ items: [{ ...tenant, last_sync_ts: 200, last_ok_ts: 100, last_error: 'HTTP 500', pending: 4 }], sync_interval_seconds: 300 }));
    expect(r.problems).toEqual(['tenant acme: reporting to https://acme.example/proxy_sync failing: HTTP 500']);
    const text = render(r);
    expect(text).toContain('  acme: failing  https://acme.example/proxy_sync  last sync 1970-01-01 00:03:20Z, 4 pending');
    expect(text).toContain('    error: HTTP 500 (last ok 1970-01-01 00:01:40Z)');

    const ok = buildReport('http://relay', answers({ items: [{ ...tenant, last_sync_ts: 200, last_ok_ts: 200 }], sync_interval_seconds: 300 }));
    expect(ok.problems).toEqual([]);
    expect(ok.tenants?.[0].state).toBe('ok');
  });

  it('has no tenants section without tenants, or on a relay without /api/tenants', () => {
    expect(render(buildReport('http://relay', answers({ items: [], sync_interval_seconds: 300 })))).not.toContain('Tenants');
    expect(render(buildReport('http://relay', answers(null)))).not.toContain('Tenants');
  });
});
