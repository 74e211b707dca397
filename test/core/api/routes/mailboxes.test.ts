import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailboxList } from '../../../../src/shared/api/mailboxes.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

/** GET /api/mailboxes and DELETE /api/mailboxes/{name} over a real relay and real SMTP. */
describe('mailboxes of the captured mail', () => {
  let t: TestRelay;

  beforeAll(async () => {
    t = await startTestRelay();
    const send = (user: string | null, subject: string) =>
      nodemailer
        .createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true, ...(user ? { auth: { user, pass: 'p' } } : {}) })
        .sendMail({ from: 'a@example.com', to: 'b@example.org', subject, text: 'x' });
    await send('shop', 'shop 1');
    await send('shop', 'shop 2');
    await send('newsletter', 'news 1');
    await send(null, 'plain 1');
  });
  afterAll(async () => {
    await t.stop();
  });

  const list = async () => ((await (await t.api('/api/mailboxes')).json()) as MailboxList).items;

  it('lists the mailboxes with unread counts, and the captured view filters by one', async () => {
    const shopMail = ((await (await t.api('/api/captured?q=' + encodeURIComponent('mailbox:"shop"'))).json()) as { items: { id: number; subject: string }[] }).items;
    expect(shopMail.map((m) => m.subject).sort()).toEqual(['shop 1', 'shop 2']);
    await t.api(`/api/captured/${shopMail[0].id}`);
    expect(await list()).toEqual([
      { mailbox: 'newsletter', total: 1, unread: 1 },
      { mailbox: 'shop', total: 2, unread: 1 },
      { mailbox: null, total: 1, unread: 1 },
    ]);
  });

  it('deletes only the mail of the mailbox it names', async () => {
    const res = await t.api('/api/mailboxes/shop', { method: 'DELETE' });
    expect(await res.json()).toEqual({ ok: true, removed: 2 });
    expect((await list()).map((m) => m.mailbox)).toEqual(['newsletter', null]);
    expect(await (await t.api('/api/mailboxes/nobody', { method: 'DELETE' })).json()).toEqual({ ok: true, removed: 0 });
    expect((await list()).map((m) => m.total)).toEqual([1, 1]);
    const long = await t.api(`/api/mailboxes/${'x'.repeat(201)}`, { method: 'DELETE' });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { message: string } }).error.message).toContain('name');
  });
});
