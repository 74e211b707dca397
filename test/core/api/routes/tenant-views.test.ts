import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../support/common/wait.js';
import { tenantsOverview } from '../../../../src/shared/api/index.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

describe('GET /api/tenants', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay();
  });
  afterAll(() => t.stop());

  const overview = async () => {
    const res = await t.api('/api/tenants');
    expect(res.status).toBe(200);
    return tenantsOverview.parse(await res.json());
  };

  it('answers an empty list on a relay without tenants (the classic single application)', async () => {
    expect((await overview()).items).toEqual([]);
  });

  it('lists tenants with their endpoint URLs and report state, never a secret', async () => {
    const reg = await t.api('/tenant', {
      method: 'POST',
      json: {
        id: 'acme',
        name: 'Acme',
        client_base_url: 'http://mailer:urlsecret@127.0.0.1:9/email/mailproxy/mp_endpoint/',
        client_sync_path: '/proxy_sync',
        client_attachment_path: '/proxy_get_attachments',
        client_auth: { method: 'basic', user: 'relay-user-x', password: 'pw-secret' },
      },
    });
    expect(reg.status).toBe(200);
    const key = ((await reg.json()) as { api_key: string }).api_key;
    expect((await t.api('/tenant', { method: 'POST', json: { id: 'bare', active: false } })).status).toBe(200);

    // acme's application (a closed loopback port) refuses its first sync: the page says so
    const body = await waitFor(async () => {
      const b = await overview();
      return b.items[0]?.last_error ? b : null;
    }, "acme's first sync");
    expect(body.items).toEqual([
      {
        id: 'acme',
        name: 'Acme',
        active: true,
        sync_url: 'http://127.0.0.1:9/email/mailproxy/mp_endpoint/proxy_sync',
        attachment_url: 'http://127.0.0.1:9/email/mailproxy/mp_endpoint/proxy_get_attachments',
        auth_method: 'basic',
        next_sync_due: true,
        in_dnd: false,
        last_error: expect.any(String),
        pending: 0,
      },
      { id: 'bare', active: false, auth_method: 'none', next_sync_due: true, in_dnd: false },
    ]);
    const text = JSON.stringify(body);
    for (const secret of ['pw-secret', 'urlsecret', 'relay-user-x', key]) expect(text).not.toContain(secret);

    // the admin token's page: a tenant's own key is refused
    const asTenant = await fetch(`${t.url}/api/tenants`, { headers: { 'X-API-Token': key } });
    expect(asTenant.status).toBe(403);
    expect((await fetch(`${t.url}/api/tenants`)).status).toBe(401);
  });
});
