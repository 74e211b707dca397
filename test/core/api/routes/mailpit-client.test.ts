import { MailpitClient } from 'mailpit-api';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSec } from '../../../../src/core/clock.js';
import { accountWithDefaults } from '../../../../src/core/store/records.js';
import { waitFor } from '../../../support/common/wait.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';
import { startSmtpTarget, type SmtpTarget } from '../../../support/smtp/smtp-target.js';

const TXT = Buffer.from('hello attachment\n');

/** The relay driven by the real `mailpit-api` npm client, as test tools drive Mailpit. */
describe('Mailpit API v1 with the mailpit-api client', () => {
  let t: TestRelay;
  let smtp: Transporter;
  let target: SmtpTarget;
  let mailpit: MailpitClient;

  beforeAll(async () => {
    target = await startSmtpTarget();
    t = await startTestRelay();
    smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
    mailpit = new MailpitClient(t.url, { auth: { username: 'tests', password: t.token } });
  });
  afterAll(async () => {
    smtp.close();
    await t.stop();
    await target.close();
  });

  it('list, search, latest, headers, source, part, read/unread, delete by ids and all', async () => {
    await mailpit.deleteMessages();
    await smtp.sendMail({ from: 'Shop <shop@example.com>', to: 'ann@example.org', subject: 'Your order', text: 'order 42', messageId: '<order-42@example.com>' });
    await smtp.sendMail({
      from: 'news@example.com',
      to: 'ann@example.org',
      bcc: 'audit@example.org',
      subject: 'Weekly news',
      text: 'news',
      attachments: [{ filename: 'a.txt', content: TXT, contentType: 'text/plain' }],
    });

    const list = await mailpit.listMessages();
    expect(list.total).toBe(2);
    expect(list.messages.map((m) => m.Subject)).toEqual(['Weekly news', 'Your order']);
    expect(list.messages[0].Bcc).toEqual([{ Name: '', Address: 'audit@example.org' }]);

    const found = await mailpit.searchMessages({ query: 'subject:order' });
    expect(found.messages_count).toBe(1);
    expect(found.messages[0].From).toEqual({ Name: 'Shop', Address: 'shop@example.com' });
    const waited = await mailpit.waitForMessage({ query: 'from:shop@example.com' });
    expect(waited.MessageID).toBe('order-42@example.com');

    const latest = await mailpit.getMessageSummary();
    expect(latest.Subject).toBe('Weekly news');
    expect(latest.Attachments[0]).toMatchObject({ FileName: 'a.txt', Size: TXT.length });
    expect((await mailpit.getMessageHeaders(latest.ID))['Subject']).toEqual(['Weekly news']);
    expect(await mailpit.getMessageSource(latest.ID)).toContain('Subject: Weekly news');
    const part = await mailpit.getMessageAttachment(latest.ID, latest.Attachments[0].PartID);
    expect(Buffer.from(await part.arrayBuffer()).equals(TXT)).toBe(true);

    // fetching (waitForMessage and latest) marked both read; set them all unread, then one read
    expect((await mailpit.listMessages()).unread).toBe(0);
    expect(await mailpit.setReadStatus({ Read: false })).toBe('ok');
    expect((await mailpit.listMessages()).unread).toBe(2);
    await mailpit.setReadStatus({ IDs: [waited.ID], Read: true });
    expect((await mailpit.searchMessages({ query: 'is:read' })).messages.map((m) => m.ID)).toEqual([waited.ID]);

    expect(await mailpit.deleteMessages({ IDs: [waited.ID] })).toBe('ok');
    expect((await mailpit.listMessages()).messages.map((m) => m.Subject)).toEqual(['Weekly news']);
    expect(await mailpit.deleteMessagesBySearch({ query: 'subject:news' })).toBe('ok');
    expect((await mailpit.listMessages()).total).toBe(0);
    await expect(mailpit.getMessageSummary('999999')).rejects.toThrow(/404/);
  });

  it('send (captured in sandbox mode, its ID answered), info, release through the only account', async () => {
    await mailpit.deleteMessages();
    const sent = await mailpit.sendMessage({
      From: { Email: 'app@example.com', Name: 'The App' },
      To: [{ Email: 'user@example.org', Name: 'User' }],
      Subject: 'sent through mailpit-api',
      Text: 'plain text',
      HTML: '<p>html</p>',
      Tags: ['signup'],
      Attachments: [{ Filename: 'note.txt', Content: TXT.toString('base64'), ContentType: 'text/plain' }],
    });
    const msg = await mailpit.getMessageSummary(sent.ID);
    expect(msg).toMatchObject({ Subject: 'sent through mailpit-api', From: { Name: 'The App', Address: 'app@example.com' }, Text: 'plain text', HTML: '<p>html</p>' });
    expect(msg.Attachments.map((a) => a.FileName)).toEqual(['note.txt']);
    expect((await mailpit.getMessageHeaders(sent.ID))['X-Tags']).toEqual(['signup']);

    const info = await mailpit.getInfo();
    expect(info).toMatchObject({ Messages: 1, Unread: 0 });
    expect(typeof info.Version).toBe('string');

    await t.relay.store.accounts.upsert(accountWithDefaults({ id: 'provider', host: '127.0.0.1', port: target.port, use_tls: false }), nowSec(t.relay.ctx.clock));
    expect(await mailpit.releaseMessage(sent.ID, { To: ['QA <qa@example.org>'] })).toBe('ok');
    const got = await waitFor(() => target.messages.find((m) => m.raw.includes('sent through mailpit-api')), 'released to the account');
    expect(got.to).toEqual(['qa@example.org']);
    expect(got.from).toBe('app@example.com');
  });
});
