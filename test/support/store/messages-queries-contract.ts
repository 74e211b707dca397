import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../../src/core/messages/types.js';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, deferOutcome, payload, reach, reportOf, summaryOf, seqOf } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

/** MessagesPort: lists, counts, deletes, retry and the purge of reported messages. */
export function messageQueriesContract(factory: StoreFactory): void {
  describe('messages: lists and counts', () => {
    const s = useStore(factory);
    const ids = (items: { id: string }[]) => items.map((m) => m.id);

    it('lists summaries newest first, a page at a time', async () => {
      await s.store.messages.enqueue(['m1', 'm2', 'm3', 'm4', 'm5'].map((id) => payload(id)), NOW);
      const first = await s.store.messages.list({ limit: 2 });
      expect(ids(first.items)).toEqual(['m5', 'm4']);
      expect(typeof first.next_cursor).toBe('string');
      const second = await s.store.messages.list({ limit: 2, cursor: first.next_cursor! });
      expect(ids(second.items)).toEqual(['m3', 'm2']);
      const third = await s.store.messages.list({ limit: 2, cursor: second.next_cursor! });
      expect(third).toEqual({ items: [expect.objectContaining({ id: 'm1' })], next_cursor: null });
      expect((await s.store.messages.list({ limit: 5 })).next_cursor).toBeNull();
      const summary: MessageSummary = {
        id: 'm1',
        tenant_id: '',
        account_id: null,
        priority: 2,
        state: 'queued',
        subject: 'subject m1',
        from: 'a@example.com',
        to: 'b@example.com',
        created_ts: NOW,
        updated_ts: NOW,
        deferred_ts: null,
        deferred_reason: null,
        sent_ts: null,
        error_ts: null,
        error: null,
        reported_ts: null,
        attempts: 0,
        retry_count: 0,
        sandbox: false,
        batch_code: null,
      };
      expect(third.items[0]).toEqual(summary);
    });

    it('filters lists by state, account and a literal substring of id, subject, from or to', async () => {
      await reach(s.store, 'busy', 'sending');
      await s.store.messages.enqueue(
        [
          payload('acc-msg', { account_id: 'acc' }),
          payload('invoice', { subject: 'Invoice 100% paid' }),
          payload('zed', { to: ['zed@other.example'] }),
          payload('sender', { from: 'boss@corp.example' }),
        ],
        NOW,
      );
      const q = async (query: Omit<Parameters<typeof s.store.messages.list>[0], 'limit'>) =>
        ids((await s.store.messages.list({ limit: 10, ...query })).items);
      expect(await q({ state: 'sending' })).toEqual(['busy']);
      expect(await q({ account_id: 'acc' })).toEqual(['acc-msg']);
      expect(await q({ q: 'voice 100%' })).toEqual(['invoice']);
      expect(await q({ q: '%' })).toEqual(['invoice']);
      expect(await q({ q: '_' })).toEqual([]);
      expect(await q({ q: 'zed@other' })).toEqual(['zed']);
      expect(await q({ q: 'boss@' })).toEqual(['sender']);
      expect(await q({ q: 'acc-m' })).toEqual(['acc-msg']);
      expect(await q({ state: 'queued', q: 'subject' })).toEqual(['sender', 'zed', 'acc-msg']);
    });

    it('keeps a reported outcome in its state, and filters by whether it was reported (#20.1)', async () => {
      await reach(s.store, 'err', 'error');
      await reach(s.store, 'rep-err', 'reported-error');
      await reach(s.store, 'rep-sent', 'reported-sent');
      await reach(s.store, 'ok', 'sent');
      await reach(s.store, 'other', 'error', { tenant_id: 'acme' });
      await s.store.messages.enqueue([payload('waiting')], NOW);
      const q = async (query: Omit<Parameters<typeof s.store.messages.list>[0], 'limit'>) =>
        ids((await s.store.messages.list({ limit: 10, tenant_id: '', ...query })).items);
      expect(await q({ state: 'error' })).toEqual(['rep-err', 'err']);
      expect(await q({ state: 'error', reported: true })).toEqual(['rep-err']);
      expect(await q({ state: 'error', reported: false })).toEqual(['err']);
      expect(await q({ state: 'sent' })).toEqual(['ok', 'rep-sent']);
      expect(await q({ reported: true })).toEqual(['rep-sent', 'rep-err']);
      // not reported: pending messages as well as final outcomes the application has not heard of
      expect(await q({ reported: false })).toEqual(['waiting', 'ok', 'err']);
      expect((await s.store.messages.list({ limit: 10, tenant_id: '', state: 'error', reported: true })).items[0]).toMatchObject({
        state: 'error',
        error: 'refused (SMTP 550)',
        reported_ts: NOW + 3,
      });
      expect(await s.store.messages.countByState()).toEqual({ queued: 1, deferred: 0, sending: 0, sent: 2, error: 3 });
      // what the applications still wait for: the final outcomes not reported yet, every tenant's
      expect(await s.store.messages.countUnreported()).toBe(3);
    });

    it('lists every message in dispatch order (priority, then arrival), or only those still pending', async () => {
      await reach(s.store, 'done', 'sent');
      await reach(s.store, 'failed', 'error');
      await reach(s.store, 'rep', 'reported-error');
      await reach(s.store, 'busy', 'sending');
      await s.store.messages.enqueue(
        [payload('low', { priority: 3 }), payload('hi', { priority: 0 }), payload('mid'), payload('later', { deferred_ts: NOW + 99 })],
        NOW,
      );
      const all = await s.store.messages.listAll({ tenantId: '' });
      expect(ids(all)).toEqual(['hi', 'done', 'failed', 'rep', 'busy', 'mid', 'later', 'low']);
      expect(all[0].payload).toEqual(payload('hi', { priority: 0 }));
      expect(ids(await s.store.messages.listAll({ tenantId: '',  activeOnly: true }))).toEqual(['hi', 'busy', 'mid', 'later', 'low']);
    });

    it('counts messages by state and by account', async () => {
      const zero = { queued: 0, deferred: 0, sending: 0, sent: 0, error: 0 };
      expect(await s.store.messages.countByState()).toEqual(zero);
      expect(await s.store.messages.countByAccount()).toEqual([]);
      await reach(s.store, 'x', 'sent', { account_id: 'a1' });
      await reach(s.store, 'y', 'error', { account_id: 'a1' });
      await s.store.messages.enqueue([payload('q1', { account_id: 'a1' }), payload('q2'), payload('q3'), payload('d', { account_id: 'a2', deferred_ts: NOW + 9 })], NOW);
      expect(await s.store.messages.countByState()).toEqual({ ...zero, queued: 3, deferred: 1, sent: 1, error: 1 });
      const byAccount = (await s.store.messages.countByAccount()).map((r) => `${r.account_id}/${r.state}/${r.n}`).sort();
      expect(byAccount).toEqual(['a1/error/1', 'a1/queued/1', 'a1/sent/1', 'a2/deferred/1', 'null/queued/2']);
    });
  });

  describe('messages: delete, retry, purge', () => {
    const s = useStore(factory);

    it('deletes messages whatever their state, with their timeline, and names the ids it did not find', async () => {
      await reach(s.store, 'c', 'sending', { account_id: 'acc' });
      await s.store.messages.enqueue([payload('a'), payload('b')], NOW);
      s.forget();
      expect(await s.store.messages.deleteMany('', ['a', 'c', 'ghost'], NOW + 5)).toEqual({ removed: 2, not_found: ['ghost'] });
      expect(await s.store.messages.get(key('a'))).toBeNull();
      expect(await s.store.messages.get(key('c'))).toBeNull();
      expect(await s.store.messages.timeline(key('c'), 'acc')).toEqual([]);
      expect((await s.store.messages.get(key('b')))?.state).toBe('queued');
      expect(s.announced.messages).toEqual([
        [
          { message_id: 'a', tenant_id: '', account_id: null, ts: NOW + 5, type: 'deleted', state: 'deleted' },
          { message_id: 'c', tenant_id: '', account_id: 'acc', ts: NOW + 5, type: 'deleted', state: 'deleted' },
        ],
      ]);
      expect(await s.store.dispatch.countLeased()).toBe(0);
      expect(await s.store.messages.deleteMany('', ['a'], NOW + 6)).toEqual({ removed: 0, not_found: ['a'] });
    });

    it('deletes a long list at once, announcing in the order asked; an id named twice is deleted once, then not found', async () => {
      const ids = Array.from({ length: 1200 }, (_, i) => `m${i}`);
      await s.store.messages.enqueue(ids.map((id) => payload(id)), NOW);
      s.forget();
      const asked = ['m7', 'm3', 'ghost', 'm7', 'bad\u0000id', ...ids.slice(10)];
      expect(await s.store.messages.deleteMany('', asked, NOW + 5)).toEqual({ removed: 1192, not_found: ['ghost', 'm7', 'bad\u0000id'] });
      expect(s.announced.messages.flat().map((e) => e.message_id)).toEqual(['m7', 'm3', ...ids.slice(10)]);
      expect((await s.store.messages.listAll({ tenantId: '' })).map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm4', 'm5', 'm6', 'm8', 'm9']);
      expect(await s.store.messages.timeline(key('m3'), null)).toEqual([]);
      expect(await s.store.messages.timeline(key('m4'), null)).toHaveLength(1);
    });

    it('retry: a failed message goes back to the queue now with a fresh retry budget', async () => {
      await reach(s.store, 'e', 'error');
      s.forget();
      const result = await s.store.messages.retry(key('e'), NOW + 10);
      expect(result).toEqual({
        status: 'ok',
        message: expect.objectContaining({
          id: 'e',
          state: 'queued',
          updated_ts: NOW + 10,
          error: null,
          error_ts: null,
          retry_count: 0,
          deferred_ts: null,
          deferred_reason: null,
          reported_ts: null,
          attempts: 1,
        }),
      });
      const stored = (await s.store.messages.get(key('e')))!;
      expect(result.status === 'ok' && result.message).toEqual(summaryOf(stored));
      expect(stored).toMatchObject({ lease_until: null, first_attempt_ts: null });
      expect(s.announced.messages).toEqual([[expect.objectContaining({ message_id: 'e', ts: NOW + 10, type: 'retry', state: 'queued' })]]);
    });

    it('retry: a deferred (backed-off or scheduled) or a reported failure is due now', async () => {
      await reach(s.store, 'b', 'sending');
      await s.store.dispatch.defer([deferOutcome(await seqOf(s.store, 'b'), NOW + 500, { retry_count: 3 })], NOW + 2);
      await reach(s.store, 'r', 'reported-error');
      await s.store.messages.enqueue([payload('s', { deferred_ts: NOW + 900 })], NOW);
      for (const id of ['b', 'r', 's']) {
        expect(await s.store.messages.retry(key(id), NOW + 10), id).toMatchObject({
          status: 'ok',
          message: { state: 'queued', retry_count: 0, deferred_ts: null, deferred_reason: null, reported_ts: null, error: null },
        });
      }
      expect((await s.store.dispatch.claim({ now: NOW + 10, leaseUntil: NOW + 70, limit: 10 })).map((c) => c.id)).toEqual(['b', 'r', 's']);
    });

    it('retry: a message waiting in the queue, being sent or delivered is a conflict; an unknown id is not found', async () => {
      await reach(s.store, 'sending', 'sending');
      await reach(s.store, 'sent', 'sent');
      await reach(s.store, 'rep', 'reported-sent');
      await s.store.messages.enqueue([payload('queued')], NOW);
      s.forget();
      for (const [id, state] of [['queued', 'queued'], ['sending', 'sending'], ['sent', 'sent'], ['rep', 'sent']]) {
        const before = await s.store.messages.get(key(id));
        expect(await s.store.messages.retry(key(id), NOW + 10), id).toEqual({ status: 'conflict', state });
        expect(await s.store.messages.get(key(id))).toEqual(before);
      }
      expect(await s.store.messages.retry(key('ghost'), NOW + 10)).toEqual({ status: 'not_found' });
      expect(s.announced.messages).toEqual([]);
    });

    it('purges reported messages whose report is older than the bound, oldest report first, silently', async () => {
      for (const id of ['a', 'b', 'd']) await reach(s.store, id, 'error');
      await reach(s.store, 'c', 'sent');
      const reportAt = async (id: string, ts: number) => s.store.reports.markReported([reportOf((await s.store.messages.get(key(id)))!)], ts);
      await reportAt('b', NOW + 5);
      await reportAt('a', NOW + 6);
      await reportAt('d', NOW + 7);
      s.forget();
      expect(await s.store.messages.purgeReported(NOW + 100, 2)).toBe(2);
      expect(await s.store.messages.get(key('a'))).toBeNull();
      expect(await s.store.messages.get(key('b'))).toBeNull();
      expect(await s.store.messages.timeline(key('a'), null)).toEqual([]);
      expect(await s.store.messages.purgeReported(NOW + 7)).toBe(0);
      expect(await s.store.messages.get(key('d'))).toMatchObject({ state: 'error', reported_ts: NOW + 7 });
      expect((await s.store.messages.get(key('c')))?.state).toBe('sent');
      expect(await s.store.messages.purgeReported(NOW + 8)).toBe(1);
      expect(await s.store.messages.get(key('d'))).toBeNull();
      expect((await s.store.messages.get(key('c')))?.state).toBe('sent');
      expect(announcedRows(s.announced)).toEqual([]);
    });
  });
}
