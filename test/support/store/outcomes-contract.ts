import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/core/store/ports.js';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, deferOutcome, errorOutcome, payload, reach, sendVia, sentOutcome, withoutSeq, seqOf } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

/** a seq no message has */
const GHOST = 1_000_000_000;

const lastRow = async (store: Store, id: string) => withoutSeq((await store.messages.timeline(key(id), null)).at(-1)!);

/** DispatchPort: attempts, outcomes (sent, error, defer), the send log and its rate windows. */
export function outcomesContract(factory: StoreFactory): void {
  describe('dispatch: attempts and outcomes', () => {
    const s = useStore(factory);

    it('records attempt rows for messages being sent, without changing them', async () => {
      const a = await reach(s.store, 'a', 'sending');
      await s.store.messages.enqueue([payload('q')], NOW);
      const before = await s.store.messages.get(key('a'));
      s.forget();
      const start = (seq: number) => ({ seq, account_id: 'acc', attempt: 1, detail: { account: 'acc', host: 'smtp.example.com' } });
      await s.store.dispatch.beginAttempts([start(a), start(await seqOf(s.store, 'q')), start(GHOST)], NOW + 2);
      await s.store.dispatch.beginAttempts([], NOW + 2);
      expect(await lastRow(s.store, 'a')).toEqual({
        message_id: 'a',
        tenant_id: '',
        account_id: null,
        ts: NOW + 2,
        type: 'attempt',
        state: 'sending',
        detail: { attempt: 1, account: 'acc', host: 'smtp.example.com' },
      });
      expect(await s.store.messages.get(key('a'))).toEqual(before);
      expect((await s.store.messages.timeline(key('q'), null)).map((e) => e.type)).toEqual(['queued']);
      expect(s.announced.messages).toEqual([[expect.objectContaining({ message_id: 'a', tenant_id: '', account_id: 'acc', type: 'attempt' })]]);
    });

    it('sent: records the delivery, and a send-log row for the account whose server accepted it', async () => {
      await reach(s.store, 'a', 'sending', { account_id: 'acc' });
      s.forget();
      const recipients = [{ address: 'b@example.com', accepted: true, code: 250, response: '250 ok' }];
      await s.store.dispatch.markSent(
        [sentOutcome(await seqOf(s.store, 'a'), { account_id: 'acc', via_account: 'fallback', smtp_message_id: '<x@y>', recipients, detail: { account: 'fallback' }, started_ts: NOW + 1 })],
        NOW + 5,
      );
      expect(await s.store.messages.get(key('a'))).toMatchObject({
        state: 'sent',
        sent_ts: NOW + 5,
        updated_ts: NOW + 5,
        attempts: 1,
        first_attempt_ts: NOW + 1,
        lease_until: null,
        deferred_ts: null,
        error: null,
        error_ts: null,
        sandbox: false,
        captured_id: null,
        smtp_message_id: '<x@y>',
        recipients,
      });
      expect(await lastRow(s.store, 'a')).toEqual({
        message_id: 'a',
        tenant_id: '',
        account_id: null,
        ts: NOW + 5,
        type: 'sent',
        state: 'sent',
        detail: { account: 'fallback', sandbox: false, smtp_message_id: '<x@y>' },
      });
      expect(announcedRows(s.announced)).toEqual(['a:sent:sent']);
      expect(await s.store.dispatch.sendLogSince('', 'fallback', 0)).toEqual([NOW + 5]);
      expect(await s.store.dispatch.sendLogSince('', 'acc', 0)).toEqual([]);
    });

    it('sent to the sandbox: the capture is linked and nothing counts against rate limits', async () => {
      await reach(s.store, 'a', 'sending');
      await reach(s.store, 'b', 'sending');
      await s.store.dispatch.markSent([sentOutcome(await seqOf(s.store, 'a'), { via_account: 'acc', sandbox: true, captured_id: 9 }), sentOutcome(await seqOf(s.store, 'b'))], NOW + 5);
      expect(await s.store.messages.get(key('a'))).toMatchObject({ state: 'sent', sandbox: true, captured_id: 9, smtp_message_id: null });
      expect((await lastRow(s.store, 'a')).detail).toEqual({ sandbox: true, captured_id: 9 });
      expect(await s.store.dispatch.sendLogSince('', 'acc', 0)).toEqual([]);
      expect((await s.store.messages.get(key('b')))?.state).toBe('sent');
    });

    it('error: records the final failure and its reason, keeping recipients already known', async () => {
      await reach(s.store, 'a', 'sending');
      await reach(s.store, 'b', 'sending');
      s.forget();
      const recipients = [{ address: 'b@example.com', accepted: false, code: 550 }];
      await s.store.dispatch.markError([errorOutcome(await seqOf(s.store, 'a'), { error: 'mailbox unknown', recipients, detail: { code: 550 } }), errorOutcome(await seqOf(s.store, 'b'))], NOW + 5);
      expect(await s.store.messages.get(key('a'))).toMatchObject({
        state: 'error',
        error: 'mailbox unknown',
        error_ts: NOW + 5,
        updated_ts: NOW + 5,
        sent_ts: null,
        lease_until: null,
        deferred_ts: null,
        deferred_reason: null,
        recipients,
      });
      expect(await lastRow(s.store, 'a')).toEqual({
        message_id: 'a',
        tenant_id: '',
        account_id: null,
        ts: NOW + 5,
        type: 'error',
        state: 'error',
        detail: { error: 'mailbox unknown', code: 550 },
      });
      expect((await s.store.messages.get(key('b')))?.recipients).toBeNull();
      expect(announcedRows(s.announced)).toEqual(['a:error:error', 'b:error:error']);
    });

    it('defer: back to waiting until the given time; rate limits have their own timeline row', async () => {
      for (const id of ['r', 'l', 'k']) await reach(s.store, id, 'sending');
      s.forget();
      await s.store.dispatch.defer(
        [
          deferOutcome(await seqOf(s.store, 'r'), NOW + 60, { retry_count: 1, detail: { error: 'busy' } }),
          deferOutcome(await seqOf(s.store, 'l'), NOW + 30, { reason: 'rate_limited' }),
          deferOutcome(await seqOf(s.store, 'k'), NOW + 90, { reason: 'account_backoff' }),
        ],
        NOW + 5,
      );
      expect(await s.store.messages.get(key('r'))).toMatchObject({ state: 'deferred', deferred_ts: NOW + 60, deferred_reason: 'retry', retry_count: 1, lease_until: null, updated_ts: NOW + 5 });
      expect(await s.store.messages.get(key('l'))).toMatchObject({ state: 'deferred', deferred_ts: NOW + 30, deferred_reason: 'rate_limited', retry_count: 0 });
      expect((await lastRow(s.store, 'r')).detail).toEqual({ reason: 'retry', deferred_ts: NOW + 60, retry_count: 1, error: 'busy' });
      expect((await lastRow(s.store, 'l')).detail).toEqual({ reason: 'rate_limited', deferred_ts: NOW + 30 });
      expect(announcedRows(s.announced)).toEqual(['r:deferred:deferred', 'l:rate_limited:deferred', 'k:deferred:deferred']);
      // a deferral that does not name a retry count keeps the one the message had
      await s.store.dispatch.promoteDue(NOW + 60);
      await s.store.dispatch.claim({ now: NOW + 60, leaseUntil: NOW + 120, limit: 10 });
      await s.store.dispatch.defer([deferOutcome(await seqOf(s.store, 'r'), NOW + 70, { reason: 'rate_limited' })], NOW + 61);
      expect(await s.store.messages.get(key('r'))).toMatchObject({ state: 'deferred', retry_count: 1, deferred_ts: NOW + 70, deferred_reason: 'rate_limited' });
    });

    it('counts an attempt only for outcomes that carry its start, and keeps the first attempt time', async () => {
      await reach(s.store, 'a', 'sending');
      await reach(s.store, 'b', 'sending');
      await s.store.dispatch.defer([deferOutcome(await seqOf(s.store, 'a'), NOW + 10, { started_ts: NOW + 1 }), deferOutcome(await seqOf(s.store, 'b'), NOW + 10, { started_ts: null })], NOW + 2);
      expect(await s.store.messages.get(key('a'))).toMatchObject({ attempts: 1, first_attempt_ts: NOW + 1 });
      expect(await s.store.messages.get(key('b'))).toMatchObject({ attempts: 0, first_attempt_ts: null });
      await s.store.dispatch.promoteDue(NOW + 10);
      await s.store.dispatch.claim({ now: NOW + 10, leaseUntil: NOW + 70, limit: 10 });
      await s.store.dispatch.markError([errorOutcome(await seqOf(s.store, 'a'), { started_ts: NOW + 11 })], NOW + 12);
      await s.store.dispatch.markSent([sentOutcome(await seqOf(s.store, 'b'), { started_ts: NOW + 11 })], NOW + 12);
      expect(await s.store.messages.get(key('a'))).toMatchObject({ attempts: 2, first_attempt_ts: NOW + 1 });
      expect(await s.store.messages.get(key('b'))).toMatchObject({ attempts: 1, first_attempt_ts: NOW + 11 });
    });

    it('records outcomes only for messages being sent; a real delivery still counts against rate limits', async () => {
      await reach(s.store, 'done', 'sent');
      await reach(s.store, 'failed', 'error');
      await reach(s.store, 'waiting', 'deferred');
      await s.store.messages.enqueue([payload('queued')], NOW);
      const ids = ['done', 'failed', 'waiting', 'queued'];
      const before = await Promise.all(ids.map((id) => s.store.messages.get(key(id))));
      const rows = await Promise.all(ids.map((id) => s.store.messages.timeline(key(id), null)));
      s.forget();
      for (const seq of [...(await Promise.all(ids.map((id) => seqOf(s.store, id)))), GHOST]) {
        await s.store.dispatch.markSent([sentOutcome(seq, { via_account: 'acc', started_ts: NOW })], NOW + 5);
        await s.store.dispatch.markError([errorOutcome(seq, { started_ts: NOW })], NOW + 5);
        await s.store.dispatch.defer([deferOutcome(seq, NOW + 9, { started_ts: NOW })], NOW + 5);
      }
      expect(await Promise.all(ids.map((id) => s.store.messages.get(key(id))))).toEqual(before);
      expect(await Promise.all(ids.map((id) => s.store.messages.timeline(key(id), null)))).toEqual(rows);
      expect(await s.store.messages.get(key('ghost'))).toBeNull();
      expect(s.announced.messages).toEqual([]);
      expect(await s.store.dispatch.sendLogSince('', 'acc', 0)).toEqual([NOW + 5, NOW + 5, NOW + 5, NOW + 5, NOW + 5]);
    });
  });

  describe('dispatch: the send log', () => {
    const s = useStore(factory);

    it('counts the sends of the last minute, hour and day, per account', async () => {
      await sendVia(s.store, 'acc', [NOW - 3599, NOW, NOW - 86_400, NOW - 60, NOW - 86_399, NOW - 59, NOW - 3600]);
      await sendVia(s.store, 'other', [NOW]);
      expect(await s.store.dispatch.rateWindowCounts('', 'acc', NOW)).toEqual({ minute: 2, hour: 4, day: 6 });
      expect(await s.store.dispatch.rateWindowCounts('', 'other', NOW)).toEqual({ minute: 1, hour: 1, day: 1 });
      expect(await s.store.dispatch.rateWindowCounts('', 'nobody', NOW)).toEqual({ minute: 0, hour: 0, day: 0 });
    });

    it('lists an account\'s send times after a moment, ascending', async () => {
      await sendVia(s.store, 'acc', [NOW, NOW - 59, NOW - 3600, NOW - 60]);
      await sendVia(s.store, 'other', [NOW - 1]);
      expect(await s.store.dispatch.sendLogSince('', 'acc', NOW - 3600)).toEqual([NOW - 60, NOW - 59, NOW]);
      expect(await s.store.dispatch.sendLogSince('', 'acc', 0)).toEqual([NOW - 3600, NOW - 60, NOW - 59, NOW]);
      expect(await s.store.dispatch.sendLogSince('', 'nobody', 0)).toEqual([]);
    });
  });
}
