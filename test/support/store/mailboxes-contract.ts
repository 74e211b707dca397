import { describe, expect, it } from 'vitest';
import { useStore, type StoreFactory } from './harness.js';
import { capturedMail, rawOf, reach } from './fixtures.js';
import { tenantConfig } from './tenants-contract.js';

/** CapturedPort.mailboxes: captured mail grouped by SMTP username, tenant and tag, with unread counts (#18.4). */
export function mailboxesContract(factory: StoreFactory): void {
  describe('captured mail: mailboxes', () => {
    const s = useStore(factory);
    const found = async (search: Parameters<typeof s.store.captured.countMatching>[0]) =>
      (await s.store.captured.list({ search, limit: 50 })).items.map((c) => c.subject).sort();

    it('groups by mailbox, by name, the mail sent without AUTH last, counting the unread', async () => {
      expect(await s.store.captured.mailboxes()).toEqual({ users: [], tenants: [], tags: [] });
      const boxes = ['team', null, 'alpha', 'team', null];
      const saved = await s.store.captured.insertMany(boxes.map((mailbox, i) => ({ m: capturedMail(i + 1, { mailbox }), raw: rawOf(i + 1) })));
      await s.store.captured.markRead(saved[0].id);
      expect((await s.store.captured.mailboxes()).users).toEqual([
        { mailbox: 'alpha', total: 1, unread: 1 },
        { mailbox: 'team', total: 2, unread: 1 },
        { mailbox: null, total: 2, unread: 2 },
      ]);
    });

    it('stores tags at capture: tag mailboxes (case-insensitive, whole tags), tag: and -tag: filters', async () => {
      const tagSets = [['Orders', 'eu'], ['orders'], [], ['news|letter', '50%_off'], ['eu']];
      const saved = await s.store.captured.insertMany(tagSets.map((tags, i) => ({ m: capturedMail(i + 1, { tags }), raw: rawOf(i + 1) })));
      await s.store.captured.markRead(saved[1].id);
      expect((await s.store.captured.mailboxes()).tags).toEqual([
        { name: '50%_off', total: 1, unread: 1 },
        { name: 'eu', total: 2, unread: 2 },
        { name: 'news letter', total: 1, unread: 1 },
        { name: 'Orders', total: 2, unread: 1 },
      ]);
      expect(await found({ terms: [], tags: ['ORDERS'] })).toEqual(['captured 1', 'captured 2']);
      expect(await found({ terms: [], tags: ['orders', 'eu'] })).toEqual(['captured 1']);
      // a whole tag: no prefix match, and LIKE wildcards are literal
      expect(await found({ terms: [], tags: ['order'] })).toEqual([]);
      expect(await found({ terms: [], tags: ['50%_off'] })).toEqual(['captured 4']);
      expect(await found({ terms: [], tags: ['50%'] })).toEqual([]);
      expect(await found({ terms: [], not_tags: ['eu'] })).toEqual(['captured 2', 'captured 3', 'captured 4']);
      expect(await s.store.captured.countMatching({ terms: [], tags: ['eu'] })).toBe(2);
    });

    it('groups mail that came through the queue by tenant; tenant: and -tenant: filters', async () => {
      await s.store.tenants.upsert('acme', tenantConfig(), 0);
      const a = await reach(s.store, 'a', 'sent', { tenant_id: 'acme' });
      const d = await reach(s.store, 'd', 'sent');
      const [c1, c2] = await s.store.captured.insertMany([1, 2, 3].map((i) => ({ m: capturedMail(i), raw: rawOf(i) })));
      await s.store.captured.linkMessage(c1.id, a);
      await s.store.captured.linkMessage(c2.id, d);
      expect((await s.store.captured.mailboxes()).tenants).toEqual([
        { name: '', total: 1, unread: 1 },
        { name: 'acme', total: 1, unread: 1 },
      ]);
      expect(await found({ terms: [], tenant: 'acme' })).toEqual(['captured 1']);
      expect(await found({ terms: [], not_tenants: ['acme'] })).toEqual(['captured 2', 'captured 3']);
    });
  });
}
