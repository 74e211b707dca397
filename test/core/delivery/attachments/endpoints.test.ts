import { describe, expect, it } from 'vitest';
import {
  attachmentUrlFromSyncUrl,
  authorization,
  classicEndpoint,
  defaultTenantEndpoints,
  tenantAttachmentEndpoints,
  tenantEndpoint,
} from '../../../../src/core/delivery/attachments/endpoints.js';

interface Sync {
  client_sync_url: string | null;
  client_sync_user: string | null;
  client_sync_password: string | null;
  client_sync_token: string | null;
}
const sync: Sync = { client_sync_url: null, client_sync_user: null, client_sync_password: null, client_sync_token: null };

describe("the default tenant's attachment endpoint", () => {
  it('sits beside a Genropy sync URL: …/proxy_sync becomes …/proxy_get_attachments', () => {
    expect(attachmentUrlFromSyncUrl('https://erp.test/email/mailproxy/mp_endpoint/proxy_sync')).toBe(
      'https://erp.test/email/mailproxy/mp_endpoint/proxy_get_attachments',
    );
    expect(attachmentUrlFromSyncUrl('http://127.0.0.1:8080/mp/proxy_sync/?x=1')).toBe('http://127.0.0.1:8080/mp/proxy_get_attachments');
    expect(attachmentUrlFromSyncUrl('https://erp.test/mail-proxy/sync')).toBeNull();
    expect(attachmentUrlFromSyncUrl('not a url')).toBeNull();
  });

  it('uses the sync credentials: a token, else the user, else those in the URL', () => {
    const url = 'https://erp.test/mp/proxy_sync';
    expect(classicEndpoint({ ...sync, client_sync_url: url, client_sync_user: 'mailproxy', client_sync_password: 'pw' }, null)).toEqual({
      url: 'https://erp.test/mp/proxy_get_attachments',
      auth: { method: 'basic', user: 'mailproxy', password: 'pw' },
    });
    expect(classicEndpoint({ ...sync, client_sync_url: url, client_sync_user: 'u', client_sync_token: 'tok' }, null)?.auth).toEqual({ method: 'bearer', token: 'tok' });
    expect(classicEndpoint({ ...sync, client_sync_url: 'https://mail%20proxy:p%40ss@erp.test/mp/proxy_sync' }, null)).toEqual({
      url: 'https://erp.test/mp/proxy_get_attachments',
      auth: { method: 'basic', user: 'mail proxy', password: 'p@ss' },
    });
    expect(classicEndpoint({ ...sync, client_sync_url: url }, null)?.auth).toEqual({ method: 'none' });
  });

  it('[client] client_attachment_url wins; without it and without a Genropy sync URL there is none', () => {
    const explicit = 'http://127.0.0.1:9000/files/get';
    expect(classicEndpoint({ ...sync, client_sync_url: 'https://erp.test/sync', client_sync_user: 'u', client_sync_password: 'p' }, explicit)).toEqual({
      url: explicit,
      auth: { method: 'basic', user: 'u', password: 'p' },
    });
    expect(classicEndpoint({ ...sync, client_sync_url: 'https://erp.test/sync' }, null)).toBeNull();
    expect(classicEndpoint(sync, null)).toBeNull();
  });

  it('is read at each fetch, for the default tenant only', async () => {
    let current = { ...sync };
    const endpoints = defaultTenantEndpoints({ current: () => current }, null);
    expect(await endpoints.forTenant('')).toBeNull();
    current = { ...sync, client_sync_url: 'http://127.0.0.1:1/a/proxy_sync' };
    expect((await endpoints.forTenant(''))?.url).toBe('http://127.0.0.1:1/a/proxy_get_attachments');
    expect(await endpoints.forTenant('acme')).toBeNull();
  });

  it('the Authorization header of each method', () => {
    expect(authorization({ method: 'none' })).toEqual({});
    expect(authorization({ method: 'bearer', token: 't' })).toEqual({ Authorization: 'Bearer t' });
    expect(authorization({ method: 'basic', user: 'mailproxy', password: 'sécret' })).toEqual({
      Authorization: `Basic ${Buffer.from('mailproxy:sécret').toString('base64')}`,
    });
  });
});

describe("a tenant's attachment endpoint (v0.6.10's tenant record)", () => {
  it('base URL + attachment path, with its client_auth', () => {
    expect(
      tenantEndpoint({
        client_base_url: 'https://erp.test/email/mailproxy/mp_endpoint/',
        client_attachment_path: '/proxy_get_attachments',
        client_auth: { method: 'basic', user: 'mailproxy', password: 'pw' },
      }),
    ).toEqual({ url: 'https://erp.test/email/mailproxy/mp_endpoint/proxy_get_attachments', auth: { method: 'basic', user: 'mailproxy', password: 'pw' } });
    expect(tenantEndpoint({ client_base_url: 'https://app.test', client_attachment_path: null, client_auth: { method: 'bearer', token: 't' } })).toEqual({
      url: 'https://app.test/mail-proxy/attachments',
      auth: { method: 'bearer', token: 't' },
    });
    expect(tenantEndpoint({ client_base_url: 'https://app.test', client_attachment_path: 'files', client_auth: null })).toEqual({
      url: 'https://app.test/files',
      auth: { method: 'none' },
    });
    expect(tenantEndpoint({ client_base_url: null })).toBeNull();
  });

  it('the default tenant keeps the [client] settings; the others come from their records', async () => {
    const classic = defaultTenantEndpoints({ current: () => ({ ...sync, client_sync_url: 'http://127.0.0.1:9/x/proxy_sync' }) }, null);
    const records: Record<string, { client_base_url: string }> = { acme: { client_base_url: 'http://127.0.0.1:7/mp' } };
    const all = tenantAttachmentEndpoints({ get: async (id) => records[id] ?? null }, classic);
    expect((await all.forTenant(''))?.url).toBe('http://127.0.0.1:9/x/proxy_get_attachments');
    expect(await all.forTenant('acme')).toEqual({ url: 'http://127.0.0.1:7/mp/mail-proxy/attachments', auth: { method: 'none' } });
    expect(await all.forTenant('nobody')).toBeNull();
  });
});
