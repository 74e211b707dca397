import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../../../src/core/errors.js';
import { ADMIN, type Principal } from '../../../src/core/services/scope.js';
import { createTenantsService } from '../../../src/core/services/tenants.js';
import { nowSec } from '../../../src/core/clock.js';
import { contextPerTest, heardAnnouncements } from '../../support/relay/context.js';
import { payload } from '../../support/store/fixtures.js';

const context = contextPerTest();
const ADMIN_TOKEN = 'admin-token';
const tenant = (id: string): Principal => ({ kind: 'tenant', tenantId: id });
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

async function setup() {
  const ctx = await context();
  const service = createTenantsService({
    tenants: ctx.store.tenants,
    messages: ctx.store.messages,
    store: ctx.store,
    adminToken: ADMIN_TOKEN,
    settings: ctx.settings,
    bus: ctx.bus,
    clock: ctx.clock,
  });
  return { ...ctx, service, heard: heardAnnouncements(ctx.bus) };
}

/** The status and text of what `p` was refused with. */
async function refusal(p: Promise<unknown>): Promise<[number, string]> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof RelayError)) throw new Error(`expected a RelayError, got ${String(err)}`);
  return [err.status, err.message];
}

describe('tenants service: registration and API keys', () => {
  it('registers a tenant with a new key every time; only the SHA-256 of the newest key is stored and accepted', async () => {
    const s = await setup();
    const first = await s.service.register({ id: 'acme', client_base_url: 'http://127.0.0.1:9/app', client_auth: { method: 'basic', user: 'mailproxy', password: 'p1' } });
    expect(first).toEqual({ ok: true, api_key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect((await s.store.tenants.get('acme'))?.api_key_hash).toBe(sha256(first.api_key));
    expect(await s.service.authenticate(first.api_key)).toEqual(tenant('acme'));

    const second = await s.service.register({ id: 'acme', name: 'Acme' });
    expect(second.api_key).not.toBe(first.api_key);
    expect(await s.service.authenticate(first.api_key)).toBeNull();
    expect(await s.service.authenticate(second.api_key)).toEqual(tenant('acme'));
    // an upsert replaces every configured field: what the second Register left out is gone
    expect(await s.service.get(ADMIN, 'acme')).toEqual({ id: 'acme', name: 'Acme', active: true, created_at: expect.any(String), updated_at: expect.any(String) });
  });

  it('tells the admin token, a tenant key and anything else apart', async () => {
    const s = await setup();
    const { api_key } = await s.service.register({ id: 'acme' });
    expect(await s.service.authenticate(ADMIN_TOKEN)).toEqual(ADMIN);
    expect(await s.service.authenticate(` ${ADMIN_TOKEN} `)).toEqual(ADMIN);
    expect(await s.service.authenticate(api_key)).toEqual(tenant('acme'));
    for (const other of [undefined, '', '   ', 'nope', sha256(api_key), `${api_key}x`]) expect(await s.service.authenticate(other)).toBeNull();
  });

  it('refuses an expired key', async () => {
    const s = await setup();
    const { api_key } = await s.service.register({ id: 'acme' });
    const now = nowSec(s.clock);
    await s.store.tenants.setApiKey('acme', sha256(api_key), now + 10, now);
    expect(await s.service.authenticate(api_key)).toEqual(tenant('acme'));
    await s.store.tenants.setApiKey('acme', sha256(api_key), now, now);
    expect(await s.service.authenticate(api_key)).toBeNull();
  });

  it('rotates and revokes a key; an unknown tenant is 404', async () => {
    const s = await setup();
    const { api_key: old } = await s.service.register({ id: 'acme' });
    const { api_key: rotated } = await s.service.createApiKey('acme');
    expect(await s.service.authenticate(old)).toBeNull();
    expect(await s.service.authenticate(rotated)).toEqual(tenant('acme'));
    await s.service.revokeApiKey('acme');
    expect(await s.service.authenticate(rotated)).toBeNull();
    expect(await refusal(s.service.createApiKey('ghost'))).toEqual([404, "Tenant 'ghost' not found"]);
    expect(await refusal(s.service.revokeApiKey('ghost'))).toEqual([404, "Tenant 'ghost' not found"]);
    expect(await s.store.tenants.get('ghost')).toBeNull();
  });
});

describe('tenants service: configuration', () => {
  it('shows a tenant to the admin and to itself, never to another tenant', async () => {
    const s = await setup();
    await s.service.register({ id: 'acme', client_auth: { method: 'basic', user: 'mailproxy', password: 'pw' } });
    await s.service.register({ id: 'other' });
    expect(await s.service.get(tenant('acme'), 'acme')).toMatchObject({ id: 'acme', client_auth: { method: 'basic', user: 'mailproxy', password: 'pw' } });
    expect(await refusal(s.service.get(tenant('other'), 'acme'))).toEqual([401, 'Token not authorized for this tenant']);
    expect(await refusal(s.service.update(tenant('other'), 'acme', { name: 'x' }))).toEqual([401, 'Token not authorized for this tenant']);
    expect(await refusal(s.service.get(ADMIN, 'ghost'))).toEqual([404, "Tenant 'ghost' not found"]);
  });

  it('changes only the fields a PUT gives (null counts as not given); an unknown tenant is 404', async () => {
    const s = await setup();
    await s.service.register({ id: 'acme', name: 'Acme', client_base_url: 'http://127.0.0.1:9/a', client_sync_path: '/proxy_sync' });
    await s.service.update(tenant('acme'), 'acme', { client_base_url: 'http://127.0.0.1:9/b', name: null, active: false });
    expect(await s.service.get(ADMIN, 'acme')).toMatchObject({ name: 'Acme', client_base_url: 'http://127.0.0.1:9/b', client_sync_path: '/proxy_sync', active: false });
    await s.service.update(ADMIN, 'acme', {});
    expect(await s.service.get(ADMIN, 'acme')).toMatchObject({ name: 'Acme', active: false });
    expect(await refusal(s.service.update(ADMIN, 'ghost', { name: 'x' }))).toEqual([404, "Tenant 'ghost' not found"]);
    expect(await s.store.tenants.get('ghost')).toBeNull();
  });

  it('lists tenants (active only on request) and deletes one with its data', async () => {
    const s = await setup();
    await s.service.register({ id: 'b' });
    await s.service.register({ id: 'a', active: false });
    expect((await s.service.list(false)).map((t) => t.id)).toEqual(['a', 'b']);
    expect((await s.service.list(true)).map((t) => t.id)).toEqual(['b']);
    await s.store.messages.enqueue([payload('m', { tenant_id: 'a' })], 1);
    await s.service.delete('a');
    expect((await s.service.list(false)).map((t) => t.id)).toEqual(['b']);
    expect(await s.store.messages.listAll({ tenantId: 'a' })).toEqual([]);
    expect(await refusal(s.service.delete('a'))).toEqual([404, "Tenant 'a' not found"]);
  });

  it('knows the default tenant exists without a row; others must be registered', async () => {
    const s = await setup();
    await s.service.mustExist('');
    expect(await refusal(s.service.mustExist('ghost'))).toEqual([404, "Tenant 'ghost' not found"]);
    await s.service.register({ id: 'ghost' });
    await s.service.mustExist('ghost');
  });
});

describe('tenants service: suspend and activate (v0.6.10)', () => {
  it('suspends batches, then everything, and answers what is held and how much of it waits', async () => {
    const s = await setup();
    await s.service.register({ id: 'acme' });
    await s.store.messages.enqueue([payload('1', { tenant_id: 'acme', batch_code: 'b1' }), payload('2', { tenant_id: 'acme', batch_code: 'b2' }), payload('3', { tenant_id: 'acme' })], 1);
    expect(await s.service.suspend('acme', 'b2')).toEqual({ ok: true, tenant_id: 'acme', batch_code: 'b2', suspended_batches: ['b2'], pending_messages: 1 });
    expect(await s.service.suspend('acme', 'b1')).toEqual({ ok: true, tenant_id: 'acme', batch_code: 'b1', suspended_batches: ['b1', 'b2'], pending_messages: 1 });
    expect(await s.service.suspend('acme', 'b1')).toMatchObject({ suspended_batches: ['b1', 'b2'] });
    expect(await s.service.activate('acme', 'b2')).toEqual({ ok: true, tenant_id: 'acme', batch_code: 'b2', suspended_batches: ['b1'], pending_messages: 1 });
    expect(await s.service.suspend('acme', null)).toEqual({ ok: true, tenant_id: 'acme', suspended_batches: ['*'], pending_messages: 3 });
    expect(await s.service.suspend('acme', 'b3')).toMatchObject({ suspended_batches: ['*'] });
    expect((await s.store.tenants.get('acme'))?.suspended_batches).toEqual(['*']);
    s.heard.length = 0;
    expect(await s.service.activate('acme', null)).toEqual({ ok: true, tenant_id: 'acme', suspended_batches: [], pending_messages: 3 });
    expect(s.heard).toEqual(['dispatch.wake']);
  });

  it("answers v0.6.10's 400 texts and changes nothing", async () => {
    const s = await setup();
    await s.service.register({ id: 'acme' });
    expect(await refusal(s.service.suspend('ghost', null))).toEqual([400, 'tenant not found']);
    expect(await refusal(s.service.suspend('ghost', 'b1'))).toEqual([400, 'tenant not found']);
    const cannot = 'tenant not found or cannot activate single batch from full suspension';
    expect(await refusal(s.service.activate('ghost', null))).toEqual([400, cannot]);
    await s.service.suspend('acme', null);
    s.heard.length = 0;
    expect(await refusal(s.service.activate('acme', 'b1'))).toEqual([400, cannot]);
    expect((await s.store.tenants.get('acme'))?.suspended_batches).toEqual(['*']);
    expect(await s.store.tenants.get('ghost')).toBeNull();
    expect(s.heard).toEqual([]);
  });
});
