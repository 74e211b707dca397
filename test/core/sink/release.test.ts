import { describe, expect, it } from 'vitest';
import { releasePayload } from '../../../src/core/sink/release.js';
import type { CapturedSummary } from '../../../src/core/store/ports.js';

function captured(over: Partial<CapturedSummary> = {}): CapturedSummary {
  return {
    id: 7,
    received_ts: 1,
    mail_from: 'bounce@example.com',
    rcpt_to: ['a@example.org', 'b@example.org'],
    from: 'Shop <shop@example.com>',
    to: ['a@example.org'],
    cc: [],
    subject: 'Your order',
    date_ts: null,
    size: 10,
    attachments: 0,
    mailbox: null,
    read: false,
    message_id: '<m@example.com>',
    relay_message_id: null,
    relay_tenant_id: null,
    preview: '',
    remote_address: null,
    helo: null,
    tls: false,
    ...over,
  };
}

describe('the queue entry of a released capture', () => {
  it('delivers to the captured envelope, from its MAIL FROM, at high priority unless asked otherwise', () => {
    expect(releasePayload(captured(), { account_id: 'acc' }, 'r1')).toEqual({
      id: 'r1',
      account_id: 'acc',
      from: 'bounce@example.com',
      to: ['a@example.org', 'b@example.org'],
      subject: 'Your order',
      body: '',
      content_type: 'plain',
      priority: 1,
      message_id: '<m@example.com>',
    });
    expect(releasePayload(captured(), { account_id: 'acc', to: ['qa@example.org'], priority: 3 }, 'r2')).toMatchObject({ to: ['qa@example.org'], priority: 3 });
  });

  it('falls back to the From address for a null sender, and keeps a decoded subject on one line', () => {
    const p = releasePayload(captured({ mail_from: '', subject: 'two\r\nlines', message_id: null }), { account_id: 'acc' }, 'r3');
    expect(p.from).toBe('shop@example.com');
    expect(p.subject).toBe('two lines');
    expect(p).not.toHaveProperty('message_id');
    expect(releasePayload(captured({ mail_from: '', from: '' }), { account_id: 'acc' }, 'r4').from).toBe('');
    // the stored From is display text ("name <address>", the name unquoted): commas and brackets stay in the name
    for (const from of ['Smith, Ann <ann@example.com>', '"Smith, Ann" <ann@example.com>', 'a <b> c <ann@example.com>', 'ann@example.com']) {
      expect(releasePayload(captured({ mail_from: '', from }), { account_id: 'acc' }, 'r5').from, from).toBe('ann@example.com');
    }
  });
});
