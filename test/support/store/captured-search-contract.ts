import { describe, expect, it } from 'vitest';
import type { CapturedSearch, Store } from '../../../src/core/store/ports.js';
import { useStore, type StoreFactory } from './harness.js';
import { capturedMail, NOW, rawOf } from './fixtures.js';

/** Four captured messages, oldest first: invoice, lunch, reply, newsletter. */
async function storeMailbox(store: Store): Promise<{ invoice: number; lunch: number; reply: number; news: number }> {
  const mails = [
    capturedMail(1, {
      subject: 'Quarterly invoice',
      from: 'Alice <alice@corp.example>',
      mail_from: 'alice@corp.example',
      to: ['bob@dest.example'],
      search_text: 'please pay the total amount',
      mailbox: 'billing',
      attachments: 1,
    }),
    capturedMail(2, {
      subject: 'Lunch next week',
      from: 'Bob <bob@dest.example>',
      mail_from: 'bob@dest.example',
      to: ['alice@corp.example'],
      rcpt_to: ['alice@corp.example'],
      search_text: 'shall we meet next week',
    }),
    capturedMail(3, {
      subject: 'Re: invoice',
      from: 'Carol <carol@other.example>',
      mail_from: 'carol@other.example',
      to: ['alice@corp.example'],
      cc: ['dave@corp.example'],
      rcpt_to: ['alice@corp.example', 'dave@corp.example'],
      search_text: 'the week after next is fine, invoices attached',
      mailbox: 'billing',
      attachments: 2,
    }),
    capturedMail(4, {
      subject: 'Newsletter',
      from: 'news@list.example',
      mail_from: 'bounce@list.example',
      to: ['bob@dest.example'],
      rcpt_to: ['bob@dest.example'],
      search_text: 'tokenization weekly digest',
    }),
  ];
  const [invoice, lunch, reply, news] = (await store.captured.insertMany(mails.map((m, i) => ({ m, raw: rawOf(i + 1) })))).map((c) => c.id);
  return { invoice, lunch, reply, news };
}

