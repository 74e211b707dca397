import { describe, expect, it } from 'vitest';
import type { ListMessagesQuery } from '../../../src/core/store/records.js';
import { messageKey as key } from '../../../src/core/store/records.js';
import { useStore, type StoreFactory } from './harness.js';
import { NOW, errorOutcome, payload, reach, seqOf } from './fixtures.js';

/**
 * MessagesPort.list's `q`: a case-insensitive literal substring of id, subject, sender, recipients or
 * error text, whether the backend answers it from an index (3 characters and more) or by a scan.
 */
/** Lets a backend that indexes in the background (SQLite) catch up; the others index in the row's transaction. */
async function indexed(store: object): Promise<void> {
  await (store as { queueIndex?: { catchUp(): Promise<number> } }).queueIndex?.catchUp();
}

export function queueSearchContract(factory: StoreFactory): void {
  describe('messages: search (q)', () => {
    const s = useStore(factory);
    const ids = async (query: Omit<ListMessagesQuery, 'limit'>, limit = 50) =>
      (await s.store.messages.list({ limit, ...query })).items.map((m) => m.id);

    it('finds a message by its error text, and no longer once a retry has cleared it', async () => {
      const seq = await reach(s.store, 'bounced', 'sending');
      await s.store.dispatch.markError([errorOutcome(seq, { error: '550 5.1.1 Mailbox unavailable: quota' })], NOW + 2);
      await s.store.messages.enqueue([payload('other')], NOW);
      expect(await ids({ q: 'mailbox unavail' })).toEqual(['bounced']);
      expect(await ids({ q: '5.1.1' })).toEqual(['bounced']);
      expect(await ids({ q: 'quota', state: 'error' })).toEqual(['bounced']);
      expect(await ids({ q: 'quota', state: 'queued' })).toEqual([]);
      expect((await s.store.messages.retry(key('bounced'), NOW + 5)).status).toBe('ok');
      expect(await ids({ q: 'mailbox unavail' })).toEqual([]);
    });

    it('matches any substring of each field, ignoring ASCII case, with wildcard characters taken literally', async () => {
      await s.store.messages.enqueue(
        [
          payload('order-1001', { subject: 'Your ORDER ships today', from: 'Shop <shop@store.example>', to: ['ann@home.example', 'bob@work.example'] }),
          payload('plain', { subject: '50%_off "quoted" text' }),
          payload('x'),
        ],
        NOW,
      );
      for (const q of ['ORDER-10', 'der-1001', 'ships tod', 'your order', 'shop@store.ex', 'SHOP <', 'bob@work', 'ann@home.example, bob']) {
        expect(await ids({ q }), q).toEqual(['order-1001']);
      }
      expect(await ids({ q: '50%_' })).toEqual(['plain']);
      expect(await ids({ q: '"quoted"' })).toEqual(['plain']);
      expect(await ids({ q: '0%o' })).toEqual([]);
      expect(await ids({ q: 'ships  today' })).toEqual([]);
      expect(await ids({ q: 'nowhere' })).toEqual([]);
    });

    it('never matches across two fields', async () => {
      await s.store.messages.enqueue([payload('abc', { subject: 'def', from: 'ghi@example.com', to: ['jkl@example.com'] })], NOW);
      expect(await ids({ q: 'abc' })).toEqual(['abc']);
      for (const q of ['abcdef', 'abc\ndef', 'abc def', 'abc, def', 'def ghi', 'example.comjkl', 'com\njkl']) expect(await ids({ q }), q).toEqual([]);
    });

    it('answers text shorter than three characters by the same substring rule', async () => {
      await s.store.messages.enqueue([payload('a1', { subject: 'Zq here' }), payload('a2', { subject: 'nothing' }), payload('a3', { to: ['zq@example.com'] })], NOW);
      expect(await ids({ q: 'zQ' })).toEqual(['a3', 'a1']);
      expect(await ids({ q: 'Z' })).toEqual(['a3', 'a1']);
      expect(await ids({ q: 'ä' })).toEqual([]);
    });

    it('pages through the matches newest first with the cursor, with the other filters', async () => {
      const batch = Array.from({ length: 30 }, (_, i) => payload(`m${i}`, { subject: i % 3 === 0 ? `Weekly report ${i}` : `Other ${i}`, account_id: i % 2 ? 'odd' : 'even' }));
      await s.store.messages.enqueue(batch, NOW);
      const want = batch.filter((_, i) => i % 3 === 0).map((m) => m.id).reverse();
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await s.store.messages.list({ limit: 4, q: 'weekly rep', ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((m) => m.id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(want);
      expect(await ids({ q: 'weekly rep', account_id: 'odd' })).toEqual(want.filter((id) => Number(id.slice(1)) % 2 === 1));
    });

    it('follows the rows: a replaced message is found by its new text only, a deleted one not at all', async () => {
      await s.store.messages.enqueue([payload('r', { subject: 'first draft' }), payload('d', { subject: 'to delete' })], NOW);
      await s.store.messages.enqueue([payload('r', { subject: 'final version' })], NOW + 1);
      expect(await ids({ q: 'first dr' })).toEqual([]);
      expect(await ids({ q: 'final ver' })).toEqual(['r']);
      expect(await seqOf(s.store, 'r')).toBeGreaterThan(0);
      await s.store.messages.deleteMany('', ['d'], NOW + 2);
      expect(await ids({ q: 'to delete' })).toEqual([]);
    });

    it('finds a message right after its insert, before the indexer ran, and the same once it has', async () => {
      await s.store.messages.enqueue([payload('old', { subject: 'Invoice 7781 attached' })], NOW);
      await indexed(s.store);
      await s.store.messages.enqueue([payload('fresh', { subject: 'Invoice 7782 attached' }), payload('other')], NOW + 1);
      expect(await ids({ q: 'invoice 778' })).toEqual(['fresh', 'old']);
      expect(await ids({ q: 'invoice 7782' })).toEqual(['fresh']);
      const first = await s.store.messages.list({ limit: 1, q: 'invoice 778' });
      expect(first.items.map((m) => m.id)).toEqual(['fresh']);
      expect((await s.store.messages.list({ limit: 1, q: 'invoice 778', cursor: first.next_cursor! })).items.map((m) => m.id)).toEqual(['old']);
      await indexed(s.store);
      expect(await ids({ q: 'invoice 778' })).toEqual(['fresh', 'old']);
    });

    it('finds error text set after the message was indexed, and forgets it once cleared', async () => {
      const seq = await reach(s.store, 'late', 'sending');
      await indexed(s.store);
      expect(await ids({ q: 'greylisted' })).toEqual([]);
      await s.store.dispatch.markError([errorOutcome(seq, { error: '451 4.7.1 greylisted, try later' })], NOW + 2);
      expect(await ids({ q: 'greylisted' })).toEqual(['late']);
      await indexed(s.store);
      expect(await ids({ q: 'greylisted' })).toEqual(['late']);
      expect((await s.store.messages.retry(key('late'), NOW + 5)).status).toBe('ok');
      expect(await ids({ q: 'greylisted' })).toEqual([]);
      await indexed(s.store);
      expect(await ids({ q: 'greylisted' })).toEqual([]);
      expect(await ids({ q: 'late' })).toEqual(['late']);
    });

    it('follows replaces and deletes of indexed messages', async () => {
      await s.store.messages.enqueue([payload('r', { subject: 'first draft' }), payload('d', { subject: 'to delete' })], NOW);
      await indexed(s.store);
      await s.store.messages.enqueue([payload('r', { subject: 'final version' })], NOW + 1);
      expect(await ids({ q: 'first dr' })).toEqual([]);
      expect(await ids({ q: 'final ver' })).toEqual(['r']);
      await s.store.messages.deleteMany('', ['d'], NOW + 2);
      expect(await ids({ q: 'to delete' })).toEqual([]);
      await indexed(s.store);
      expect(await ids({ q: 'first dr' })).toEqual([]);
      expect(await ids({ q: 'final ver' })).toEqual(['r']);
    });

    it('keeps tenants apart', async () => {
      await s.store.messages.enqueue([payload('t1', { tenant_id: 'acme', subject: 'shared words' }), payload('t0', { subject: 'shared words' })], NOW);
      expect(await ids({ q: 'shared wo', tenant_id: 'acme' })).toEqual(['t1']);
      expect(await ids({ q: 'shared wo', tenant_id: '' })).toEqual(['t0']);
      expect(await ids({ q: 'shared wo' })).toEqual(['t0', 't1']);
    });
  });
}
