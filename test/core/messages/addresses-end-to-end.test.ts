import { simpleParser, type AddressObject } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryRelay, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { startSmtpTarget, type SmtpTarget } from '../../support/smtp/smtp-target.js';
import { waitFor } from '../../support/common/wait.js';

/**
 * Address lists from the API to the wire: display names with commas, quotes, UTF-8 and groups reach a
 * real SMTP server on loopback as the right RCPT TO and the right To/Cc headers.
 */

let smtp: SmtpTarget;
let f: DeliveryFixture | null = null;

beforeAll(async () => {
  smtp = await startSmtpTarget();
});
afterAll(() => smtp.close());
afterEach(async () => {
  await f?.stop();
  f = null;
});

async function relay(): Promise<DeliveryFixture> {
  f = await startDeliveryRelay();
  await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
  return f;
}

const mailboxes = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value).flatMap((v) => (v.group ? v.group : [v])).map((v) => ({ name: v.name, address: v.address }));

async function received(subject: string) {
  const mail = await waitFor(() => smtp.messages.find((m) => m.raw.includes(subject)) ?? null, `the message '${subject}' at the SMTP target`);
  return { envelope: mail.to, parsed: await simpleParser(mail.bytes) };
}

describe('address lists, API to SMTP', () => {
  it('add-messages parses a string list: commas in names, quotes, UTF-8 and groups', async () => {
    const { t } = await relay();
    const res = await t.api('/commands/add-messages', {
      method: 'POST',
      json: {
        messages: [
          {
            id: 'addr-1',
            account_id: 'acc',
            from: '"Shop, Inc." <shop@example.com>',
            to: '"Smith, Ann" <ann@example.com>, "Müller, Jürgen" <juergen@example.de>, "say \\"hi\\"" <hi@example.com>',
            cc: 'Team: "Doe, John" <john@example.com>, jane@example.com;, Zoë <zoe@example.org>',
            bcc: '"Hidden, H" <hidden@example.com>',
            subject: 'addresses one',
            body: 'b',
          },
        ],
      },
    });
    expect(await res.json()).toMatchObject({ ok: true, queued: 1, rejected: [] });
    const { envelope, parsed } = await received('addresses one');
    expect(envelope).toEqual(['ann@example.com', 'juergen@example.de', 'hi@example.com', 'john@example.com', 'jane@example.com', 'zoe@example.org', 'hidden@example.com']);
    expect(mailboxes(parsed.to)).toEqual([
      { name: 'Smith, Ann', address: 'ann@example.com' },
      { name: 'Müller, Jürgen', address: 'juergen@example.de' },
      { name: 'say "hi"', address: 'hi@example.com' },
    ]);
    expect(mailboxes(parsed.cc)).toEqual([
      { name: 'Doe, John', address: 'john@example.com' },
      { name: '', address: 'jane@example.com' },
      { name: 'Zoë', address: 'zoe@example.org' },
    ]);
    expect(mailboxes(parsed.from)).toEqual([{ name: 'Shop, Inc.', address: 'shop@example.com' }]);
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.headerLines.find((h) => h.key === 'cc')?.line).toMatch(/^Cc: Team: ?"Doe, John" <john@example.com>, jane@example.com;/);
  });

  it('add-messages keeps the elements of a list, each parsed on the way out', async () => {
    const { t } = await relay();
    const res = await t.api('/commands/add-messages', {
      method: 'POST',
      json: { messages: [{ id: 'addr-2', account_id: 'acc', from: 'a@example.com', to: ['"Smith, Ann" <ann@example.com>', 'bob@example.com'], subject: 'addresses two', body: 'b' }] },
    });
    expect(await res.json()).toMatchObject({ ok: true, queued: 1 });
    const { envelope, parsed } = await received('addresses two');
    expect(envelope).toEqual(['ann@example.com', 'bob@example.com']);
    expect(mailboxes(parsed.to)).toEqual([
      { name: 'Smith, Ann', address: 'ann@example.com' },
      { name: '', address: 'bob@example.com' },
    ]);
  });

  it('POST /api/send takes a display name with a comma as one mailbox', async () => {
    const { t } = await relay();
    const res = await t.api('/api/send', {
      method: 'POST',
      json: { account_id: 'acc', from: 'a@example.com', to: '"Smith, Ann" <ann@example.com>', cc: ['Ünal, Ö <oe@example.com>'], subject: 'addresses three', body_text: 'b' },
    });
    expect(res.status).toBeLessThan(300);
    const { envelope, parsed } = await received('addresses three');
    expect(envelope).toEqual(['ann@example.com', 'oe@example.com']);
    expect(mailboxes(parsed.to)).toEqual([{ name: 'Smith, Ann', address: 'ann@example.com' }]);
  });

  it('a CR or LF in a string list is still refused, not parsed away', async () => {
    const { t } = await relay();
    const res = await t.api('/commands/add-messages', {
      method: 'POST',
      json: { messages: [{ id: 'addr-4', account_id: 'acc', from: 'a@example.com', to: 'ann@example.com\r\nBcc: evil@example.com', subject: 's', body: 'b' }] },
    });
    const answer = (await res.json()) as { rejected?: { id: string; reason: string }[]; detail?: unknown };
    expect(JSON.stringify(answer)).toMatch(/CR or LF/);
    expect(smtp.messages.filter((m) => m.raw.includes('evil'))).toEqual([]);
  });
});
