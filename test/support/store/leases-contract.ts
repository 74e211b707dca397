import { describe, expect, it } from 'vitest';
import type { RelayInstance } from '../../../src/core/store/ports.js';
import { useStore, type StoreFactory } from './harness.js';
import { NOW, key, payload, sentOutcome, seqOf } from './fixtures.js';

const relay = (id: string): RelayInstance => ({ id, host: 'test-host', pid: 1, started_ts: NOW });
const scopeOf = (owner: string) => ({ owner, liveSeconds: 30 });

/**
 * DispatchPort for several relays on one database (issue #19): lease renewal on every backend; heartbeats,
 * live relays' leases, rate slots and shared backoffs where the backend shares them (lockRateWindows is
 * not null). A backend serving one relay answers null and records nothing of the rest.
 */
export function leasesContract(factory: StoreFactory): void {
  describe('dispatch: leases and what relays share', () => {
    const s = useStore(factory);
    const shared = async () => (await s.store.dispatch.lockRateWindows([{ tenant_id: '', id: 'acc' }], 0, 'probe')) !== null;

    it('renews the leases of messages still being sent, in one call, and of nothing else', async () => {
      await s.store.messages.enqueue([payload('a'), payload('b'), payload('c')], NOW);
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 10, limit: 2, owner: 'r1' });
      const [a, b, c] = [await seqOf(s.store, 'a'), await seqOf(s.store, 'b'), await seqOf(s.store, 'c')];
      await s.store.dispatch.markSent([sentOutcome(b)], NOW + 1);
      expect(await s.store.dispatch.renewLeases([a, b, c], NOW + 100, 'r1')).toBe(1);
      expect(await s.store.messages.get(key('a'))).toMatchObject({ state: 'sending', lease_until: NOW + 100 });
      expect(await s.store.messages.get(key('c'))).toMatchObject({ state: 'queued', lease_until: null });
      expect(await s.store.dispatch.renewLeases([], NOW + 200, 'r1')).toBe(0);
    });

    it('without sharing (one relay per database) records no relay, slot or backoff', async () => {
      if (await shared()) return;
      await s.store.dispatch.heartbeat(relay('r1'), NOW);
      expect(await s.store.dispatch.liveRelays(0)).toEqual([]);
      expect(await s.store.dispatch.sharedBackoffs(NOW)).toBeNull();
    });

    it('keeps the expired lease of a live relay from other relays, and gives it back once its heartbeat is stale', async () => {
      if (!(await shared())) return;
      await s.store.dispatch.heartbeat(relay('r1'), NOW);
      await s.store.dispatch.heartbeat(relay('r2'), NOW + 20);
      expect((await s.store.dispatch.liveRelays(NOW + 10)).map((r) => r.id)).toEqual(['r2']);
      await s.store.messages.enqueue([payload('a')], NOW);
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 5, limit: 1, owner: 'r1' });
      // r1's heartbeat (NOW) is live until NOW + 30
      expect(await s.store.dispatch.nextLeaseExpiry([], scopeOf('r2'))).toBe(NOW + 30);
      expect(await s.store.dispatch.nextLeaseExpiry([], scopeOf('r1'))).toBe(NOW + 5);
      expect(await s.store.dispatch.releaseExpiredLeases(NOW + 10, NOW + 10, [], scopeOf('r2'))).toBe(0);
      expect(await s.store.dispatch.releaseExpiredLeases(NOW + 31, NOW + 31, [], scopeOf('r2'))).toBe(1);
      expect(await s.store.messages.get(key('a'))).toMatchObject({ state: 'queued' });
    });

    it('a relay takes back its own expired leases, and at start every lease of relays not live', async () => {
      if (!(await shared())) return;
      await s.store.dispatch.heartbeat(relay('live'), NOW);
      await s.store.messages.enqueue([payload('mine'), payload('dead'), payload('live')], NOW);
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 5, limit: 1, owner: 'me' });
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 500, limit: 1, owner: 'gone' });
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 500, limit: 1, owner: 'live' });
      expect(await s.store.dispatch.releaseExpiredLeases(NOW + 6, NOW + 6, [], scopeOf('me'))).toBe(1);
      expect(await s.store.dispatch.releaseExpiredLeases(NOW + 7, Infinity, [], scopeOf('me'))).toBe(1);
      expect(await s.store.messages.get(key('dead'))).toMatchObject({ state: 'queued' });
      expect(await s.store.messages.get(key('live'))).toMatchObject({ state: 'sending' });
    });

    it('counts the rate slots of other relays\' sends in flight and every send; an unsent outcome frees its slot', async () => {
      if (!(await shared())) return;
      await s.store.messages.enqueue(['a', 'b', 'c'].map((id) => payload(id, { account_id: 'acc' })), NOW);
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 3, owner: 'r1' });
      const [a, b, c] = [await seqOf(s.store, 'a'), await seqOf(s.store, 'b'), await seqOf(s.store, 'c')];
      const windows = (owner: string) => s.store.transaction((tx) => tx.dispatch.lockRateWindows([{ tenant_id: '', id: 'acc' }], NOW - 100, owner));
      await s.store.dispatch.takeRateSlots([a, b, c].map((seq) => ({ seq, tenant_id: '', account_id: 'acc' })), NOW, 'r1');
      expect((await windows('r2'))?.get('acc')).toEqual([NOW, NOW, NOW]);
      // its own slots in flight the relay counts itself
      expect((await windows('r1'))?.get('acc')).toEqual([]);
      await s.store.dispatch.markSent([sentOutcome(a, { account_id: 'acc', via_account: 'acc' })], NOW + 2);
      await s.store.dispatch.releaseLeases([b], NOW + 3, 'shutdown');
      expect((await windows('r1'))?.get('acc')).toEqual([NOW + 2]);
      expect((await windows('r2'))?.get('acc')).toEqual([NOW, NOW + 2]);
      // an expired lease may have been sent before its relay died: its slot stays counted
      await s.store.dispatch.releaseExpiredLeases(NOW + 61, NOW + 61, [], scopeOf('r2'));
      expect((await windows('r1'))?.get('acc')).toEqual([NOW, NOW + 2]);
    });

    it('shares an account backoff until it ends or the account recovers', async () => {
      if (!(await shared())) return;
      await s.store.dispatch.shareBackoff('', 'acc', NOW + 60, 'connection refused');
      await s.store.dispatch.shareBackoff('', 'acc', NOW + 30, 'later, shorter');
      await s.store.dispatch.shareBackoff('t1', 'other', NOW + 5, 'timeout');
      expect(await s.store.dispatch.sharedBackoffs(NOW)).toEqual([
        { tenant_id: '', account_id: 'acc', until: NOW + 60, error: 'later, shorter' },
        { tenant_id: 't1', account_id: 'other', until: NOW + 5, error: 'timeout' },
      ]);
      expect(await s.store.dispatch.sharedBackoffs(NOW + 5)).toHaveLength(1);
      await s.store.dispatch.shareBackoff('', 'acc', null, '');
      expect(await s.store.dispatch.sharedBackoffs(NOW)).toEqual([{ tenant_id: 't1', account_id: 'other', until: NOW + 5, error: 'timeout' }]);
    });
  });
}
