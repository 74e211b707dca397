import { describe, expect, it } from 'vitest';
import type { TenantConfig } from '../../../src/core/store/ports.js';
import { messageKey as key } from '../../../src/core/store/records.js';
import { useStore, type StoreFactory } from './harness.js';
import { NOW, account, payload, reach, sendVia } from './fixtures.js';

/** A tenant's configuration with every field set (as Genropy's Register gives most of them). */
export function tenantConfig(over: Partial<TenantConfig> = {}): TenantConfig {
  return {
    name: 'Acme',
    client_auth: { method: 'basic', user: 'mailproxy', password: 'pw-1' },
    client_base_url: 'http://127.0.0.1:9/email/mailproxy/mp_endpoint',
    client_sync_path: '/proxy_sync',
    client_attachment_path: '/proxy_get_attachments',
    rate_limits: { per_minute: 10 },
    large_file_config: { enabled: false },
    active: true,
    ...over,
  };
}

const EMPTY: TenantConfig = {
  name: null,
  client_auth: null,
  client_base_url: null,
  client_sync_path: null,
  client_attachment_path: null,
  rate_limits: null,
  large_file_config: null,
  active: true,
};

/** TenantsPort: upsert, reads, partial update, the cascade of delete, API keys, suspended batches. */
export function tenantsContract(factory: StoreFactory): void {
  describe('tenants', () => {
    const s = useStore(factory);

    it('inserts a tenant, then replaces every configured field (absent ones become null), keeping its key, suspensions and creation time', async () => {
      expect(await s.store.tenants.upsert('acme', tenantConfig(), NOW)).toEqual({ created: true });
      expect(await s.store.tenants.get('acme')).toEqual({
        id: 'acme',
        ...tenantConfig(),
        suspended_batches: [],
        api_key_hash: null,
        api_key_expires_at: null,
        created_ts: NOW,
        updated_ts: NOW,
      });
      expect(await s.store.tenants.setApiKey('acme', 'h1', null, NOW)).toBe(true);
      expect(await s.store.tenants.setSuspendedBatches('acme', ['b1'], NOW)).toBe(true);
      expect(await s.store.tenants.upsert('acme', { ...EMPTY, name: 'Acme 2' }, NOW + 5)).toEqual({ created: false });
      expect(await s.store.tenants.get('acme')).toEqual({
        id: 'acme',
        ...EMPTY,
        name: 'Acme 2',
        suspended_batches: ['b1'],
        api_key_hash: 'h1',
        api_key_expires_at: null,
        created_ts: NOW,
        updated_ts: NOW + 5,
      });
      expect(s.announced.tenants).toEqual([['acme'], ['acme'], ['acme'], ['acme']]);
      expect(await s.store.tenants.get('ghost')).toBeNull();
    });

    it('lists tenants by id, all or the active ones', async () => {
      await s.store.tenants.upsert('zeta', tenantConfig(), NOW);
      await s.store.tenants.upsert('alpha', tenantConfig({ active: false }), NOW);
      await s.store.tenants.upsert('mid', EMPTY, NOW);
      expect((await s.store.tenants.list()).map((t) => t.id)).toEqual(['alpha', 'mid', 'zeta']);
      expect((await s.store.tenants.list({ activeOnly: true })).map((t) => t.id)).toEqual(['mid', 'zeta']);
      expect((await s.store.tenants.list())[0]).toMatchObject({ id: 'alpha', active: false, client_auth: tenantConfig().client_auth });
    });

    it('changes only the fields a patch gives; an unknown tenant is false', async () => {
      await s.store.tenants.upsert('acme', tenantConfig(), NOW);
      s.forget();
      const auth = { method: 'bearer' as const, token: 'tok' };
      expect(await s.store.tenants.update('acme', { client_base_url: 'http://127.0.0.1:8/app', client_auth: auth, active: false }, NOW + 3)).toBe(true);
      expect(await s.store.tenants.get('acme')).toMatchObject({
        ...tenantConfig(),
        client_base_url: 'http://127.0.0.1:8/app',
        client_auth: auth,
        active: false,
        created_ts: NOW,
        updated_ts: NOW + 3,
      });
      expect(await s.store.tenants.update('ghost', { name: 'x' }, NOW)).toBe(false);
      expect(await s.store.tenants.get('ghost')).toBeNull();
      expect(s.announced.tenants).toEqual([['acme']]);
    });

    it("deletes a tenant with its accounts, messages, their timelines and its send log, and nobody else's", async () => {
      for (const t of ['a', 'b', '']) {
        if (t) await s.store.tenants.upsert(t, tenantConfig(), NOW);
        await s.store.accounts.upsert(account('acc', { tenant_id: t }), NOW);
        await sendVia(s.store, 'acc', [NOW + 1], t);
      }
      for (const t of ['a', 'b', '']) await s.store.messages.enqueue([payload('m1', { tenant_id: t, account_id: 'acc' })], NOW);
      s.forget();

      expect(await s.store.tenants.delete('a')).toBe(true);
      expect(s.announced.tenants).toEqual([['a']]);
      expect(s.announced.accounts.flat()).toEqual(['acc']);
      expect(await s.store.tenants.get('a')).toBeNull();
      expect(await s.store.accounts.list('a')).toEqual([]);
      expect(await s.store.messages.listAll({ tenantId: 'a' })).toEqual([]);
      expect(await s.store.messages.timeline(key('m1', 'a'), 'acc')).toEqual([]);
      expect(await s.store.messages.timeline(key('acc-send-0', 'a'), 'acc')).toEqual([]);
      expect(await s.store.dispatch.sendLogSince('a', 'acc', 0)).toEqual([]);

      for (const t of ['b', '']) {
        expect((await s.store.accounts.list(t)).map((x) => x.id)).toEqual(['acc']);
        expect((await s.store.messages.listAll({ tenantId: t })).map((m) => m.id).sort()).toEqual(['acc-send-0', 'm1']);
        expect((await s.store.messages.timeline(key('m1', t), 'acc')).map((e) => e.type)).toEqual(['queued']);
        expect(await s.store.dispatch.sendLogSince(t, 'acc', 0)).toEqual([NOW + 1]);
      }
      expect(await s.store.tenants.get('b')).not.toBeNull();
      expect(await s.store.tenants.delete('a')).toBe(false);
    });

    it('finds a tenant by the hash of its API key until the key is replaced or cleared', async () => {
      await s.store.tenants.upsert('acme', tenantConfig(), NOW);
      await s.store.tenants.upsert('other', tenantConfig(), NOW);
      expect(await s.store.tenants.setApiKey('acme', 'hash-1', NOW + 100, NOW + 1)).toBe(true);
      expect(await s.store.tenants.byApiKeyHash('hash-1')).toMatchObject({ id: 'acme', api_key_hash: 'hash-1', api_key_expires_at: NOW + 100, updated_ts: NOW + 1 });
      expect(await s.store.tenants.setApiKey('acme', 'hash-2', null, NOW + 2)).toBe(true);
      expect(await s.store.tenants.byApiKeyHash('hash-1')).toBeNull();
      expect(await s.store.tenants.byApiKeyHash('hash-2')).toMatchObject({ id: 'acme', api_key_expires_at: null });
      expect(await s.store.tenants.clearApiKey('acme', NOW + 3)).toBe(true);
      expect(await s.store.tenants.byApiKeyHash('hash-2')).toBeNull();
      expect(await s.store.tenants.get('acme')).toMatchObject({ api_key_hash: null, api_key_expires_at: null });
      expect(await s.store.tenants.setApiKey('ghost', 'hash-3', null, NOW)).toBe(false);
      expect(await s.store.tenants.clearApiKey('ghost', NOW)).toBe(false);
      expect(await s.store.tenants.byApiKeyHash('hash-3')).toBeNull();
    });

    it('keeps the suspended batches as given; an unknown tenant is false', async () => {
      await s.store.tenants.upsert('acme', tenantConfig(), NOW);
      s.forget();
      expect(await s.store.tenants.setSuspendedBatches('acme', ['b1', 'b2'], NOW + 1)).toBe(true);
      expect((await s.store.tenants.get('acme'))?.suspended_batches).toEqual(['b1', 'b2']);
      expect(await s.store.tenants.setSuspendedBatches('acme', ['*'], NOW + 2)).toBe(true);
      expect((await s.store.tenants.get('acme'))?.suspended_batches).toEqual(['*']);
      expect(await s.store.tenants.setSuspendedBatches('acme', [], NOW + 3)).toBe(true);
      expect(await s.store.tenants.get('acme')).toMatchObject({ suspended_batches: [], updated_ts: NOW + 3 });
      expect(await s.store.tenants.setSuspendedBatches('ghost', ['*'], NOW)).toBe(false);
      expect(s.announced.tenants).toEqual([['acme'], ['acme'], ['acme']]);
    });

    it('counts pending messages per tenant and per batch', async () => {
      await reach(s.store, 'done', 'sent', { tenant_id: 'a', batch_code: 'b1' });
      await reach(s.store, 'failed', 'error', { tenant_id: 'a', batch_code: 'b1' });
      await s.store.messages.enqueue(
        [payload('q1', { tenant_id: 'a', batch_code: 'b1' }), payload('q2', { tenant_id: 'a', batch_code: 'b2' }), payload('q3', { tenant_id: 'a' })],
        NOW,
      );
      await s.store.messages.enqueue([payload('q1', { tenant_id: 'b', batch_code: 'b1' })], NOW);
      expect(await s.store.messages.countPending('a')).toBe(3);
      expect(await s.store.messages.countPending('a', 'b1')).toBe(1);
      expect(await s.store.messages.countPending('a', null)).toBe(3);
      expect(await s.store.messages.countPending('b', 'b1')).toBe(1);
      expect(await s.store.messages.countPending('', null)).toBe(0);
    });
  });
}
