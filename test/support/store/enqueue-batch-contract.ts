import { describe, expect, it } from 'vitest';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, payload, reach, seqOf } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

/** MessagesPort.enqueue decides message by message, in order, even where a backend writes the batch at once. */
export function enqueueBatchContract(factory: StoreFactory): void {
  describe('messages: one batch mixing new, replaceable, refused and repeated ids', () => {
    const s = useStore(factory);

    it('answers, writes and announces each message as if it were enqueued alone, in the batch order', async () => {
      const sentSeq = await reach(s.store, 's', 'sent');
      await reach(s.store, 'w', 'sending');
      await reach(s.store, 'e', 'error');
      const qSeq = await reach(s.store, 'q', 'queued');
      const before = await Promise.all(['s', 'w'].map((id) => s.store.messages.get(key(id))));
      s.forget();
      const result = await s.store.messages.enqueue(
        [
          payload('n1', { subject: 'n1 first' }),
          payload('q', { subject: 'q first' }),
          payload('s'),
          payload('n1', { subject: 'n1 second', deferred_ts: NOW + 100, account_id: 'acc' }),
          payload('w'),
          payload('e', { subject: 'e again' }),
          payload('q', { subject: 'q second', priority: 1 }),
          payload('n1', { tenant_id: 't2', subject: 'other tenant' }),
          payload('n2'),
          payload('s', { subject: 'still sent' }),
        ],
        NOW + 10,
      );
      expect(result).toEqual({
        queued: 7,
        rejected: [
          { id: 's', reason: 'already sent' },
          { id: 'w', reason: 'already sending' },
          { id: 's', reason: 'already sent' },
        ],
      });
      expect(await Promise.all(['s', 'w'].map((id) => s.store.messages.get(key(id))))).toEqual(before);
      expect(await s.store.messages.get(key('n1'))).toMatchObject({
        subject: 'n1 second', account_id: 'acc', state: 'deferred', deferred_ts: NOW + 100, created_ts: NOW + 10, updated_ts: NOW + 10,
      });
      expect(await s.store.messages.get(key('n1', 't2'))).toMatchObject({ subject: 'other tenant', state: 'queued' });
      expect(await s.store.messages.get(key('q'))).toMatchObject({ seq: qSeq, subject: 'q second', priority: 1, created_ts: NOW, updated_ts: NOW + 10 });
      expect(await s.store.messages.get(key('e'))).toMatchObject({ subject: 'e again', state: 'queued', error: null, error_ts: null, attempts: 0 });
      // new rows queue after the stored ones, in the order they first appear in the batch
      const seqs = await Promise.all([seqOf(s.store, 'n1'), seqOf(s.store, 'n1', 't2'), seqOf(s.store, 'n2')]);
      expect(seqs[0]).toBeGreaterThan(Math.max(sentSeq, qSeq));
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(announcedRows(s.announced)).toEqual([
        'n1:queued:queued',
        'q:replaced:queued',
        'n1:replaced:deferred',
        'e:replaced:queued',
        'q:replaced:queued',
        'n1:queued:queued',
        'n2:queued:queued',
      ]);
      // the announced rows are the stored ones, numbered in the batch order
      const announced = s.announced.messages.flat();
      expect(announced.map((e) => e.seq)).toEqual(announced.map((e) => e.seq).sort((a, b) => a! - b!));
      const n1 = await s.store.messages.timeline(key('n1'), null);
      expect(n1.map((e) => `${e.type}:${e.state}:${e.seq}`)).toEqual(
        announced.filter((e) => e.message_id === 'n1' && e.tenant_id === '').map((e) => `${e.type}:${e.state}:${e.seq}`),
      );
      expect(n1[1].detail).toEqual({ priority: 2, deferred_ts: NOW + 100, reason: 'scheduled' });
    });

    it('writes nothing and announces nothing for a batch refused whole', async () => {
      await reach(s.store, 's', 'sent');
      const before = [await s.store.messages.get(key('s')), await s.store.messages.timeline(key('s'), null)];
      s.forget();
      expect(await s.store.messages.enqueue([payload('s'), payload('s')], NOW + 10)).toEqual({
        queued: 0,
        rejected: [
          { id: 's', reason: 'already sent' },
          { id: 's', reason: 'already sent' },
        ],
      });
      expect([await s.store.messages.get(key('s')), await s.store.messages.timeline(key('s'), null)]).toEqual(before);
      expect(s.announced.messages).toEqual([]);
    });
  });
}
