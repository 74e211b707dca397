import { describe, expect, it } from 'vitest';
import { useStore, type StoreFactory } from './harness.js';
import { capturedMail, rawOf } from './fixtures.js';

/** CapturedPort.mailboxes: captured mail grouped by SMTP username, with unread counts (#18.4). */
export function mailboxesContract(factory: StoreFactory): void {
  describe('captured mail: mailboxes', () => {
    const s = useStore(factory);

    it('groups by mailbox, by name, the mail sent without AUTH last, counting the unread', async () => {
      expect(await s.store.captured.mailboxes()).toEqual([]);
      const boxes = ['team', null, 'alpha', 'team', null];
      const saved = await s.store.captured.insertMany(boxes.map((mailbox, i) => ({ m: capturedMail(i + 1, { mailbox }), raw: rawOf(i + 1) })));
      await s.store.captured.markRead(saved[0].id);
      expect(await s.store.captured.mailboxes()).toEqual([
        { mailbox: 'alpha', total: 1, unread: 1 },
        { mailbox: 'team', total: 2, unread: 1 },
        { mailbox: null, total: 2, unread: 2 },
      ]);
    });
  });
}
