import { describe, expect, it } from 'vitest';
import {
  bareMessageId,
  canonicalHeaderKey,
  envelopeOnly,
  mailpitAddress,
  mailpitHeaders,
  mailpitSummary,
  releaseAddress,
  sendBodyOf,
  unsubscribeLinks,
} from '../../../src/core/services/mailpit-views.js';
import { sendBody } from '../../../src/shared/api/send.js';
import type { CapturedSummary } from '../../../src/core/store/ports.js';

const summary = (over: Partial<CapturedSummary> = {}): CapturedSummary => ({
  id: 7,
  received_ts: 1_700_000_000,
  mail_from: 'bounce@example.com',
  rcpt_to: ['b@example.org', 'hidden@example.org'],
  from: 'Ann <a@example.com>',
  to: ['B <b@example.org>'],
  cc: [],
  subject: 's',
  date_ts: null,
  size: 10,
  attachments: 0,
  mailbox: null,
  read: false,
  message_id: '<m-1@example.com>',
  relay_message_id: null,
  relay_tenant_id: null,
  preview: 'p',
  remote_address: null,
  helo: null,
  tls: false,
  ...over,
});

describe('mailpit views', () => {
  it('addresses as {Name, Address}', () => {
    expect(mailpitAddress('Ann Smith <a@example.com>')).toEqual({ Name: 'Ann Smith', Address: 'a@example.com' });
    expect(mailpitAddress('"Smith, Ann" <a@example.com>')).toEqual({ Name: 'Smith, Ann', Address: 'a@example.com' });
    expect(mailpitAddress('a@example.com')).toEqual({ Name: '', Address: 'a@example.com' });
  });

  it('envelope-only recipients are Bcc, whatever the letter case, once each', () => {
    expect(envelopeOnly({ rcpt_to: ['B@Example.org', 'x@example.org', 'X@example.org'], to: ['B <b@example.org>'], cc: [] })).toEqual([{ Name: '', Address: 'x@example.org' }]);
    expect(envelopeOnly({ rcpt_to: ['c@example.org'], to: [], cc: ['c@example.org'] })).toEqual([]);
  });

  it('summary: string ID, bare Message-ID, RFC 3339 Created, the AUTH user as tag, From falls back to the envelope', () => {
    const s = mailpitSummary(summary({ mailbox: 'qa' }));
    expect(s).toMatchObject({ ID: '7', MessageID: 'm-1@example.com', Created: '2023-11-14T22:13:20.000Z', Tags: ['qa'], Username: 'qa' });
    expect(s.Bcc).toEqual([{ Name: '', Address: 'hidden@example.org' }]);
    expect(mailpitSummary(summary({ from: '' })).From).toEqual({ Name: '', Address: 'bounce@example.com' });
    expect(bareMessageId(null)).toBe('');
  });

  it("header keys in Go's canonical form, values kept in order", () => {
    expect(canonicalHeaderKey('message-id')).toBe('Message-Id');
    expect(canonicalHeaderKey('X-MAILER')).toBe('X-Mailer');
    expect(canonicalHeaderKey('bad key')).toBe('bad key');
    expect(mailpitHeaders([{ key: 'Received', value: 'a' }, { key: 'received', value: 'b' }, { key: 'MIME-Version', value: '1.0' }])).toEqual({
      Received: ['a', 'b'],
      'Mime-Version': ['1.0'],
    });
  });

  it('List-Unsubscribe links and release addresses', () => {
    expect(unsubscribeLinks('<mailto:u@example.com>, <https://example.com/u>')).toEqual(['mailto:u@example.com', 'https://example.com/u']);
    expect(releaseAddress('QA <qa@example.org>')).toBe('qa@example.org');
    expect(releaseAddress('not an address')).toBeNull();
  });

  it("a Mailpit send is our send body: names kept, Tags as X-Tags, and the same validation applies", () => {
    const b = sendBodyOf({ From: { Email: 'a@example.com', Name: 'A <x>' }, To: [{ Email: 'b@example.org' }], Bcc: ['c@example.org'], Subject: 'hi', Tags: ['t1', 't2'] });
    expect(b).toMatchObject({ from: 'A x <a@example.com>', to: ['b@example.org'], bcc: ['c@example.org'], body_text: '', headers: { 'X-Tags': 't1, t2' } });
    expect(sendBody.safeParse(b).success).toBe(true);
    expect(sendBody.safeParse(sendBodyOf({ From: { Email: 'a@example.com' }, Subject: 'hi' })).success).toBe(false);
  });
});