/** CapturedPort.list: newest first with paging cursors, text search by field, filters. */
export function capturedSearchContract(factory: StoreFactory): void {
  describe('captured mail: lists and search', () => {
    const s = useStore(factory);
    const find = async (search: CapturedSearch, limit = 10) => (await s.store.captured.list({ limit, search })).items.map((c) => c.id);
    const any = (...texts: string[]): CapturedSearch => ({ terms: texts.map((text) => ({ field: 'any', text })) });

    it('lists newest first, a page at a time', async () => {
      const m = await storeMailbox(s.store);
      const first = await s.store.captured.list({ limit: 3 });
      expect(first.items.map((c) => c.id)).toEqual([m.news, m.reply, m.lunch]);
      expect(typeof first.next_cursor).toBe('string');
      expect(await s.store.captured.list({ limit: 3, cursor: first.next_cursor! })).toEqual({
        items: [await s.store.captured.get(m.invoice)],
        next_cursor: null,
      });
      expect((await s.store.captured.list({ limit: 4 })).next_cursor).toBeNull();
      expect(await find({ terms: [] })).toEqual([m.news, m.reply, m.lunch, m.invoice]);
    });

    it('matches terms in any field, or in the field named', async () => {
      const m = await storeMailbox(s.store);
      expect(await find(any('invoice'))).toEqual([m.reply, m.invoice]);
      expect(await find({ terms: [{ field: 'subject', text: 'invoice' }] })).toEqual([m.reply, m.invoice]);
      expect(await find({ terms: [{ field: 'body', text: 'invoice' }] })).toEqual([m.reply]);
      expect(await find({ terms: [{ field: 'sender', text: 'alice@corp.example' }] })).toEqual([m.invoice]);
      expect(await find({ terms: [{ field: 'recipients', text: 'alice@corp.example' }] })).toEqual([m.reply, m.lunch]);
      expect(await find(any('alice@corp.example'))).toEqual([m.reply, m.lunch, m.invoice]);
      expect(await find({ terms: [{ field: 'recipients', text: 'dave' }] })).toEqual([m.reply]);
      expect(await find({ terms: [{ field: 'sender', text: 'bounce@list.example' }] })).toEqual([m.news]);
      expect(await find({ terms: [{ field: 'body', text: 'alice' }] })).toEqual([]);
      expect(await find(any('INVOICE'))).toEqual([m.reply, m.invoice]);
    });

    it('matches a phrase as adjacent words, and the last word of a term as a prefix', async () => {
      const m = await storeMailbox(s.store);
      expect(await find(any('next week'))).toEqual([m.lunch]);
      expect(await find(any('week'))).toEqual([m.news, m.reply, m.lunch]);
      expect(await find(any('tok'))).toEqual([m.news]);
      expect(await find(any('quart'))).toEqual([m.invoice]);
      expect(await find(any('pay the tot'))).toEqual([m.invoice]);
      expect(await find(any('nomatch'))).toEqual([]);
    });

    it('requires every term to match', async () => {
      const m = await storeMailbox(s.store);
      expect(await find({ terms: [{ field: 'any', text: 'invoice' }, { field: 'sender', text: 'carol' }] })).toEqual([m.reply]);
      expect(await find(any('invoice', 'lunch'))).toEqual([]);
    });

    it('filters by mailbox, read state and attachments, alone or with terms', async () => {
      const m = await storeMailbox(s.store);
      await s.store.captured.markRead(m.lunch);
      expect(await find({ terms: [], mailbox: 'billing' })).toEqual([m.reply, m.invoice]);
      expect(await find({ terms: [], mailbox: 'nobody' })).toEqual([]);
      expect(await find({ ...any('total'), mailbox: 'billing' })).toEqual([m.invoice]);
      expect(await find({ terms: [], read: true })).toEqual([m.lunch]);
      expect(await find({ terms: [], read: false })).toEqual([m.news, m.reply, m.invoice]);
      expect(await find({ terms: [], has_attachments: true })).toEqual([m.reply, m.invoice]);
      expect(await find({ terms: [], has_attachments: false })).toEqual([m.news, m.lunch]);
      expect(await find({ ...any('week'), read: false, has_attachments: false })).toEqual([m.news]);
    });

    it('pages through search results', async () => {
      const m = await storeMailbox(s.store);
      const first = await s.store.captured.list({ limit: 1, search: any('alice') });
      expect(first.items.map((c) => c.id)).toEqual([m.reply]);
      const second = await s.store.captured.list({ limit: 1, search: any('alice'), cursor: first.next_cursor! });
      expect(second.items.map((c) => c.id)).toEqual([m.lunch]);
      const third = await s.store.captured.list({ limit: 1, search: any('alice'), cursor: second.next_cursor! });
      expect(third).toEqual({ items: [expect.objectContaining({ id: m.invoice })], next_cursor: null });
      const filtered = await s.store.captured.list({ limit: 1, search: { terms: [], mailbox: 'billing' } });
      const rest = await s.store.captured.list({ limit: 1, search: { terms: [], mailbox: 'billing' }, cursor: filtered.next_cursor! });
      expect([...filtered.items, ...rest.items].map((c) => c.id)).toEqual([m.reply, m.invoice]);
      expect(rest.next_cursor).toBeNull();
    });

    it('excludes negated terms, in any field or the field named (only indexed messages qualify)', async () => {
      const m = await storeMailbox(s.store);
      expect(await find({ terms: [{ field: 'any', text: 'invoice', negate: true }] })).toEqual([m.news, m.lunch]);
      expect(await find({ terms: [{ field: 'any', text: 'week' }, { field: 'subject', text: 'lunch', negate: true }] })).toEqual([m.news, m.reply]);
      expect(await find({ terms: [{ field: 'sender', text: 'alice', negate: true }, { field: 'any', text: 'next week', negate: true }] })).toEqual([m.news, m.reply]);
      const [late] = await s.store.captured.insertMany([{ m: capturedMail(9, { search_text: undefined }), raw: rawOf(9) }]);
      expect(await find({ terms: [{ field: 'any', text: 'invoice', negate: true }] })).not.toContain(late.id);
      await s.store.captured.completeIndex([{ id: late.id, search_text: 'nothing here', attachments: 0, preview: '' }]);
      expect(await find({ terms: [{ field: 'any', text: 'invoice', negate: true }] })).toEqual([late.id, m.news, m.lunch]);
    });

    it('narrows by received time and size, bounds included for time and excluded for size', async () => {
      const m = await storeMailbox(s.store);
      expect(await find({ terms: [], received_after: NOW + 2 })).toEqual([m.news, m.reply, m.lunch]);
      expect(await find({ terms: [], received_before: NOW + 2 })).toEqual([m.lunch, m.invoice]);
      expect(await find({ terms: [], received_after: NOW + 2, received_before: NOW + 3 })).toEqual([m.reply, m.lunch]);
      expect(await find({ terms: [], larger_than: 102 })).toEqual([m.news, m.reply]);
      expect(await find({ terms: [], smaller_than: 102 })).toEqual([m.invoice]);
      expect(await find({ ...any('invoice'), larger_than: 101 })).toEqual([m.reply]);
    });

    it('matches cc, bcc (envelope recipients not in To or Cc), Message-ID and mailboxes as substrings, or excludes them', async () => {
      const m = await storeMailbox(s.store);
      const has = (column: 'cc' | 'bcc' | 'message_id' | 'filename', text: string, negate = false): CapturedSearch => ({ terms: [], contains: [{ column, text, negate }] });
      expect(await find(has('cc', 'DAVE@corp'))).toEqual([m.reply]);
      expect(await find(has('cc', 'dave', true))).toEqual([m.news, m.lunch, m.invoice]);
      expect(await find(has('bcc', 'rcpt1'))).toEqual([m.invoice]);
      expect(await find(has('bcc', 'dest.example'))).toEqual([m.invoice]);
      expect(await find(has('bcc', 'alice'))).toEqual([]);
      expect(await find(has('message_id', '<3@'))).toEqual([m.reply]);
      expect(await find(has('message_id', '3@sender', true))).toEqual([m.news, m.lunch, m.invoice]);
      // LIKE wildcards in the text are literal characters
      expect(await find(has('message_id', '%'))).toEqual([]);
      expect(await find(has('cc', '_'))).toEqual([]);
      expect(await find({ terms: [], not_mailboxes: ['billing'] })).toEqual([m.news, m.lunch]);
    });

    it('records attachment file names when indexing, for filename: and for free text', async () => {
      const m = await storeMailbox(s.store);
      const [att] = await s.store.captured.insertMany([{ m: capturedMail(9, { search_text: undefined, attachments: 2 }), raw: rawOf(9) }]);
      await s.store.captured.completeIndex([{ id: att.id, search_text: 'see attached', attachments: 2, preview: '', filenames: ['Q3 report.pdf', 'photo_1.png'] }]);
      const has = (text: string, negate = false): CapturedSearch => ({ terms: [], contains: [{ column: 'filename', text, negate }] });
      expect(await find(has('report.PDF'))).toEqual([att.id]);
      expect(await find(has('photo_1'))).toEqual([att.id]);
      expect(await find(has('report', true))).toEqual([m.news, m.reply, m.lunch, m.invoice]);
      expect(await find(any('report'))).toEqual([att.id]);
      expect(await s.store.captured.countMatching(has('.png'))).toBe(1);
    });

    it('counts every match of a search', async () => {
      await storeMailbox(s.store);
      expect(await s.store.captured.countMatching(any('week'))).toBe(3);
      expect(await s.store.captured.countMatching({ terms: [{ field: 'any', text: 'week', negate: true }] })).toBe(1);
      expect(await s.store.captured.countMatching({ terms: [], mailbox: 'billing', larger_than: 101 })).toBe(1);
      expect(await s.store.captured.countMatching({ terms: [] })).toBe(4);
    });
  });
}
