import { describe, expect, it } from 'vitest';
import type { ClaimCaps } from '../../../src/core/store/ports.js';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, deferOutcome, payload, reach, sentOutcome, withoutSeq, seqOf } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

function caps(perAccount: Record<string, number>, noAccount: number, otherAccounts: number): ClaimCaps {
  return { perAccount: new Map(Object.entries(perAccount)), noAccount, otherAccounts };
}

/** DispatchPort: claims (order, caps, limit), promotion of due deferred messages, leases. */
export function dispatchContract(factory: StoreFactory): void {
  describe('dispatch: claims', () => {
    const s = useStore(factory);
    const claimIds = async (limit: number, c?: ClaimCaps) =>
      (await s.store.dispatch.claim({ now: NOW + 1, leaseUntil: NOW + 61, limit, caps: c })).map((m) => m.id);

    it('claims due messages in priority, then FIFO order, and leases them without a timeline row', async () => {
      await s.store.messages.enqueue(
        [payload('l1', { priority: 3 }), payload('m1'), payload('i1', { priority: 0 }), payload('m2'), payload('h1', { priority: 1 }), payload('later', { deferred_ts: NOW + 9 })],
        NOW,
      );
      s.forget();
      const claimed = await s.store.dispatch.claim({ now: NOW + 1, leaseUntil: NOW + 61, limit: 4 });
      expect(claimed.map((m) => m.id)).toEqual(['i1', 'h1', 'm1', 'm2']);
      const { seq, payload: json, ...rest } = claimed[0];
      expect(typeof seq).toBe('number');
      expect(JSON.parse(json)).toEqual(payload('i1', { priority: 0 }));
      expect(rest).toEqual({ id: 'i1', tenant_id: '', account_id: null, batch_code: null, priority: 0, attempts: 0, retry_count: 0, first_attempt_ts: null, created_ts: NOW, source_captured_id: null });
      expect(claimed[2].seq < claimed[3].seq).toBe(true);
      expect(await s.store.messages.get(key('i1'))).toMatchObject({ state: 'sending', lease_until: NOW + 61, updated_ts: NOW + 1 });
      expect((await s.store.messages.timeline(key('i1'), null)).map((e) => e.type)).toEqual(['queued']);
      expect(s.announced.messages).toEqual([]);
      expect(await claimIds(10)).toEqual(['l1']);
      expect(await claimIds(10)).toEqual([]);
      expect(await s.store.dispatch.countLeased()).toBe(5);
    });

    it('claims nothing with a zero limit', async () => {
      await s.store.messages.enqueue([payload('a')], NOW);
      expect(await claimIds(0)).toEqual([]);
      expect(await s.store.dispatch.countLeased()).toBe(0);
    });

    it('hands over what the dispatcher needs of the message history', async () => {
      await s.store.messages.enqueue([payload('r', { account_id: 'acc' })], NOW, { source_captured_id: 4 });
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 1 });
      await s.store.dispatch.defer([deferOutcome(await seqOf(s.store, 'r'), NOW + 30, { account_id: 'acc', retry_count: 2, started_ts: NOW + 1 })], NOW + 2);
      await s.store.dispatch.promoteDue(NOW + 30);
      const [claimed] = await s.store.dispatch.claim({ now: NOW + 31, leaseUntil: NOW + 91, limit: 1 });
      expect(claimed).toMatchObject({ id: 'r', account_id: 'acc', attempts: 1, retry_count: 2, first_attempt_ts: NOW + 1, created_ts: NOW, source_captured_id: 4 });
    });

    it('takes at most each account\'s cap from the head of its own queue, so a busy account hides nobody', async () => {
      const busy = Array.from({ length: 20 }, (_, i) => payload(`busy${i}`, { account_id: 'busy' }));
      await s.store.messages.enqueue(
        [...busy, payload('other1', { account_id: 'other' }), payload('loose1'), payload('urgent', { account_id: 'busy', priority: 0 }), payload('stranger1', { account_id: 'stranger' })],
        NOW,
      );
      expect(await claimIds(50, caps({ busy: 2, other: 5 }, 1, 1))).toEqual(['urgent', 'busy0', 'other1', 'loose1', 'stranger1']);
      expect(await s.store.dispatch.countLeased()).toBe(5);
    });

    it('skips accounts capped at zero, and applies the global limit across accounts in dispatch order', async () => {
      await s.store.messages.enqueue(
        [payload('b1', { account_id: 'busy' }), payload('o1', { account_id: 'other' }), payload('n1'), payload('s1', { account_id: 'stranger', priority: 1 }), payload('o2', { account_id: 'other' })],
        NOW,
      );
      expect(await claimIds(50, caps({ busy: 0 }, 0, 1))).toEqual(['s1', 'o1']);
      expect(await claimIds(2, caps({}, 5, 5))).toEqual(['b1', 'n1']);
      expect(await claimIds(2)).toEqual(['o2']);
    });
  });

  describe('dispatch: deferred messages and leases', () => {
    const s = useStore(factory);

    it('promotes deferred messages whose time has come, and tells when the next one is due', async () => {
      expect(await s.store.dispatch.nextDueTs()).toBeNull();
      await s.store.messages.enqueue([payload('s1', { deferred_ts: NOW + 10 }), payload('s2', { deferred_ts: NOW + 20 })], NOW);
      s.forget();
      expect(await s.store.dispatch.nextDueTs()).toBe(NOW + 10);
      expect(await s.store.dispatch.promoteDue(NOW + 9)).toBe(0);
      expect(await s.store.dispatch.promoteDue(NOW + 10)).toBe(1);
      // the time it was due stays visible while it waits in the queue
      expect(await s.store.messages.get(key('s1'))).toMatchObject({ state: 'queued', updated_ts: NOW + 10, deferred_ts: NOW + 10, deferred_reason: 'scheduled' });
      const last = (await s.store.messages.timeline(key('s1'), null)).at(-1)!;
      expect(withoutSeq(last)).toEqual({ message_id: 's1', tenant_id: '', account_id: null, ts: NOW + 10, type: 'due', state: 'queued', detail: { reason: 'scheduled' } });
      expect(s.announced.messages).toEqual([[last]]);
      expect(await s.store.dispatch.nextDueTs()).toBe(NOW + 20);
      expect(await s.store.dispatch.promoteDue(NOW + 100)).toBe(1);
      expect(await s.store.dispatch.nextDueTs()).toBeNull();
    });

    it('names the earliest lease expiry, ignoring the sends named as in progress here', async () => {
      expect(await s.store.dispatch.nextLeaseExpiry()).toBeNull();
      await s.store.messages.enqueue([payload('a'), payload('b')], NOW);
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 30, limit: 1 });
      await s.store.dispatch.claim({ now: NOW + 5, leaseUntil: NOW + 40, limit: 1 });
      expect(await s.store.dispatch.nextLeaseExpiry()).toBe(NOW + 30);
      const [a, b] = [await seqOf(s.store, 'a'), await seqOf(s.store, 'b')];
      expect(await s.store.dispatch.nextLeaseExpiry([a])).toBe(NOW + 40);
      expect(await s.store.dispatch.nextLeaseExpiry([a, b])).toBeNull();
      await s.store.dispatch.markSent([sentOutcome(await seqOf(s.store, 'a'))], NOW + 6);
      expect(await s.store.dispatch.nextLeaseExpiry()).toBe(NOW + 40);
    });

    it('releases leases expired at the given moment, except those still being sent here', async () => {
      await s.store.messages.enqueue([payload('a'), payload('b'), payload('c', { account_id: 'acc' })], NOW);
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 30, limit: 2 });
      await s.store.dispatch.claim({ now: NOW, leaseUntil: NOW + 40, limit: 1 });
      s.forget();
      expect(await s.store.dispatch.releaseExpiredLeases(NOW + 29, NOW + 29)).toBe(0);
      expect(await s.store.dispatch.releaseExpiredLeases(NOW + 50, NOW + 30, [await seqOf(s.store, 'a')])).toBe(1);
      expect((await s.store.messages.get(key('a')))?.state).toBe('sending');
      expect((await s.store.messages.get(key('c')))?.state).toBe('sending');
      expect(await s.store.messages.get(key('b'))).toMatchObject({ state: 'queued', lease_until: null, updated_ts: NOW + 50 });
      const last = (await s.store.messages.timeline(key('b'), null)).at(-1)!;
      expect(withoutSeq(last)).toEqual({ message_id: 'b', tenant_id: '', account_id: null, ts: NOW + 50, type: 'lease_expired', state: 'queued' });
      expect(s.announced.messages).toEqual([[last]]);
      // at start-up nothing can be in flight: every lease goes back
      expect(await s.store.dispatch.releaseExpiredLeases(NOW + 51, Infinity)).toBe(2);
      expect(await s.store.dispatch.countLeased()).toBe(0);
      expect(announcedRows(s.announced).slice(1).sort()).toEqual(['a:lease_expired:queued', 'c:lease_expired:queued']);
    });

    it('releases specific leases with a reason, and nothing else', async () => {
      const a = await reach(s.store, 'a', 'sending');
      await reach(s.store, 'b', 'sending');
      await s.store.messages.enqueue([payload('q')], NOW);
      s.forget();
      expect(await s.store.dispatch.releaseLeases([a, await seqOf(s.store, 'q'), 1_000_000_000], NOW + 5, 'shutdown')).toBe(1);
      expect(await s.store.dispatch.releaseLeases([], NOW + 5, 'shutdown')).toBe(0);
      expect(await s.store.messages.get(key('a'))).toMatchObject({ state: 'queued', lease_until: null, updated_ts: NOW + 5 });
      expect((await s.store.messages.get(key('b')))?.state).toBe('sending');
      expect((await s.store.messages.get(key('q')))?.updated_ts).toBe(NOW);
      expect(s.announced.messages).toEqual([
        [expect.objectContaining({ message_id: 'a', ts: NOW + 5, type: 'lease_expired', state: 'queued', detail: { reason: 'shutdown' } })],
      ]);
      expect(await s.store.dispatch.countLeased()).toBe(1);
    });
  });
}
