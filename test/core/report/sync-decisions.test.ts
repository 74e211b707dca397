import { describe, expect, it } from 'vitest';
import { interpretAnswer } from '../../../src/core/report/sync-client.js';
import { acknowledgement, planLoops, targetKey, tenantSyncTarget, type TenantSyncFields } from '../../../src/core/report/sync-decisions.js';

const NOW = 1_780_000_000;
const answer = (status: number, body: string) => interpretAnswer(status, body, NOW);

function tenant(id: string, patch: Partial<TenantSyncFields> = {}): TenantSyncFields {
  return {
    id,
    active: true,
    client_base_url: `http://127.0.0.1:9/${id}/mp_endpoint`,
    client_sync_path: '/proxy_sync',
    client_auth: { method: 'basic', user: 'mailproxy', password: `pw-${id}` },
    ...patch,
  };
}

describe('which answers acknowledge a proxy_sync (pure decisions)', () => {
  it("Genropy's answers acknowledge: ok, and the lists of ids it recorded as failed or does not know", () => {
    for (const body of ['{"ok":true,"queued":0}', '{"error":["a"],"not_found":["b"],"queued":3}', '{}', '{"error":null}']) {
      expect(acknowledgement(answer(200, body), 'genropy'), body).toEqual({ kind: 'acknowledged' });
      expect(acknowledgement(answer(200, body), 'lenient'), body).toEqual({ kind: 'acknowledged' });
    }
  });

  it("a string error refuses whatever the policy (Genropy's failed login answers 200), shortened to one line", () => {
    const refused = acknowledgement(answer(200, JSON.stringify({ error: 'Authentication failed\n  for mailproxy' })), 'lenient');
    expect(refused).toEqual({ kind: 'refused', reason: 'HTTP 200 with error: Authentication failed for mailproxy' });
    const long = acknowledgement(answer(202, JSON.stringify({ error: 'x'.repeat(5000) })), 'genropy');
    expect(long.kind === 'refused' && long.reason.length).toBeLessThan(260);
    expect(acknowledgement(answer(200, '{"error":""}'), 'genropy')).toEqual({ kind: 'refused', reason: 'HTTP 200 with error: (empty)' });
  });

  it("a body that is not a JSON object refuses for a tenant (a wrong URL), and acknowledges for the default tenant's application", () => {
    for (const body of ['Not existing method proxy_sync', '<html>thanks</html>', '', '[1,2]', '"ok"', 'null']) {
      expect(acknowledgement(answer(200, body), 'genropy'), body).toEqual({ kind: 'refused', reason: 'HTTP 200 without a JSON object' });
      expect(acknowledgement(answer(200, body), 'lenient'), body).toEqual({ kind: 'acknowledged' });
    }
  });
});

describe("where a tenant's proxy_sync goes (pure decisions)", () => {
  it('base URL without its trailing slashes + the sync path, with the basic or bearer credentials', () => {
    expect(tenantSyncTarget(tenant('a', { client_base_url: 'https://app.example.org/email/mailproxy/mp_endpoint//' }))).toEqual({
      kind: 'target',
      url: 'https://app.example.org/email/mailproxy/mp_endpoint/proxy_sync',
      target: { url: 'https://app.example.org/email/mailproxy/mp_endpoint/proxy_sync', user: 'mailproxy', password: 'pw-a', token: null },
    });
    const bearer = tenantSyncTarget(tenant('b', { client_sync_path: 'sync', client_auth: { method: 'bearer', token: 'T' } }));
    expect(bearer).toMatchObject({ kind: 'target', target: { url: 'http://127.0.0.1:9/b/mp_endpoint/sync', token: 'T', user: null, password: null } });
    const none = tenantSyncTarget(tenant('c', { client_sync_path: null, client_auth: { method: 'none' } }));
    expect(none).toMatchObject({ kind: 'target', target: { url: 'http://127.0.0.1:9/c/mp_endpoint/mail-proxy/sync', token: null, user: null } });
    expect(tenantSyncTarget(tenant('d', { client_auth: null }))).toMatchObject({ target: { token: null, user: null, password: null } });
  });

  it('no loop for an inactive tenant or one without a base URL', () => {
    expect(tenantSyncTarget(tenant('a', { active: false }))).toEqual({ kind: 'none', reason: 'inactive' });
    expect(tenantSyncTarget(tenant('a', { client_base_url: null }))).toEqual({ kind: 'none', reason: 'no_base_url' });
    expect(tenantSyncTarget(tenant('a', { client_base_url: '' }))).toEqual({ kind: 'none', reason: 'no_base_url' });
  });
});

describe('which loops start, change or stop when tenants change (pure decisions)', () => {
  const keyOf = (t: TenantSyncFields) => {
    const d = tenantSyncTarget(t);
    if (d.kind !== 'target') throw new Error('no target');
    return targetKey(d.target);
  };

  it('starts loops for new tenants, retargets changed destinations, stops the gone, inactive and URL-less', () => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => tenant(id));
    const running = new Map([a, b, c, d].map((t) => [t.id, keyOf(t)]));
    const now = [
      a, // unchanged
      { ...b, client_auth: { method: 'basic' as const, user: 'mailproxy', password: 'rotated by Register' } },
      { ...c, active: false },
      // d deleted
      tenant('e'),
      tenant('f', { client_base_url: null }),
    ];
    const plan = planLoops(running, now);
    expect(plan.start.map((s) => s.id)).toEqual(['e']);
    expect(plan.retarget).toEqual([{ id: 'b', target: expect.objectContaining({ password: 'rotated by Register' }) }]);
    expect(plan.stop.sort()).toEqual(['c', 'd']);
  });

  it('a change that does not touch the destination changes nothing', () => {
    const a = tenant('a');
    expect(planLoops(new Map([['a', keyOf(a)]]), [{ ...a }])).toEqual({ start: [], retarget: [], stop: [] });
    expect(planLoops(new Map(), [])).toEqual({ start: [], retarget: [], stop: [] });
  });
});
