import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExchangeLog, GenropyClient, accountPayload, type GenropyClientOptions } from '../index.js';
import { StubRelay } from './stub-relay.js';

let relay: StubRelay;
beforeEach(async () => {
  relay = await new StubRelay().start();
});
afterEach(() => relay.stop());

function client(o: Partial<GenropyClientOptions> = {}): GenropyClient {
  return new GenropyClient({
    proxyUrl: `${relay.url}//`,
    adminToken: 'ADMIN',
    tenantId: 'acme',
    clientBaseUrl: 'http://127.0.0.1:1/email/mailproxy/mp_endpoint',
    tenantToken: 'TENANT',
    tenantRegistered: true,
    ...o,
  });
}

describe('GenropyClient calls (reference §1.2)', () => {
  it('sends each call with its token, tenant_id and body, the trailing slashes of proxy_url removed', async () => {
    const c = client();
    await c.runNow();
    await c.addAccount({ id: 'a1', tenant_id: 'acme', host: 'smtp' });
    await c.deleteAccount('a1');
    await c.listAccounts();
    await c.listMessages();
    await c.cleanupMessages(1);
    await c.cleanupMessages();
    await c.addMessages([{ id: 'm1' }]);
    await c.deleteTenant();
    const seen = relay.calls.map((x) => [x.method, x.path, x.query.toString(), x.headers['x-api-token'] ?? null, x.raw]);
    expect(seen).toEqual([
      ['POST', '/commands/run-now', 'tenant_id=acme', 'TENANT', ''],
      ['POST', '/account', '', 'TENANT', '{"id": "a1", "tenant_id": "acme", "host": "smtp"}'],
      ['DELETE', '/account/a1', 'tenant_id=acme', 'TENANT', ''],
      ['GET', '/accounts', 'tenant_id=acme', 'TENANT', ''],
      ['GET', '/messages', 'tenant_id=acme', 'TENANT', ''],
      ['POST', '/commands/cleanup-messages', 'tenant_id=acme', 'TENANT', '{"older_than_seconds": 1}'],
      ['POST', '/commands/cleanup-messages', 'tenant_id=acme', 'TENANT', '{}'],
      ['POST', '/commands/add-messages', 'tenant_id=acme', 'TENANT', '{"messages": [{"id": "m1"}]}'],
      ['DELETE', '/tenant/acme', '', 'ADMIN', ''],
    ]);
    expect(relay.calls[0].headers['content-length']).toBe('0');
    expect(relay.calls[1].headers['content-type']).toBe('application/json');
    expect(relay.calls[1].headers['user-agent']).toMatch(/^python-requests\//);
  });

  it('sends no X-API-Token header when the token is empty, and none to /health', async () => {
    const c = client({ tenantToken: '', adminToken: null });
    await c.runNow();
    await c.deleteTenant();
    expect(await c.health()).toBe(true);
    expect(relay.calls.map((x) => 'x-api-token' in x.headers)).toEqual([false, false, false]);
  });

  it('encodes JSON as Python does (separators, non-ASCII escaped)', async () => {
    await client().addMessages([{ id: 'm1', subject: 'Caffè ☕', to: [] }]);
    expect(relay.callsTo('POST /commands/add-messages')[0].raw).toBe('{"messages": [{"id": "m1", "subject": "Caff\\u00e8 \\u2615", "to": []}]}');
  });

  it('returns an add-messages reply with a top-level rejected on 400, and raises on other failures', async () => {
    relay.on('POST /commands/add-messages', () => ({ status: 400, json: { ok: false, queued: 0, rejected: [{ id: 'm1', reason: 'missing to' }] } }));
    await expect(client().addMessages([{ id: 'm1' }])).resolves.toEqual({ ok: false, queued: 0, rejected: [{ id: 'm1', reason: 'missing to' }] });
    relay.on('POST /commands/add-messages', () => ({ status: 401, json: { detail: 'Invalid or missing API token' } }));
    await expect(client().addMessages([{ id: 'm1' }])).rejects.toThrow(/^Mail proxy request failed: 401 - Invalid or missing API token$/);
    relay.on('POST /commands/add-messages', () => ({ json: [] }));
    await expect(client().addMessages([{ id: 'm1' }])).rejects.toThrow('Mail proxy add-messages returned an unexpected payload');
  });

  it('wraps a bare /messages list, and refuses a scalar', async () => {
    relay.on('GET /messages', () => ({ json: [{ id: 'm1' }] }));
    await expect(client().listMessages()).resolves.toEqual({ ok: true, messages: [{ id: 'm1' }] });
    relay.on('GET /messages', () => ({ json: 3 }));
    await expect(client().listMessages()).rejects.toThrow('Mail proxy /messages returned an unexpected payload');
  });

  it('times out after 10 s, add-messages after min(60, 10 + 0.05·n) s, /health after 5 s (scaled)', async () => {
    for (const route of ['GET /accounts', 'POST /commands/add-messages', 'GET /health']) relay.on(route, () => ({ hang: true }));
    const log = new ExchangeLog();
    const c = client({ timeScale: 0.01, log });
    let t = Date.now();
    await expect(c.listAccounts()).rejects.toThrow(`Mail proxy request failed: HTTPConnectionPool(host='127.0.0.1', port=${relay.port}): Read timed out. (read timeout=10.0)`);
    expect(Date.now() - t).toBeGreaterThanOrEqual(95);
    t = Date.now();
    const batch = Array.from({ length: 1000 }, (_, i) => ({ id: `m${i}` }));
    await expect(c.addMessages(batch)).rejects.toThrow('(read timeout=60.0)');
    expect(Date.now() - t).toBeGreaterThanOrEqual(590);
    await expect(c.addMessages(batch.slice(0, 1))).rejects.toThrow('(read timeout=10.05)');
    t = Date.now();
    expect(await c.health()).toBe(false);
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
    expect(log.entries.every((e) => e.direction === 'out' && e.status === null)).toBe(true);
  });

  it("raises requests' connection error text when nothing listens", async () => {
    const port = relay.port;
    await relay.stop();
    await expect(client().runNow()).rejects.toThrow(
      `Mail proxy request failed: HTTPConnectionPool(host='127.0.0.1', port=${port}): Max retries exceeded with url: /commands/run-now?tenant_id=acme`,
    );
    expect(await client().health()).toBe(false);
    await expect(client({ proxyUrl: null }).runNow()).rejects.toThrow('Proxy URL is not configured');
  });
});

describe('GenropyClient register / unregister (activateService, deactivateService)', () => {
  it('rotates the client password before each POST /tenant and stores api_key as tenant token', async () => {
    const passwords: string[] = [];
    const c = client({ tenantToken: null, tenantRegistered: false, onPassword: (_u, p) => passwords.push(p) });
    relay.on('POST /tenant', (call) => {
      // the new password is already the application's when the relay receives it
      expect((call.json as { client_auth: { password: string } }).client_auth.password).toBe(passwords.at(-1));
      return { json: { ok: true, api_key: `key${passwords.length}` } };
    });
    const accounts = [{ id: 'a1', tenant_id: 'acme', host: 'h' }, { id: 'a2', tenant_id: 'acme' }];
    relay.on('POST /account', (call) => ((call.json as { host?: string }).host ? { json: { ok: true } } : { status: 422, json: { detail: [] } }));
    expect(await c.register(() => accounts)).toEqual({ ok: true, message: 'Tenant "acme" registered', tenant_id: 'acme', synced: 1, failed: 1 });
    expect(c.tenantToken).toBe('key1');
    expect(c.active).toBe(true);
    await c.register();
    expect(passwords).toHaveLength(2);
    expect(passwords[0]).not.toBe(passwords[1]);
    expect(passwords[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(c.tenantToken).toBe('key2');
    const body = relay.callsTo('POST /tenant')[0].json;
    expect(body).toEqual({
      id: 'acme',
      client_base_url: 'http://127.0.0.1:1/email/mailproxy/mp_endpoint',
      client_sync_path: '/proxy_sync',
      client_attachment_path: '/proxy_get_attachments',
      client_auth: { method: 'basic', user: 'mailproxy', password: passwords[0] },
    });
    expect(relay.callsTo('POST /tenant')[0].headers['x-api-token']).toBe('ADMIN');
  });

  it('fails when ok is falsy, when api_key is missing, or without admin token / proxy url', async () => {
    const c = client({ tenantToken: null, tenantRegistered: false });
    relay.on('POST /tenant', () => ({ json: { ok: false, error: 'tenant locked' } }));
    expect(await c.register()).toEqual({ ok: false, error: 'tenant locked' });
    relay.on('POST /tenant', () => ({ json: { ok: false } }));
    expect(await c.register()).toEqual({ ok: false, error: 'Registration failed' });
    // v0.6.10 answers an existing id without api_key: a KeyError
    relay.on('POST /tenant', () => ({ json: { ok: true } }));
    expect(await c.register()).toEqual({ ok: false, error: "'api_key'" });
    relay.on('POST /tenant', () => ({ status: 403, json: { detail: 'Admin token required, tenant tokens not allowed for this operation' } }));
    expect(await c.register()).toEqual({ ok: false, error: 'Mail proxy request failed: 403 - Admin token required, tenant tokens not allowed for this operation' });
    expect(c.active).toBe(false);
    expect(c.tenantToken).toBeNull();
    expect(await client({ adminToken: '' }).register()).toMatchObject({ ok: false, error: expect.stringMatching(/^Admin token not configured/) });
    expect(await client({ proxyUrl: null }).register()).toEqual({ ok: false, error: 'Proxy URL not configured' });
  });

  it('unregisters even when DELETE /tenant fails, dropping the token', async () => {
    relay.on('DELETE /tenant', () => ({ status: 500, text: 'down' }));
    const c = client();
    expect(await c.unregister()).toEqual({ ok: true, message: 'Tenant "acme" unregistered' });
    expect(c.tenantToken).toBeNull();
    expect(c.active).toBe(false);
  });
});

describe('account payload (reference §1.3)', () => {
  it('maps the columns, drops null and "", keeps false and 0, sends name and timeout, never smtp_ssl', () => {
    expect(
      accountPayload(
        { id: 'a1', account_name: 'Main', smtp_host: 'smtp.x', smtp_port: '587', smtp_username: '', smtp_password: null, smtp_tls: false, smtp_ssl: true, smtp_timeout: 30, proxy_ttl: 300, proxy_limit_per_minute: 0, proxy_limit_behavior: 'defer', proxy_batch_size: null },
        'acme',
      ),
    ).toEqual({ id: 'a1', name: 'Main', tenant_id: 'acme', host: 'smtp.x', port: 587, use_tls: false, ttl: 300, timeout: 30, limit_per_minute: 0, limit_behavior: 'defer' });
    expect(accountPayload({ id: 'a2', smtp_tls: true, smtp_timeout: 0 }, 'acme')).toEqual({ id: 'a2', tenant_id: 'acme', use_tls: true });
  });
});
