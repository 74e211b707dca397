import { describe, expect, it } from 'vitest';
import type { PendingReport } from '../../../src/core/store/ports.js';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, errorOutcome, payload, reach, reportOf, sendVia, sentOutcome, seqOf } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

/** ReportsPort: final outcomes to report, their acknowledgement, and retention's bounded deletes. */
export function reportsContract(factory: StoreFactory): void {
  describe('reports: pending outcomes and their acknowledgement', () => {
    const s = useStore(factory);
    const reportNow = async (id: string) => reportOf((await s.store.messages.get(key(id)))!);

    it('lists the oldest final outcomes first, in the delivery report format', async () => {
      await reach(s.store, 'done', 'reported-sent');
      await reach(s.store, 'waiting', 'deferred');
      await s.store.messages.enqueue([payload('x', { account_id: 'acc', priority: 1 }), payload('y'), payload('z'), payload('q')], NOW);
      await s.store.dispatch.claim({ now: NOW + 1, leaseUntil: NOW + 61, limit: 3 });
      await s.store.dispatch.markSent([sentOutcome(await seqOf(s.store, 'y'), { sandbox: true, captured_id: 3 })], NOW + 3);
      await s.store.dispatch.markError([errorOutcome(await seqOf(s.store, 'x'), { account_id: 'acc' })], NOW + 4);
      await s.store.dispatch.markSent([sentOutcome(await seqOf(s.store, 'z'))], NOW + 4);
      const pending = await s.store.reports.pending('', 10);
      expect(pending).toEqual([
        { tenant_id: '', seq: expect.any(Number), item: { id: 'y', account_id: null, priority: 2, sent_ts: NOW + 3, error_ts: null, error: null, deferred_ts: null, sandbox: true } },
        { tenant_id: '', seq: expect.any(Number), item: { id: 'x', account_id: 'acc', priority: 1, sent_ts: null, error_ts: NOW + 4, error: 'refused (SMTP 550)', deferred_ts: null } },
        { tenant_id: '', seq: expect.any(Number), item: { id: 'z', account_id: null, priority: 2, sent_ts: NOW + 4, error_ts: null, error: null, deferred_ts: null } },
      ]);
      // `sandbox` is on the wire only when true
      expect(Object.keys(pending[2].item)).not.toContain('sandbox');
      expect((await s.store.reports.pending('', 2)).map((r) => r.item.id)).toEqual(['y', 'x']);
      // counted per tenant, up to the cap
      expect(await s.store.reports.countPending('', 10)).toBe(3);
      expect(await s.store.reports.countPending('', 2)).toBe(2);
      expect(await s.store.reports.countPending('other', 10)).toBe(0);
      await s.store.reports.markReported(pending, NOW + 5);
      expect(await s.store.reports.countPending('', 10)).toBe(0);
    });

    it('marks exactly the outcomes reported, with their timeline rows', async () => {
      await reach(s.store, 'e', 'error', { account_id: 'acc' });
      await reach(s.store, 'd', 'sent');
      const pending = await s.store.reports.pending('', 10);
      s.forget();
      expect(await s.store.reports.markReported(pending, NOW + 10)).toBe(2);
      // the outcome stays: the report is a fact of its own (#20.1)
      expect(await s.store.messages.get(key('e'))).toMatchObject({ state: 'error', reported_ts: NOW + 10, updated_ts: NOW + 10, error_ts: NOW + 2, error: 'refused (SMTP 550)' });
      expect(await s.store.messages.get(key('d'))).toMatchObject({ state: 'sent', reported_ts: NOW + 10, sent_ts: NOW + 2 });
      expect(s.announced.messages).toEqual([
        [
          expect.objectContaining({ message_id: 'e', tenant_id: '', account_id: 'acc', ts: NOW + 10, type: 'reported', state: 'error', detail: { outcome: 'error' } }),
          expect.objectContaining({ message_id: 'd', tenant_id: '', account_id: null, ts: NOW + 10, type: 'reported', state: 'sent', detail: { outcome: 'sent' } }),
        ],
      ]);
      expect(await s.store.reports.pending('', 10)).toEqual([]);
      expect(await s.store.reports.markReported(pending, NOW + 11)).toBe(0);
      expect(await s.store.reports.markReported([], NOW + 11)).toBe(0);
      expect((await s.store.messages.get(key('e')))?.reported_ts).toBe(NOW + 10);
    });

    it('does not mark a message re-queued while its report was in flight; its new outcome is reported again', async () => {
      await reach(s.store, 'e', 'error');
      const first = await reportNow('e');
      await s.store.messages.retry(key('e'), NOW + 5);
      expect(await s.store.reports.markReported([first], NOW + 6)).toBe(0);
      expect((await s.store.messages.get(key('e')))?.state).toBe('queued');
      await s.store.dispatch.claim({ now: NOW + 7, leaseUntil: NOW + 67, limit: 1 });
      await s.store.dispatch.markError([errorOutcome(await seqOf(s.store, 'e'), { error: 'again' })], NOW + 8);
      expect(await s.store.reports.markReported([first], NOW + 9)).toBe(0);
      const second: PendingReport[] = await s.store.reports.pending('', 10);
      expect(second.map((r) => `${r.item.id}:${r.item.error}:${r.item.error_ts}`)).toEqual([`e:again:${NOW + 8}`]);
      expect(await s.store.reports.markReported(second, NOW + 9)).toBe(1);
    });

    it('reports a retried failure again: retry clears the report with the error, the new outcome is pending (#20.1)', async () => {
      await reach(s.store, 'f', 'reported-error');
      expect(await s.store.reports.pending('', 10)).toEqual([]);
      expect(await s.store.messages.retry(key('f'), NOW + 5)).toMatchObject({ status: 'ok', message: { state: 'queued', reported_ts: null, error: null } });
      await s.store.dispatch.claim({ now: NOW + 6, leaseUntil: NOW + 66, limit: 1 });
      await s.store.dispatch.markError([errorOutcome(await seqOf(s.store, 'f'), { error: 'still refused' })], NOW + 7);
      const again = await s.store.reports.pending('', 10);
      expect(again.map((r) => `${r.item.id}:${r.item.error}`)).toEqual(['f:still refused']);
      expect(await s.store.reports.markReported(again, NOW + 8)).toBe(1);
      expect(await s.store.messages.get(key('f'))).toMatchObject({ state: 'error', error: 'still refused', reported_ts: NOW + 8 });
      const types = (await s.store.messages.timeline(key('f'), null)).map((e) => `${e.type}:${e.state}`);
      expect(types.filter((t) => t.startsWith('reported') || t.startsWith('retry'))).toEqual(['reported:error', 'retry:queued', 'reported:error']);
    });

    it('does not mark a message replaced and delivered while the report of its failure was in flight', async () => {
      await reach(s.store, 'r', 'error');
      const failure = await reportNow('r');
      await s.store.messages.enqueue([payload('r')], NOW + 5);
      await s.store.dispatch.claim({ now: NOW + 6, leaseUntil: NOW + 66, limit: 1 });
      await s.store.dispatch.markSent([sentOutcome(await seqOf(s.store, 'r'))], NOW + 7);
      expect(await s.store.reports.markReported([failure], NOW + 8)).toBe(0);
      expect(await s.store.messages.get(key('r'))).toMatchObject({ state: 'sent', sent_ts: NOW + 7, reported_ts: null });
    });
  });

  describe('reports: retention', () => {
    const s = useStore(factory);

    it('purges final messages never reported that ended before the bound, oldest first, silently', async () => {
      await reach(s.store, 'a', 'error');
      await reach(s.store, 'b', 'sent');
      await reach(s.store, 'rep', 'reported-error');
      await reach(s.store, 'busy', 'sending');
      await s.store.messages.enqueue([payload('c')], NOW);
      await s.store.dispatch.claim({ now: NOW + 3, leaseUntil: NOW + 63, limit: 1 });
      await s.store.dispatch.markError([errorOutcome(await seqOf(s.store, 'c'))], NOW + 6);
      await s.store.messages.enqueue([payload('q')], NOW);
      s.forget();
      expect(await s.store.reports.purgeFinalUnreported('', NOW + 100, 2)).toBe(2);
      expect(await s.store.messages.get(key('a'))).toBeNull();
      expect(await s.store.messages.get(key('b'))).toBeNull();
      expect(await s.store.messages.timeline(key('a'), null)).toEqual([]);
      expect(await s.store.reports.purgeFinalUnreported('', NOW + 6, 10)).toBe(0);
      expect(await s.store.reports.purgeFinalUnreported('', NOW + 7, 10)).toBe(1);
      expect((await s.store.messages.listAll({ tenantId: '' })).map((m) => `${m.id}:${m.state}`)).toEqual(['rep:error', 'busy:sending', 'q:queued']);
      expect(announcedRows(s.announced)).toEqual([]);
    });

    it('prunes send-log rows older than the bound, at most `limit` at a time', async () => {
      await sendVia(s.store, 'acc', [NOW - 10, NOW - 5, NOW, NOW + 5]);
      expect(await s.store.reports.pruneSendLog(NOW, 1)).toBe(1);
      expect(await s.store.dispatch.sendLogSince('', 'acc', 0)).toHaveLength(3);
      expect(await s.store.reports.pruneSendLog(NOW, 10)).toBe(1);
      expect(await s.store.reports.pruneSendLog(NOW, 10)).toBe(0);
      expect(await s.store.dispatch.sendLogSince('', 'acc', 0)).toEqual([NOW, NOW + 5]);
    });

    it('sweeps timeline rows whose message is gone once they are old enough, keeping the others', async () => {
      expect(await s.store.reports.pruneOrphanEvents(0, 100, NOW + 1000)).toEqual({ deleted: 0, nextSeq: 0, done: true });
      await s.plantOrphanEvent('gone-old', NOW - 100);
      await s.store.messages.enqueue([payload('a'), payload('b')], NOW);
      await s.plantOrphanEvent('gone-young', NOW + 500);
      const kept = [...(await s.store.messages.timeline(key('a'), null)), ...(await s.store.messages.timeline(key('b'), null))];
      expect((await s.store.messages.timeline(key('gone-old'), null)).map((e) => e.ts)).toEqual([NOW - 100]);
      const young = (await s.store.messages.timeline(key('gone-young'), null))[0].seq!;

      // a step over rows none of which is old enough yet deletes nothing and does not move past them
      const early = await s.store.reports.pruneOrphanEvents(0, 100, NOW - 100);
      expect(early.deleted).toBe(0);
      expect(early.done).toBe(true);
      expect(early.nextSeq < kept[0].seq!).toBe(true);

      const sweep = async (before: number, from: number) => {
        let step = { deleted: 0, nextSeq: from, done: false };
        let deleted = 0;
        for (let i = 0; i < 20 && !step.done; i++) {
          step = await s.store.reports.pruneOrphanEvents(step.nextSeq, 1, before);
          deleted += step.deleted;
        }
        return { deleted, step };
      };
      const first = await sweep(NOW + 1, 0);
      expect(first.deleted).toBe(1);
      expect(first.step.done).toBe(true);
      expect(first.step.nextSeq < young).toBe(true);
      expect(await s.store.messages.timeline(key('gone-old'), null)).toEqual([]);
      expect((await s.store.messages.timeline(key('gone-young'), null)).length).toBe(1);

      const second = await sweep(NOW + 501, first.step.nextSeq);
      expect(second).toEqual({ deleted: 1, step: { deleted: expect.any(Number), nextSeq: young, done: true } });
      expect(await s.store.messages.timeline(key('gone-young'), null)).toEqual([]);
      expect([...(await s.store.messages.timeline(key('a'), null)), ...(await s.store.messages.timeline(key('b'), null))]).toEqual(kept);
      // past the newest row there is, a step is done at once
      const newest = Math.max(...kept.map((e) => e.seq!));
      expect(await s.store.reports.pruneOrphanEvents(young + 5, 10, NOW + 1000)).toEqual({ deleted: 0, nextSeq: newest, done: true });
    });
  });
}
