import { describe, expect, it } from 'vitest';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, account, capturedMail, deferOutcome, payload, rawOf, seqOf } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Store.transaction: all or nothing, announcements only after a commit, other callers kept out. */
export function transactionContract(factory: StoreFactory): void {
  describe('transactions', () => {
    const s = useStore(factory);

    it('commits every call together and announces its rows and account changes after the commit', async () => {
      await s.store.messages.enqueue([payload('m1'), payload('m2')], NOW);
      s.forget();
      const result = await s.store.transaction(
        async (tx) => {
          const claimed = await tx.dispatch.claim({ now: NOW + 1, leaseUntil: NOW + 61, limit: 10 });
          await tx.dispatch.defer([deferOutcome(await seqOf(tx, 'm2'), NOW + 30)], NOW + 1);
          await tx.messages.enqueue([payload('m3')], NOW + 1);
          await tx.accounts.upsert(account('acc'), NOW + 1);
          await tx.accounts.upsert(account('acc', { port: 465 }), NOW + 1);
          await tx.settings.set('k', 'v');
          // its own writes are visible inside; nothing is announced before the commit
          expect((await tx.messages.get(key('m2')))?.state).toBe('deferred');
          expect(s.announced).toEqual({ messages: [], accounts: [], tenants: [] });
          return claimed.map((m) => m.id);
        },
        { durable: false },
      );
      expect(result).toEqual(['m1', 'm2']);
      expect((await s.store.messages.get(key('m1')))?.state).toBe('sending');
      expect((await s.store.messages.get(key('m2')))?.state).toBe('deferred');
      expect((await s.store.accounts.get('', 'acc'))?.port).toBe(465);
      expect(await s.store.settings.get('k')).toBe('v');
      expect(s.announced.messages.length).toBe(1);
      expect(announcedRows(s.announced)).toEqual(['m2:deferred:deferred', 'm3:queued:queued']);
      expect(s.announced.accounts).toEqual([['acc']]);
    });

    it('announces separate commits in commit order', async () => {
      await s.store.messages.enqueue([payload('a')], NOW);
      await s.store.transaction(async (tx) => {
        await tx.messages.enqueue([payload('b')], NOW);
        await tx.messages.enqueue([payload('c')], NOW);
      });
      await s.store.messages.deleteMany('', ['a'], NOW + 1);
      expect(s.announced.messages.map((batch) => batch.map((e) => `${e.message_id}:${e.type}`))).toEqual([
        ['a:queued'],
        ['b:queued', 'c:queued'],
        ['a:deleted'],
      ]);
    });

    it('rolls back everything, announces nothing and rethrows when the function throws', async () => {
      await s.store.messages.enqueue([payload('m1')], NOW);
      await s.store.accounts.upsert(account('keep'), NOW);
      await s.store.settings.set('k', 1);
      const before = await s.store.messages.get(key('m1'));
      s.forget();
      const boom = new Error('boom');
      await expect(
        s.store.transaction(async (tx) => {
          await tx.dispatch.claim({ now: NOW + 1, leaseUntil: NOW + 61, limit: 10 });
          await tx.dispatch.defer([deferOutcome(await seqOf(tx, 'm1'), NOW + 30)], NOW + 1);
          await tx.messages.enqueue([payload('m2')], NOW + 1);
          await tx.accounts.upsert(account('new'), NOW + 1);
          await tx.accounts.delete('', 'keep');
          await tx.settings.set('k', 2);
          await tx.captured.insertMany([{ m: capturedMail(1), raw: rawOf(1) }]);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await s.store.messages.get(key('m1'))).toEqual(before);
      expect((await s.store.messages.timeline(key('m1'), null)).map((e) => e.type)).toEqual(['queued']);
      expect(await s.store.messages.get(key('m2'))).toBeNull();
      expect((await s.store.accounts.list()).map((a) => a.id)).toEqual(['keep']);
      expect(await s.store.settings.get('k')).toBe(1);
      expect(await s.store.captured.counts()).toEqual({ total: 0, unread: 0 });
      expect(await s.store.dispatch.countLeased()).toBe(0);
      expect(s.announced).toEqual({ messages: [], accounts: [], tenants: [] });
    });

    it('keeps calls from outside out of an open transaction: they run after it, in arrival order', async () => {
      await s.store.messages.enqueue([payload('m1')], NOW);
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const tx = s.store.transaction(async (t) => {
        const [m1] = await t.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 10 });
        order.push('claimed');
        await held;
        await t.dispatch.defer([deferOutcome(m1.seq, NOW + 30)], NOW);
        order.push('tx end');
      });
      const write = s.store.messages.enqueue([payload('m2')], NOW).then(() => order.push('enqueued'));
      const read = s.store.messages.get(key('m1')).then((m) => order.push(`read ${m?.state}`));
      const count = s.store.dispatch.countLeased().then((n) => order.push(`leased ${n}`));
      await tick();
      expect(order).toEqual(['claimed']);
      release();
      await Promise.all([tx, write, read, count]);
      expect(order).toEqual(['claimed', 'tx end', 'enqueued', 'read deferred', 'leased 0']);
    });

    it('runs transactions one after the other', async () => {
      const order: string[] = [];
      const first = s.store.transaction(async (tx) => {
        order.push('first start');
        await tick();
        await tx.settings.set('k', 'first');
        order.push('first end');
      });
      const second = s.store.transaction(async (tx) => {
        order.push(`second start ${await tx.settings.get('k')}`);
        await tx.settings.set('k', 'second');
      });
      await Promise.all([first, second]);
      expect(order).toEqual(['first start', 'first end', 'second start first']);
      expect(await s.store.settings.get('k')).toBe('second');
    });

    it('lets the waiting calls run after a failed transaction, and the next transaction works', async () => {
      const failing = s.store.transaction(async (tx) => {
        await tx.messages.enqueue([payload('lost')], NOW);
        await tick();
        throw new Error('no');
      });
      const waiting = s.store.messages.enqueue([payload('w')], NOW);
      await expect(failing).rejects.toThrow('no');
      await expect(waiting).resolves.toEqual({ queued: 1, rejected: [] });
      await s.store.transaction(async (tx) => {
        await tx.messages.enqueue([payload('x')], NOW);
      });
      expect((await s.store.messages.listAll({ tenantId: '' })).map((m) => m.id)).toEqual(['w', 'x']);
      expect(announcedRows(s.announced)).toEqual(['w:queued:queued', 'x:queued:queued']);
    });

    it('leaves no trace of accounts written and read inside a rolled-back transaction', async () => {
      await s.store.accounts.upsert(account('acc', { port: 587 }), NOW);
      await expect(s.store.transaction(async (tx) => {
        await tx.accounts.upsert(account('new'), NOW + 1);
        await tx.accounts.upsert(account('acc', { port: 2525 }), NOW + 1);
        expect((await tx.accounts.get('', 'new'))?.id).toBe('new');
        expect((await tx.accounts.get('', 'acc'))?.port).toBe(2525);
        throw new Error('boom');
      })).rejects.toThrow('boom');
      expect(await s.store.accounts.get('', 'new')).toBeNull();
      expect((await s.store.accounts.get('', 'acc'))?.port).toBe(587);
    });

    it('rolls back captured mail stored without waiting for the disk, like any other call of the transaction', async () => {
      await expect(s.store.transaction(async (tx) => {
        await tx.captured.insertMany([{ m: capturedMail(1), raw: rawOf(1) }], { durable: false });
        throw new Error('boom');
      })).rejects.toThrow('boom');
      expect(await s.store.captured.counts()).toEqual({ total: 0, unread: 0 });
    });

    it('answers an integrity check', async () => {
      await s.store.messages.enqueue([payload('m1')], NOW);
      expect(await s.store.integrityCheck()).toBe('ok');
    });
  });
}
