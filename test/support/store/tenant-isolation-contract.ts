import { describe, expect, it } from 'vitest';
import type { ClaimCaps, HeldWork } from '../../../src/core/store/ports.js';
import { accountKey, messageKey as key } from '../../../src/core/store/records.js';
import { useStore, type StoreFactory } from './harness.js';
import { NOW, account, errorOutcome, payload, reportOf, sentOutcome, seqOf } from './fixtures.js';

const TENANTS = ['a', 'b'] as const;

/** Two tenants using the same message id and the same account id, kept apart by every port; claims leaving held work. */
export function tenantIsolationContract(factory: StoreFactory): void {
  describe('tenants: the same ids in two tenants', () => {
    const s = useStore(factory);

    const enqueueBoth = async (id: string, over: Parameters<typeof payload>[1] = {}) => {
      for (const t of TENANTS) {
        expect(await s.store.messages.enqueue([payload(id, { tenant_id: t, account_id: 'acc', subject: `${t} ${id}`, ...over })], NOW)).toEqual({ queued: 1, rejected: [] });
      }
    };

    it('keeps two accounts with the same id apart: get, list, replace, delete', async () => {
      await s.store.accounts.upsert(account('acc', { tenant_id: 'a', host: 'smtp.a.example' }), NOW);
      await s.store.accounts.upsert(account('acc', { tenant_id: 'b', host: 'smtp.b.example' }), NOW);
      expect((await s.store.accounts.get('a', 'acc'))?.host).toBe('smtp.a.example');
      expect((await s.store.accounts.get('b', 'acc'))?.host).toBe('smtp.b.example');
      expect(await s.store.accounts.get('', 'acc')).toBeNull();
      expect((await s.store.accounts.list()).map((x) => `${x.tenant_id}/${x.id}`)).toEqual(['a/acc', 'b/acc']);
      await s.store.accounts.upsert(account('acc', { tenant_id: 'a', host: 'smtp.a2.example' }), NOW + 1);
      expect((await s.store.accounts.get('b', 'acc'))?.host).toBe('smtp.b.example');
      await enqueueBoth('m');
      expect(await s.store.accounts.delete('a', 'acc')).toBe(true);
      expect(await s.store.messages.get(key('m', 'a'))).toBeNull();
      expect(await s.store.messages.get(key('m', 'b'))).toMatchObject({ state: 'queued' });
      expect((await s.store.accounts.list('b')).map((x) => x.id)).toEqual(['acc']);
    });

    it('keeps two messages with the same id apart: get, list, listAll, timeline, deleteMany, retry', async () => {
      await enqueueBoth('m');
      const [ma, mb] = [await s.store.messages.get(key('m', 'a')), await s.store.messages.get(key('m', 'b'))];
      expect([ma?.subject, mb?.subject]).toEqual(['a m', 'b m']);
      expect(ma?.seq).not.toBe(mb?.seq);
      expect(await s.store.messages.get(key('m'))).toBeNull();
      expect((await s.store.messages.list({ tenant_id: 'a', limit: 10 })).items.map((x) => x.subject)).toEqual(['a m']);
      expect((await s.store.messages.list({ limit: 10 })).items.map((x) => x.tenant_id)).toEqual(['b', 'a']);
      expect((await s.store.messages.listAll({ tenantId: 'b' })).map((x) => x.subject)).toEqual(['b m']);
      expect((await s.store.messages.timeline(key('m', 'a'), 'acc')).map((e) => e.tenant_id)).toEqual(['a']);

      // the failed one of a goes back to the queue; b's stays as it is
      await s.store.dispatch.claim({ now: NOW + 1, leaseUntil: NOW + 61, limit: 10 });
      await s.store.dispatch.markError([errorOutcome(ma!.seq, { account_id: 'acc', started_ts: NOW + 1 })], NOW + 2);
      expect((await s.store.messages.retry(key('m', 'a'), NOW + 3)).status).toBe('ok');
      expect(await s.store.messages.retry(key('m', 'b'), NOW + 3)).toEqual({ status: 'conflict', state: 'sending' });
      expect(await s.store.messages.deleteMany('a', ['m', 'ghost'], NOW + 4)).toEqual({ removed: 1, not_found: ['ghost'] });
      expect(await s.store.messages.get(key('m', 'a'))).toBeNull();
      expect(await s.store.messages.get(key('m', 'b'))).toMatchObject({ state: 'sending' });
      expect((await s.store.messages.timeline(key('m', 'b'), 'acc')).length).toBe(1);
    });

    it('re-enqueues an id in one tenant without touching the other: a sent id is refused in its own tenant only', async () => {
      await enqueueBoth('m');
      await s.store.dispatch.claim({ now: NOW + 1, leaseUntil: NOW + 61, limit: 10 });
      const seqA = await seqOf(s.store, 'm', 'a');
      await s.store.dispatch.markSent([sentOutcome(seqA, { tenant_id: 'a', account_id: 'acc', via_account: 'acc', started_ts: NOW + 1 })], NOW + 2);
      await s.store.dispatch.markError([errorOutcome(await seqOf(s.store, 'm', 'b'), { account_id: 'acc', started_ts: NOW + 1 })], NOW + 2);
      expect(await s.store.messages.enqueue([payload('m', { tenant_id: 'a' })], NOW + 3)).toEqual({ queued: 0, rejected: [{ id: 'm', reason: 'already sent' }] });
      expect(await s.store.messages.enqueue([payload('m', { tenant_id: 'b' })], NOW + 3)).toEqual({ queued: 1, rejected: [] });
      expect(await s.store.messages.enqueue([payload('m')], NOW + 3)).toEqual({ queued: 1, rejected: [] });
      expect(await s.store.messages.get(key('m', 'a'))).toMatchObject({ state: 'sent', seq: seqA });
    });

    it('claims and records outcomes by seq: the same id in the other tenant keeps its own state, send log and report', async () => {
      await enqueueBoth('m');
      const claimed = await s.store.dispatch.claim({ now: NOW + 1, leaseUntil: NOW + 61, limit: 10 });
      expect(claimed.map((c) => `${c.tenant_id}/${c.id}`).sort()).toEqual(['a/m', 'b/m']);
      const seqOfTenant = (t: string) => claimed.find((c) => c.tenant_id === t)!.seq;
      await s.store.dispatch.beginAttempts([{ seq: seqOfTenant('a'), account_id: 'acc', attempt: 1, detail: {} }], NOW + 1);
      await s.store.dispatch.markSent([sentOutcome(seqOfTenant('a'), { tenant_id: 'a', account_id: 'acc', via_account: 'acc', started_ts: NOW + 1 })], NOW + 2);
      expect(await s.store.messages.get(key('m', 'a'))).toMatchObject({ state: 'sent', attempts: 1 });
      expect(await s.store.messages.get(key('m', 'b'))).toMatchObject({ state: 'sending', attempts: 0 });
      expect(await s.store.dispatch.rateWindowCounts('a', 'acc', NOW + 2)).toEqual({ minute: 1, hour: 1, day: 1 });
      expect(await s.store.dispatch.rateWindowCounts('b', 'acc', NOW + 2)).toEqual({ minute: 0, hour: 0, day: 0 });
      expect(await s.store.dispatch.rateWindowCounts('', 'acc', NOW + 2)).toEqual({ minute: 0, hour: 0, day: 0 });
      expect(await s.store.dispatch.sendLogSince('a', 'acc', 0)).toEqual([NOW + 2]);

      expect(await s.store.reports.pending('b', 10)).toEqual([]);
      const [report] = await s.store.reports.pending('a', 10);
      expect(report).toMatchObject({ tenant_id: 'a', seq: seqOfTenant('a'), item: { id: 'm', sent_ts: NOW + 2 } });
      await s.store.dispatch.markError([errorOutcome(seqOfTenant('b'), { account_id: 'acc', error: 'refused', started_ts: NOW + 1 })], NOW + 3);
      expect(await s.store.reports.markReported([report], NOW + 4)).toBe(1);
      expect(await s.store.messages.get(key('m', 'b'))).toMatchObject({ state: 'error', error: 'refused' });
      expect((await s.store.reports.pending('b', 10)).map((r) => r.item)).toEqual([reportOf((await s.store.messages.get(key('m', 'b')))!).item]);
      expect(await s.store.messages.purgeReported(NOW + 5, 10, 'b')).toBe(0);
      expect(await s.store.messages.purgeReported(NOW + 5, 10, 'a')).toBe(1);
      expect(await s.store.messages.get(key('m', 'b'))).not.toBeNull();
    });
  });

  describe('tenants: claims leave held work', () => {
    const s = useStore(factory);

    // a: suspended whole ('*'); b: batch x held; the default tenant: nothing held
    const held: HeldWork = { tenants: ['a'], batches: [{ tenant_id: 'b', batch_code: 'x' }] };
    const seed = async (accountId: string | null) => {
      const acc = accountId === null ? {} : { account_id: accountId };
      await s.store.messages.enqueue(
        [
          payload('a-plain', { tenant_id: 'a', ...acc }),
          payload('a-y', { tenant_id: 'a', batch_code: 'y', ...acc }),
          payload('b-x', { tenant_id: 'b', batch_code: 'x', ...acc }),
          payload('b-plain', { tenant_id: 'b', ...acc }),
          payload('b-y', { tenant_id: 'b', batch_code: 'y', ...acc }),
          payload('d-x', { batch_code: 'x', ...acc }),
          payload('d-plain', { ...acc }),
        ],
        NOW,
      );
    };
    const caps = (accountId: string): ClaimCaps => ({
      perAccount: new Map(['a', 'b', ''].map((t) => [accountKey(t, accountId), 10])),
      noAccount: 10,
      otherAccounts: 10,
    });
    /** `h` null: nothing held */
    const claimIds = async (c?: ClaimCaps, h: HeldWork | null = held) =>
      (await s.store.dispatch.claim({ now: NOW + 1, leaseUntil: NOW + 61, limit: 100, caps: c, held: h ?? undefined })).map((m) => m.id).sort();
    const LEFT = ['a-plain', 'a-y', 'b-x'];
    const TAKEN = ['b-plain', 'b-y', 'd-plain', 'd-x'];

    it('without caps: a suspended tenant waits whole; a held batch waits in its tenant only; messages without a batch wait only under *', async () => {
      await seed(null);
      expect(await claimIds()).toEqual(TAKEN);
      expect(await claimIds()).toEqual([]);
      expect(await claimIds(undefined, null)).toEqual(LEFT);
    });

    it('with per-account caps, for messages with an account', async () => {
      await seed('acc');
      expect(await claimIds(caps('acc'))).toEqual(TAKEN);
      expect(await claimIds(caps('acc'), { tenants: [], batches: [] })).toEqual(LEFT);
    });

    it('with per-account caps, for messages without an account', async () => {
      await seed(null);
      expect(await claimIds(caps('acc'))).toEqual(TAKEN);
      expect(await claimIds(caps('acc'), null)).toEqual(LEFT);
    });

    it('a held batch of one tenant leaves the same batch code of another tenant claimable, with and without caps', async () => {
      await s.store.messages.enqueue([payload('p1', { tenant_id: 'b', batch_code: 'x', account_id: 'acc' }), payload('p2', { tenant_id: 'c', batch_code: 'x', account_id: 'acc' })], NOW);
      const onlyB: HeldWork = { tenants: [], batches: [{ tenant_id: 'b', batch_code: 'x' }] };
      expect(await claimIds(caps('acc'), onlyB)).toEqual(['p2']);
      await s.store.messages.enqueue([payload('p3', { tenant_id: 'c', batch_code: 'x' })], NOW);
      expect(await claimIds(undefined, onlyB)).toEqual(['p3']);
    });
  });
}
