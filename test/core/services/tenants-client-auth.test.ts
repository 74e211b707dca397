import { describe, expect, it } from 'vitest';
import { createTenantsService } from '../../../src/core/services/tenants.js';
import { ADMIN } from '../../../src/core/services/scope.js';
import { contextPerTest } from '../../support/relay/context.js';

const context = contextPerTest();

async function setup() {
  const ctx = await context();
  const tenants = createTenantsService({
    tenants: ctx.store.tenants,
    messages: ctx.store.messages,
    store: ctx.store,
    adminToken: 'admin-token-0123456789',
    settings: ctx.settings,
    bus: ctx.bus,
    clock: ctx.clock,
  });
  await tenants.register({ id: 'acme', client_base_url: 'https://acme.example', client_auth: { method: 'basic', user: 'u', password: 'pw' } });
  return { ctx, tenants };
}

describe("a tenant's client_auth stays with its application's origin (#17.2)", () => {
  it('PUT with a client_base_url of another origin drops the stored client_auth, and says so', async () => {
    const { ctx, tenants } = await setup();
    const answer = await tenants.update(ADMIN, 'acme', { client_base_url: 'https://evil.example' });
    expect(answer).toEqual({ secrets_dropped: ['client_auth'], message: expect.stringContaining('https://evil.example') });
    expect((await ctx.store.tenants.get('acme'))?.client_auth).toBeNull();
    expect((await tenants.get(ADMIN, 'acme')).client_auth).toBeUndefined();
  });

  it('keeps it for the same origin or another field, takes the one given with the new origin', async () => {
    const { ctx, tenants } = await setup();
    expect(await tenants.update(ADMIN, 'acme', { client_base_url: 'https://acme.example/v2', name: 'Acme' })).toBeNull();
    expect((await ctx.store.tenants.get('acme'))?.client_auth).toMatchObject({ method: 'basic', password: 'pw' });
    const auth = { method: 'bearer' as const, token: 'tok' };
    expect(await tenants.update(ADMIN, 'acme', { client_base_url: 'http://127.0.0.1:9000', client_auth: auth })).toBeNull();
    expect((await ctx.store.tenants.get('acme'))?.client_auth).toMatchObject(auth);
  });

  it('POST /tenant replaces the whole tenant: a client_auth not given is not kept', async () => {
    const { ctx, tenants } = await setup();
    await tenants.register({ id: 'acme', client_base_url: 'https://evil.example' });
    expect((await ctx.store.tenants.get('acme'))?.client_auth).toBeNull();
  });

  it('404 for an unknown tenant', async () => {
    const { tenants } = await setup();
    await expect(tenants.update(ADMIN, 'ghost', { name: 'x' })).rejects.toMatchObject({ status: 404 });
  });
});
