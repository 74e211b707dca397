import { describe, expect, it } from 'vitest';
import { useStore, type StoreFactory } from './harness.js';
import { NOW, account, payload, reach, sentOutcome } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

/** AccountsPort and SettingsPort. */
export function accountsSettingsContract(factory: StoreFactory): void {
  describe('accounts', () => {
    const s = useStore(factory);

    it('stores an account with every field as given, and announces the change after the commit', async () => {
      const full = account('acc', {
        user: 'relay',
        password: 's3cret',
        ttl: 120,
        limit_per_minute: 10,
        limit_per_hour: 100,
        limit_per_day: 1000,
        limit_behavior: 'error',
        use_tls: true,
        batch_size: 50,
        timeout: 30,
        max_connections: 2,
        fallbacks: ['b', 'c'],
        weight: 3,
      });
      await s.store.accounts.upsert(full, NOW);
      expect(await s.store.accounts.get('', 'acc')).toEqual({ ...full, created_at: expect.any(String), updated_ts: NOW });
      expect(s.announced.accounts).toEqual([['acc']]);
      await s.store.accounts.upsert(account('plain', { use_tls: false }), NOW);
      expect(await s.store.accounts.get('', 'plain')).toEqual({ ...account('plain', { use_tls: false }), created_at: expect.any(String), updated_ts: NOW });
      expect(await s.store.accounts.get('', 'ghost')).toBeNull();
    });

    it('replaces an account whole (fields not given go back to their defaults), and lists accounts by id', async () => {
      await s.store.accounts.upsert(account('b', { user: 'u', password: 'p', fallbacks: ['a'] }), NOW);
      await s.store.accounts.upsert(account('c'), NOW);
      await s.store.accounts.upsert(account('a'), NOW);
      await s.store.accounts.upsert(account('b', { port: 465 }), NOW + 5);
      expect(await s.store.accounts.get('', 'b')).toEqual({ ...account('b', { port: 465 }), created_at: expect.any(String), updated_ts: NOW + 5 });
      expect((await s.store.accounts.list()).map((a) => a.id)).toEqual(['a', 'b', 'c']);
      expect((await s.store.accounts.list())[0]).toEqual({ ...account('a'), created_at: expect.any(String), updated_ts: NOW });
      expect(s.announced.accounts).toEqual([['b'], ['c'], ['a'], ['b']]);
    });

    it('deletes an account with its messages, their timelines and its send log, and nobody else\'s', async () => {
      await s.store.accounts.upsert(account('a1'), NOW);
      await s.store.accounts.upsert(account('a2'), NOW);
      const m2 = await reach(s.store, 'm2', 'sending', { account_id: 'a1' });
      await s.store.dispatch.markSent([sentOutcome(m2, { account_id: 'a1', via_account: 'a1' })], NOW + 2);
      const m3 = await reach(s.store, 'm3', 'sending', { account_id: 'a2' });
      await s.store.dispatch.markSent([sentOutcome(m3, { account_id: 'a2', via_account: 'a2' })], NOW + 2);
      await s.store.messages.enqueue([payload('m1', { account_id: 'a1' }), payload('m4')], NOW);
      s.forget();
      expect(await s.store.accounts.delete('', 'a1')).toBe(true);
      expect(s.announced.accounts).toEqual([['a1']]);
      expect(await s.store.accounts.get('', 'a1')).toBeNull();
      expect(await s.store.messages.get(key('m1'))).toBeNull();
      expect(await s.store.messages.get(key('m2'))).toBeNull();
      expect(await s.store.messages.timeline(key('m2'), 'a1')).toEqual([]);
      expect(await s.store.dispatch.sendLogSince('', 'a1', 0)).toEqual([]);
      expect(await s.store.dispatch.sendLogSince('', 'a2', 0)).toEqual([NOW + 2]);
      expect((await s.store.messages.listAll({ tenantId: '' })).map((m) => m.id)).toEqual(['m3', 'm4']);
      expect((await s.store.accounts.list()).map((a) => a.id)).toEqual(['a2']);
      expect(await s.store.accounts.delete('', 'a1')).toBe(false);
    });
  });

  describe('settings', () => {
    const s = useStore(factory);

    it('keeps JSON values by key', async () => {
      expect(await s.store.settings.all()).toEqual({});
      expect(await s.store.settings.get('missing')).toBeUndefined();
      await s.store.settings.set('obj', { a: 1, b: [1, 'two'] });
      await s.store.settings.set('n', 5);
      await s.store.settings.set('s', 'text');
      await s.store.settings.set('f', false);
      await s.store.settings.set('nil', null);
      expect(await s.store.settings.get('obj')).toEqual({ a: 1, b: [1, 'two'] });
      expect(await s.store.settings.get('nil')).toBeNull();
      expect(await s.store.settings.get('f')).toBe(false);
      await s.store.settings.set('n', 6);
      expect(await s.store.settings.all()).toEqual({ obj: { a: 1, b: [1, 'two'] }, n: 6, s: 'text', f: false, nil: null });
    });

    it('merges only the keys given into an object, keeping the others (two writers of different keys both win)', async () => {
      await s.store.settings.merge('runtime', { paused: true });
      expect(await s.store.settings.get('runtime')).toEqual({ paused: true });
      await s.store.settings.set('runtime', { paused: false, url: 'http://a', token: 'x' });
      // written from two stale copies at once: each keeps what the other wrote
      await Promise.all([s.store.settings.merge('runtime', { paused: true }), s.store.settings.merge('runtime', { url: 'http://b', token: null })]);
      expect(await s.store.settings.get('runtime')).toEqual({ paused: true, url: 'http://b', token: null });
      // a value that is no object is replaced
      await s.store.settings.set('n', 5);
      await s.store.settings.merge('n', { a: 1 });
      expect(await s.store.settings.get('n')).toEqual({ a: 1 });
    });
  });
}
