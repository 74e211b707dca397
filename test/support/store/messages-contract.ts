import { describe, expect, it } from 'vitest';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, errorOutcome, payload, reach, withoutSeq, seqOf } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

/** MessagesPort: accepting messages (enqueue, replace, refusals) and reading one back. */
export function enqueueContract(factory: StoreFactory): void {
  describe('messages: enqueue and replace', () => {
    const s = useStore(factory);

    it('stores a new message queued, and announces its timeline row after the commit', async () => {
      const p = payload('m1', { account_id: 'acc', priority: 1, to: ['b@example.com', 'c@example.com'], cc: ['d@example.com'] });
      expect(await s.store.messages.enqueue([p], NOW)).toEqual({ queued: 1, rejected: [] });
      expect(await s.store.messages.get(key('m1'))).toEqual({
        seq: expect.any(Number),
        id: 'm1',
        tenant_id: '',
        account_id: 'acc',
        batch_code: null,
        priority: 1,
        state: 'queued',
        subject: 'subject m1',
        from: 'a@example.com',
        to: 'b@example.com, c@example.com',
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
        payload: p,
        lease_until: null,
        first_attempt_ts: null,
        smtp_message_id: null,
        captured_id: null,
        source_captured_id: null,
        recipients: null,
      });
      const timeline = await s.store.messages.timeline(key('m1'), 'acc');
      expect(timeline.map(withoutSeq)).toEqual([
        { message_id: 'm1', tenant_id: '', account_id: 'acc', ts: NOW, type: 'queued', state: 'queued', detail: { priority: 1 } },
      ]);
      expect(typeof timeline[0].seq).toBe('number');
      expect(s.announced.messages).toEqual([timeline]);
    });

    it('keeps a message scheduled for later deferred, and queues one whose time has come', async () => {
      const later = payload('later', { deferred_ts: NOW + 60 });
      await s.store.messages.enqueue([later, payload('due', { deferred_ts: NOW }), payload('past', { deferred_ts: NOW - 5 })], NOW);
      expect(await s.store.messages.get(key('later'))).toMatchObject({ state: 'deferred', deferred_ts: NOW + 60, deferred_reason: 'scheduled', payload: later });
      expect(await s.store.messages.get(key('due'))).toMatchObject({ state: 'queued', deferred_ts: null, deferred_reason: null });
      expect(await s.store.messages.get(key('past'))).toMatchObject({ state: 'queued', deferred_ts: null, deferred_reason: null });
      expect((await s.store.messages.timeline(key('later'), null)).map(withoutSeq)).toEqual([
        {
          message_id: 'later',
          tenant_id: '',
          account_id: null,
          ts: NOW,
          type: 'queued',
          state: 'deferred',
          detail: { priority: 2, deferred_ts: NOW + 60, reason: 'scheduled' },
        },
      ]);
      expect(announcedRows(s.announced)).toEqual(['later:queued:deferred', 'due:queued:queued', 'past:queued:queued']);
    });

    it('records the capture a message was released from', async () => {
      await s.store.messages.enqueue([payload('m1')], NOW, { source_captured_id: 7 });
      expect((await s.store.messages.get(key('m1')))?.source_captured_id).toBe(7);
      expect((await s.store.messages.timeline(key('m1'), null))[0].detail).toEqual({ priority: 2, source_captured_id: 7 });
    });

    it('replaces a waiting message in its queue position, keeping its created time', async () => {
      await s.store.messages.enqueue([payload('x'), payload('y'), payload('z')], NOW);
      s.forget();
      const replaced = payload('x', { subject: 'second thoughts', account_id: 'acc2' });
      expect(await s.store.messages.enqueue([replaced], NOW + 10)).toEqual({ queued: 1, rejected: [] });
      expect(await s.store.messages.get(key('x'))).toMatchObject({
        state: 'queued',
        created_ts: NOW,
        updated_ts: NOW + 10,
        subject: 'second thoughts',
        account_id: 'acc2',
        payload: replaced,
      });
      expect((await s.store.messages.listAll({ tenantId: '' })).map((m) => m.id)).toEqual(['x', 'y', 'z']);
      expect((await s.store.dispatch.claim({ now: NOW + 11, leaseUntil: NOW + 71, limit: 1 })).map((c) => c.id)).toEqual(['x']);
      expect((await s.store.messages.timeline(key('x'), 'acc2')).map(withoutSeq)).toEqual([
        { message_id: 'x', tenant_id: '', account_id: 'acc2', ts: NOW, type: 'queued', state: 'queued', detail: { priority: 2 } },
        { message_id: 'x', tenant_id: '', account_id: 'acc2', ts: NOW + 10, type: 'replaced', state: 'queued', detail: { priority: 2 } },
      ]);
      expect(announcedRows(s.announced)).toEqual(['x:replaced:queued']);
    });

    it('replaces a failed, reported message with a fresh one (outcome, attempts and report cleared)', async () => {
      await reach(s.store, 'f', 'reported-error');
      await s.store.messages.enqueue([payload('f', { deferred_ts: NOW + 30 })], NOW + 10);
      expect(await s.store.messages.get(key('f'))).toMatchObject({
        state: 'deferred',
        created_ts: NOW,
        updated_ts: NOW + 10,
        deferred_ts: NOW + 30,
        deferred_reason: 'scheduled',
        sent_ts: null,
        error_ts: null,
        error: null,
        reported_ts: null,
        attempts: 0,
        retry_count: 0,
        first_attempt_ts: null,
        lease_until: null,
      });
      const last = (await s.store.messages.timeline(key('f'), null)).at(-1);
      expect(last && withoutSeq(last)).toEqual({
        message_id: 'f',
        tenant_id: '',
        account_id: null,
        ts: NOW + 10,
        type: 'replaced',
        state: 'deferred',
        detail: { priority: 2, deferred_ts: NOW + 30, reason: 'scheduled' },
      });
    });

    it('refuses a delivered message (already sent) and one being sent (already sending), accepting the rest', async () => {
      await reach(s.store, 's', 'sent');
      await reach(s.store, 'r', 'reported-sent');
      await reach(s.store, 'w', 'sending');
      const before = await Promise.all(['s', 'r', 'w'].map((id) => s.store.messages.get(key(id))));
      s.forget();
      const result = await s.store.messages.enqueue([payload('s'), payload('new'), payload('r'), payload('w')], NOW + 10);
      expect(result).toEqual({
        queued: 1,
        rejected: [
          { id: 's', reason: 'already sent' },
          { id: 'r', reason: 'already sent' },
          { id: 'w', reason: 'already sending' },
        ],
      });
      expect(await Promise.all(['s', 'r', 'w'].map((id) => s.store.messages.get(key(id))))).toEqual(before);
      expect(announcedRows(s.announced)).toEqual(['new:queued:queued']);
    });

    it('takes the same id twice in one batch as an insert, then a replace', async () => {
      const result = await s.store.messages.enqueue([payload('d', { subject: 'one' }), payload('d', { subject: 'two' })], NOW);
      expect(result).toEqual({ queued: 2, rejected: [] });
      expect((await s.store.messages.get(key('d')))?.subject).toBe('two');
      expect(announcedRows(s.announced)).toEqual(['d:queued:queued', 'd:replaced:queued']);
    });

    it('answers null and an empty timeline for an unknown id', async () => {
      expect(await s.store.messages.get(key('ghost'))).toBeNull();
      expect(await s.store.messages.timeline(key('ghost'), null)).toEqual([]);
    });

    it('gives timeline rows the account id the caller names, oldest first', async () => {
      await reach(s.store, 'm', 'error', { account_id: 'acc' });
      const rows = await s.store.messages.timeline(key('m'), 'shown-as');
      expect(rows.map((e) => `${e.type}:${e.state}:${e.ts}:${e.account_id}`)).toEqual([
        `queued:queued:${NOW}:shown-as`,
        `error:error:${NOW + 2}:shown-as`,
      ]);
      expect(rows[1].detail).toEqual({ error: errorOutcome(await seqOf(s.store, 'm')).error });
      expect(rows[0].seq! < rows[1].seq!).toBe(true);
    });
  });
}
