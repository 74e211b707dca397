import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageKey as key } from '../../../../src/core/store/records.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

let t: TestRelay;
/** api keys of the tenants registered in beforeAll */
const keys: Record<string, string> = {};

async function call(method: string, path: string, token: string | null, json?: unknown) {
  const headers: Record<string, string> = token === null ? {} : { 'X-API-Token': token };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(t.url + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await r.text();
  const isJson = r.headers.get('content-type')?.includes('json');
  return { status: r.status, body: (isJson ? JSON.parse(text) : text ? { text } : null) as Record<string, unknown> | null };
}

async function register(id: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call('POST', '/tenant', t.token, { id, ...extra });
  expect(r).toEqual({ status: 200, body: { ok: true, api_key: expect.any(String) } });
  return r.body!.api_key as string;
}

beforeAll(async () => {
  t = await startTestRelay();
  await t.relay.ctx.settings.update({ paused: true });
  keys.acme = await register('acme');
  keys.other = await register('other');
});
afterAll(() => t.stop());

const ADMIN_REQUIRED = 'Admin token required';
const TENANT_NOT_ALLOWED = 'Admin token required, tenant tokens not allowed for this operation';
const INVALID = 'Invalid or missing API token';
const NOT_YOURS = 'Token not authorized for this tenant';

describe('tenant routes: who may call the admin routes (v0.6.10 §3.2)', () => {
  const ADMIN_ROUTES: [string, string, unknown?][] = [
    ['POST', '/tenant', { id: 'probe' }],
    ['GET', '/tenants'],
    ['DELETE', '/tenant/probe'],
    ['POST', '/tenant/probe/api-key'],
    ['DELETE', '/tenant/probe/api-key'],
  ];

  it.each(ADMIN_ROUTES)('%s %s: no token 401, a tenant token 403, another token 401, the admin token passes', async (method, path, json) => {
    expect(await call(method, path, null, json)).toEqual({ status: 401, body: { detail: ADMIN_REQUIRED } });
    expect(await call(method, path, keys.acme, json)).toEqual({ status: 403, body: { detail: TENANT_NOT_ALLOWED } });
    expect(await call(method, path, 'nope', json)).toEqual({ status: 401, body: { detail: INVALID } });
    expect(await t.relay.store.tenants.get('probe')).toBeNull();
    const admin = await call(method, path, t.token, json);
    expect([200, 404]).toContain(admin.status);
    await t.relay.store.tenants.delete('probe');
  });

  it('a trailing slash or other letter case does not make an admin route a tenant route', async () => {
    await register('victim');
    const variants: [string, string, unknown?][] = [
      ['DELETE', '/tenant/victim/'],
      ['POST', '/tenant/victim/api-key/'],
      ['DELETE', '/Tenant/victim/API-KEY'],
      ['POST', '/tenant/', { id: 'intruder' }],
      ['POST', '/TENANT', { id: 'intruder' }],
      ['GET', '/tenants/'],
      ['GET', '/Tenants'],
    ];
    for (const [method, path, json] of variants) {
      const r = await call(method, path, keys.acme, json);
      // 405: the web UI's catch-all router knows every path, for GET only
      expect([403, 404, 405], `${method} ${path}: ${JSON.stringify(r.body)}`).toContain(r.status);
      expect(JSON.stringify(r.body)).not.toContain('api_key');
    }
    expect(await t.relay.store.tenants.get('victim')).toMatchObject({ id: 'victim', api_key_hash: expect.any(String) });
    expect(await t.relay.store.tenants.get('intruder')).toBeNull();
  });

  it("a tenant token is refused on the relay's own routes with 403", async () => {
    for (const path of ['/api/messages', '/api/settings', '/api/stats', '/metrics']) {
      const r = await call('GET', path, keys.acme);
      expect(r.status, path).toBe(403);
    }
    expect((await call('GET', '/api/stats', t.token)).status).toBe(200);
  });
});

describe("tenant routes: the relay's own routes under another spelling (auth middleware, open)", () => {
  // the routers match any letter case and a trailing slash: the access check must read paths the same way
  it('a tenant token is refused on /API/messages, /Api/settings, /API/stats, /Metrics and /metrics/', async () => {
    for (const path of ['/API/messages', '/Api/settings', '/API/stats', '/Metrics', '/metrics/']) {
      const r = await call('GET', path, keys.acme);
      expect([403, 404], `${path}: ${r.status}`).toContain(r.status);
    }
  });
});

describe('tenant routes: a tenant token acts for its own tenant only', () => {
  const SCOPED: [string, string, unknown?][] = [
    ['GET', '/accounts?tenant_id=TENANT'],
    ['DELETE', '/account/acc?tenant_id=TENANT'],
    ['GET', '/messages?tenant_id=TENANT'],
    ['POST', '/commands/add-messages?tenant_id=TENANT', { messages: [] }],
    ['POST', '/commands/delete-messages?tenant_id=TENANT', { ids: [] }],
    ['POST', '/commands/cleanup-messages?tenant_id=TENANT', {}],
    ['POST', '/commands/suspend?tenant_id=TENANT&batch_code=b'],
    ['POST', '/commands/activate?tenant_id=TENANT&batch_code=b'],
    ['POST', '/account', { id: 'acc', host: '127.0.0.1', port: 2525, tenant_id: 'TENANT' }],
    ['GET', '/tenant/TENANT'],
    ['PUT', '/tenant/TENANT', { name: 'x' }],
  ];
  const named = (s: string, tenant: string) => s.replace('TENANT', tenant);
  const namedBody = (json: unknown, tenant: string) => (json === undefined ? undefined : (JSON.parse(named(JSON.stringify(json), tenant)) as unknown));

  it.each(SCOPED)('%s %s: its own tenant passes, another tenant is 401, no or an unknown token 401', async (method, path, json) => {
    const own = await call(method, named(path, 'acme'), keys.acme, namedBody(json, 'acme'));
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(await call(method, named(path, 'other'), keys.acme, namedBody(json, 'other'))).toEqual({ status: 401, body: { detail: NOT_YOURS } });
    expect(await call(method, named(path, 'acme'), null, namedBody(json, 'acme'))).toEqual({ status: 401, body: { detail: INVALID } });
    expect(await call(method, named(path, 'acme'), 'nope', namedBody(json, 'acme'))).toEqual({ status: 401, body: { detail: INVALID } });
    const admin = await call(method, named(path, 'other'), t.token, namedBody(json, 'other'));
    expect(admin.status, JSON.stringify(admin.body)).toBe(200);
  });

  it("a message naming another tenant is refused with 401 and nothing of the batch is queued", async () => {
    const msg = (id: string, tenant_id?: string) => ({ id, tenant_id, account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: '' });
    const r = await call('POST', '/commands/add-messages', keys.acme, { messages: [msg('mine-1'), msg('theirs-1', 'other')] });
    expect(r).toEqual({ status: 401, body: { detail: NOT_YOURS } });
    expect(await t.relay.store.messages.get(key('mine-1', 'acme'))).toBeNull();
  });

  it('without ?tenant_id= a tenant token acts for its own tenant', async () => {
    expect(await call('POST', '/account', keys.acme, { id: 'own', host: '127.0.0.1', port: 2525 })).toMatchObject({ status: 200 });
    expect(await t.relay.store.accounts.get('acme', 'own')).toMatchObject({ tenant_id: 'acme' });
    expect(await t.relay.store.accounts.get('', 'own')).toBeNull();
    const list = await call('GET', '/accounts', keys.acme);
    expect((list.body!.accounts as { id: string; tenant_id: string }[]).map((a) => `${a.tenant_id}/${a.id}`)).toContain('acme/own');
  });
});

describe('tenant routes: registration and keys', () => {
  it('answers {ok, api_key} for an existing id too; the old key stops working', async () => {
    const first = await register('twice', { client_base_url: 'http://127.0.0.1:9/app' });
    const second = await register('twice', { client_base_url: 'http://127.0.0.1:9/app' });
    expect(second).not.toBe(first);
    expect(await call('GET', '/accounts', first)).toEqual({ status: 401, body: { detail: INVALID } });
    expect((await call('GET', '/accounts', second)).status).toBe(200);
  });

  it('rotates and revokes a key; an unknown tenant is 404', async () => {
    const old = await register('rotating');
    const rotated = await call('POST', '/tenant/rotating/api-key', t.token);
    expect(rotated).toEqual({ status: 200, body: { ok: true, api_key: expect.any(String) } });
    const fresh = rotated.body!.api_key as string;
    expect((await call('GET', '/accounts', old)).status).toBe(401);
    expect((await call('GET', '/accounts', fresh)).status).toBe(200);
    expect(await call('DELETE', '/tenant/rotating/api-key', t.token)).toEqual({ status: 200, body: { ok: true } });
    expect((await call('GET', '/accounts', fresh)).status).toBe(401);
    expect(await call('POST', '/tenant/ghost/api-key', t.token)).toEqual({ status: 404, body: { detail: "Tenant 'ghost' not found" } });
    expect(await call('DELETE', '/tenant/ghost/api-key', t.token)).toEqual({ status: 404, body: { detail: "Tenant 'ghost' not found" } });
  });

  it('refuses a bad registration with 422 naming the field, and stores nothing', async () => {
    for (const [body, field] of [
      [{}, 'id'],
      [{ id: '' }, 'id'],
      [{ id: 'a/b' }, 'id'],
      [{ id: 'bad', client_auth: { method: 'basic', user: 'u' } }, 'password'],
      [{ id: 'bad', client_auth: { method: 'magic' } }, 'method'],
      [{ id: 'bad', active: 'yes' }, 'active'],
    ] as const) {
      const r = await call('POST', '/tenant', t.token, body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(JSON.stringify(r.body), JSON.stringify(body)).toContain(field);
    }
    expect(await t.relay.store.tenants.get('bad')).toBeNull();
    expect((await call('POST', '/tenant', t.token, [1, 2])).status).toBe(422);
  });
});

describe('tenant routes: configuration', () => {
  it('GET shows the configuration (password included, as v0.6.10), PUT changes only the fields given', async () => {
    const auth = { method: 'basic', user: 'mailproxy', password: 'pw' };
    const k = await register('conf', { name: 'Conf', client_base_url: 'http://127.0.0.1:9/app', client_sync_path: '/proxy_sync', client_auth: auth });
    expect(await call('GET', '/tenant/conf', k)).toEqual({
      status: 200,
      body: { id: 'conf', name: 'Conf', client_base_url: 'http://127.0.0.1:9/app', client_sync_path: '/proxy_sync', client_auth: auth, active: true, created_at: expect.any(String), updated_at: expect.any(String) },
    });
    expect(await call('PUT', '/tenant/conf', k, { client_sync_path: '/sync2', name: null })).toEqual({ status: 200, body: { ok: true } });
    expect((await call('GET', '/tenant/conf', t.token)).body).toMatchObject({ name: 'Conf', client_sync_path: '/sync2', client_base_url: 'http://127.0.0.1:9/app', client_auth: auth });
    expect(await call('PUT', '/tenant/conf', k, { active: 'no' })).toMatchObject({ status: 422 });
    expect(await call('PUT', '/tenant/ghost', t.token, { name: 'x' })).toEqual({ status: 404, body: { detail: "Tenant 'ghost' not found" } });
    expect(await call('GET', '/tenant/ghost', t.token)).toEqual({ status: 404, body: { detail: "Tenant 'ghost' not found" } });
  });

  it('lists tenants, the active ones on request', async () => {
    await register('sleepy', { active: false });
    const all = (await call('GET', '/tenants', t.token)).body!;
    expect(all.ok).toBe(true);
    const ids = (all.tenants as { id: string }[]).map((x) => x.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(['acme', 'other', 'sleepy']));
    const active = ((await call('GET', '/tenants?active_only=true', t.token)).body!.tenants as { id: string }[]).map((x) => x.id);
    expect(active).not.toContain('sleepy');
    expect(active).toContain('acme');
  });

  it('DELETE removes the tenant with its accounts and messages, its key stops working; then 404', async () => {
    const k = await register('doomed');
    expect((await call('POST', '/account', k, { id: 'acc', host: '127.0.0.1', port: 2525 })).status).toBe(200);
    const msg = { id: 'd1', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: '' };
    expect((await call('POST', '/commands/add-messages', k, { messages: [msg] })).body).toMatchObject({ ok: true, queued: 1 });
    expect(await call('DELETE', '/tenant/doomed', t.token)).toEqual({ status: 200, body: { ok: true } });
    expect(await t.relay.store.accounts.get('doomed', 'acc')).toBeNull();
    expect(await t.relay.store.messages.get(key('d1', 'doomed'))).toBeNull();
    expect((await call('GET', '/accounts', k)).status).toBe(401);
    expect(await call('DELETE', '/tenant/doomed', t.token)).toEqual({ status: 404, body: { detail: "Tenant 'doomed' not found" } });
  });
});

describe('tenant routes: suspend and activate by batch (v0.6.10 §3.6)', () => {
  it("answers v0.6.10's reply and its 400 texts", async () => {
    const k = await register('susp');
    expect((await call('POST', '/account', k, { id: 'acc', host: '127.0.0.1', port: 2525 })).status).toBe(200);
    const msg = (id: string, batch_code?: string) => ({ id, batch_code, account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: '' });
    await call('POST', '/commands/add-messages', k, { messages: [msg('s1', 'b1'), msg('s2', 'b1'), msg('s3', 'b2'), msg('s4')] });
    expect(await call('POST', '/commands/suspend?batch_code=b1', k)).toEqual({
      status: 200,
      body: { ok: true, tenant_id: 'susp', batch_code: 'b1', suspended_batches: ['b1'], pending_messages: 2 },
    });
    expect(await call('POST', '/commands/suspend?tenant_id=susp', t.token)).toEqual({ status: 200, body: { ok: true, tenant_id: 'susp', suspended_batches: ['*'], pending_messages: 4 } });
    expect(await call('POST', '/commands/activate?batch_code=b1', k)).toEqual({
      status: 400,
      body: { detail: 'tenant not found or cannot activate single batch from full suspension' },
    });
    expect(await call('POST', '/commands/activate', k)).toEqual({ status: 200, body: { ok: true, tenant_id: 'susp', suspended_batches: [], pending_messages: 4 } });
    expect(await call('POST', '/commands/suspend?tenant_id=ghost', t.token)).toEqual({ status: 400, body: { detail: 'tenant not found' } });
    expect(await call('POST', '/commands/activate?tenant_id=ghost&batch_code=b1', t.token)).toEqual({
      status: 400,
      body: { detail: 'tenant not found or cannot activate single batch from full suspension' },
    });
    // the admin token without a tenant still pauses the whole relay, as before tenants
    expect(await call('POST', '/commands/activate', t.token)).toEqual({ status: 200, body: { ok: true, active: true } });
    expect(await call('POST', '/commands/suspend', t.token)).toEqual({ status: 200, body: { ok: true, active: false } });
  });
});
