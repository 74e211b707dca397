import { describe, expect, it } from 'vitest';
import type { CapturedSummary } from '../../../src/core/store/ports.js';
import { announcedRows, useStore, type StoreFactory } from './harness.js';
import { NOW, capturedMail, rawOf, reach } from './fixtures.js';
import { messageKey as key } from '../../../src/core/store/records.js';

/** CapturedPort: storing captured mail, reading it back, its text index, links, reads and deletes. */
export function capturedContract(factory: StoreFactory): void {
  describe('captured mail: storage', () => {
    const s = useStore(factory);
    const store = async (n: number, durable = true) =>
      s.store.captured.insertMany(Array.from({ length: n }, (_, i) => ({ m: capturedMail(i + 1), raw: rawOf(i + 1) })), { durable });

    it('stores messages together and answers their summaries in order, without the source', async () => {
      expect(await s.store.captured.lastId()).toBe(0);
      const to = ['"Lee, Ann" <ann@dest.example>', 'bob@dest.example'];
      const saved = await s.store.captured.insertMany([
        { m: capturedMail(1, { to, cc: ['cc@dest.example'], mailbox: 'team', attachments: 2, tls: true, date_ts: NOW - 5 }), raw: rawOf(1) },
        { m: capturedMail(2), raw: rawOf(2) },
      ]);
      const { search_text: _t, ...fields } = capturedMail(1, { to, cc: ['cc@dest.example'], mailbox: 'team', attachments: 2, tls: true, date_ts: NOW - 5 });
      const expected: CapturedSummary = { ...fields, id: saved[0].id, read: false, relay_message_id: null, relay_tenant_id: null };
      expect(saved[0]).toEqual(expected);
      expect(saved[1]).toMatchObject({ subject: 'captured 2', read: false });
      expect(saved[1].id > saved[0].id).toBe(true);
      expect(await s.store.captured.get(saved[0].id)).toEqual(expected);
      expect((await s.store.captured.raw(saved[1].id))?.equals(rawOf(2))).toBe(true);
      expect(await s.store.captured.lastId()).toBe(saved[1].id);
      expect(await s.store.captured.counts()).toEqual({ total: 2, unread: 2 });
      expect(await s.store.captured.get(saved[1].id + 1)).toBeNull();
      expect(await s.store.captured.raw(saved[1].id + 1)).toBeNull();
    });

    it('commits without waiting for the disk when asked, and tells when that is on disk', async () => {
      const saved = await store(2, false);
      expect((await s.store.captured.get(saved[1].id))?.subject).toBe('captured 2');
      await expect(s.store.captured.syncCommitted()).resolves.toBeUndefined();
      await expect(s.store.captured.syncCommitted()).resolves.toBeUndefined();
    });

    it('stores all of a batch or none of it', async () => {
      const broken = { m: { ...capturedMail(2), subject: null as unknown as string }, raw: rawOf(2) };
      for (const durable of [true, false]) {
        await expect(s.store.captured.insertMany([{ m: capturedMail(1), raw: rawOf(1) }, broken], { durable })).rejects.toThrow();
        expect(await s.store.captured.counts()).toEqual({ total: 0, unread: 0 });
        expect(await s.store.captured.lastId()).toBe(0);
      }
    });

    it('keeps unindexed messages out of text search until their index is completed', async () => {
      const [a] = await s.store.captured.insertMany([{ m: capturedMail(1), raw: rawOf(1) }]);
      const [b, c, d] = await s.store.captured.insertMany(
        [2, 3, 4].map((i) => ({ m: capturedMail(i, { search_text: undefined }), raw: rawOf(i) })),
      );
      const found = async (field: 'subject' | 'body', text: string) =>
        (await s.store.captured.list({ limit: 10, search: { terms: [{ field, text }] } })).items.map((x) => x.id);
      expect(await s.store.captured.unindexed(d.id, 10)).toEqual([b.id, c.id, d.id]);
      expect(await s.store.captured.unindexed(c.id, 10)).toEqual([b.id, c.id]);
      expect(await s.store.captured.unindexed(d.id, 1)).toEqual([b.id]);
      expect(await s.store.captured.countUnindexed()).toBe(3);
      expect(await s.store.captured.countUnindexed(b.id)).toBe(1);
      expect(await found('subject', 'captured 2')).toEqual([]);
      expect((await s.store.captured.list({ limit: 10 })).items.map((x) => x.id)).toEqual([d.id, c.id, b.id, a.id]);

      await s.store.captured.delete(c.id);
      const entry = (id: number) => ({ id, search_text: 'needle in the body', attachments: 2, preview: 'needle' });
      expect(await s.store.captured.completeIndex([entry(b.id), entry(a.id), entry(c.id), entry(d.id + 10)])).toBe(1);
      expect(await s.store.captured.completeIndex([entry(b.id)])).toBe(0);
      expect(await s.store.captured.completeIndex([])).toBe(0);
      expect(await s.store.captured.get(b.id)).toMatchObject({ attachments: 2, preview: 'needle' });
      expect(await s.store.captured.get(a.id)).toMatchObject({ attachments: 0, preview: 'preview 1' });
      expect(await found('body', 'needle')).toEqual([b.id]);
      expect(await found('subject', 'captured 2')).toEqual([b.id]);
      expect(await s.store.captured.unindexed(d.id, 10)).toEqual([d.id]);
      expect(await s.store.captured.countUnindexed()).toBe(1);
    });

    it('links a capture to the queue entry that produced it, on that message\'s timeline', async () => {
      const m = await reach(s.store, 'm', 'sent', { account_id: 'acc' });
      const [c, other] = await store(2);
      s.forget();
      await s.store.captured.linkMessage(c.id, m);
      expect(await s.store.captured.get(c.id)).toMatchObject({ relay_message_id: 'm', relay_tenant_id: '' });
      const last = (await s.store.messages.timeline(key('m'), 'acc')).at(-1)!;
      expect(last).toMatchObject({ message_id: 'm', tenant_id: '', account_id: 'acc', ts: NOW + 2, type: 'captured', state: 'sent', detail: { captured_id: c.id } });
      expect(s.announced.messages).toEqual([[last]]);
      // nothing to record for an unknown message or capture
      await s.store.captured.linkMessage(other.id, 1_000_000_000);
      await s.store.captured.linkMessage(other.id + 100, m);
      expect((await s.store.captured.get(other.id))?.relay_message_id).toBeNull();
      expect((await s.store.messages.timeline(key('m'), 'acc')).length).toBe(3);
      expect(announcedRows(s.announced)).toEqual(['m:captured:sent']);
    });

    it('marks messages read or unread', async () => {
      const [a, b] = await store(2);
      expect(await s.store.captured.markRead(a.id)).toBe(true);
      expect((await s.store.captured.get(a.id))?.read).toBe(true);
      expect(await s.store.captured.counts()).toEqual({ total: 2, unread: 1 });
      expect(await s.store.captured.markRead(a.id, false)).toBe(true);
      expect(await s.store.captured.markRead(b.id, true)).toBe(true);
      expect(await s.store.captured.counts()).toEqual({ total: 2, unread: 1 });
      expect((await s.store.captured.get(a.id))?.read).toBe(false);
      expect(await s.store.captured.markRead(b.id + 100)).toBe(false);
    });

    it('deletes one message or all of them, source and index included', async () => {
      const [a, b] = await store(3);
      expect(await s.store.captured.delete(a.id)).toBe(true);
      expect(await s.store.captured.delete(a.id)).toBe(false);
      expect(await s.store.captured.get(a.id)).toBeNull();
      expect(await s.store.captured.raw(a.id)).toBeNull();
      expect((await s.store.captured.list({ limit: 10, search: { terms: [{ field: 'subject', text: 'captured 1' }] } })).items).toEqual([]);
      expect(await s.store.captured.counts()).toEqual({ total: 2, unread: 2 });
      expect(await s.store.captured.deleteAll()).toBe(2);
      expect(await s.store.captured.get(b.id)).toBeNull();
      expect(await s.store.captured.counts()).toEqual({ total: 0, unread: 0 });
      expect((await s.store.captured.list({ limit: 10, search: { terms: [{ field: 'any', text: 'captured' }] } })).items).toEqual([]);
      expect(await s.store.captured.deleteAll()).toBe(0);
    });

    it('deletes the ids given in one call, naming those that existed', async () => {
      const [a, b, c] = await store(3);
      expect(await s.store.captured.deleteMany([c.id, a.id, a.id, c.id + 100])).toEqual([c.id, a.id]);
      expect(await s.store.captured.get(a.id)).toBeNull();
      expect(await s.store.captured.raw(c.id)).toBeNull();
      expect((await s.store.captured.get(b.id))?.id).toBe(b.id);
      expect((await s.store.captured.list({ limit: 10, search: { terms: [{ field: 'subject', text: 'captured 3' }] } })).items).toEqual([]);
      expect(await s.store.captured.counts()).toEqual({ total: 1, unread: 1 });
      expect(await s.store.captured.deleteMany([])).toEqual([]);
    });

    it('prunes the oldest messages beyond the count limit, a batch at a time', async () => {
      const ids = (await store(10)).map((c) => c.id);
      const prune = (keepCount: number, receivedBefore: number | null, batch: number) =>
        s.store.captured.pruneBatch({ keepCount, receivedBefore, batch });
      expect(await prune(7, null, 2)).toEqual([ids[0], ids[1]]);
      expect(await prune(7, null, 2)).toEqual([ids[2]]);
      expect(await prune(7, null, 2)).toEqual([]);
      expect(await s.store.captured.get(ids[2])).toBeNull();
      expect(await s.store.captured.raw(ids[2])).toBeNull();
      expect((await s.store.captured.get(ids[3]))?.subject).toBe('captured 4');
      expect(await s.store.captured.counts()).toEqual({ total: 7, unread: 7 });
    });

    it('prunes messages received before the age limit, together with the count limit', async () => {
      const ids = (await store(10)).map((c) => c.id);
      const prune = (keepCount: number, receivedBefore: number | null, batch: number) =>
        s.store.captured.pruneBatch({ keepCount, receivedBefore, batch });
      expect(await prune(0, NOW + 3, 10)).toEqual([ids[0], ids[1]]);
      expect(await prune(0, NOW + 3, 10)).toEqual([]);
      expect(await prune(7, NOW + 5, 10)).toEqual([ids[2], ids[3]]);
      // a message over both limits is deleted once
      expect(await prune(5, NOW + 8, 10)).toEqual([ids[4], ids[5], ids[6]]);
      expect(await prune(5, NOW + 8, 10)).toEqual([]);
      expect(await s.store.captured.counts()).toEqual({ total: 3, unread: 3 });
    });
  });
}
