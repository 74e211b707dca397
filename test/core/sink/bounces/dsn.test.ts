import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { emulationConfig } from '../../../../src/shared/api/emulation.js';
import { bouncesFor } from '../../../../src/core/sink/bounces/bounce-rules.js';
import { buildDsn } from '../../../../src/core/sink/bounces/dsn.js';

const event = (recipients: string[], username: string | null = null) => ({
  stage: 'data' as const,
  nowMs: 0,
  session: { id: 's', ip: '127.0.0.1', username },
  messagesOnConnection: 0,
  sender: 'app@example.com',
  recipients,
  tags: [],
});

describe('bouncesFor', () => {
  it('bounces bounce+hard@ and bounce+soft@ without a rule, and nobody else', () => {
    const config = emulationConfig.parse({});
    expect(bouncesFor(config, event(['Bounce+Hard@x.test', 'bounce+soft@y.test', 'ok@z.test']))).toEqual([
      { recipient: 'Bounce+Hard@x.test', status: '5.1.1', diagnostic: expect.stringContaining('550 5.1.1'), rule: 'builtin' },
      { recipient: 'bounce+soft@y.test', status: '4.2.2', diagnostic: expect.stringContaining('452 4.2.2'), rule: 'builtin' },
    ]);
    expect(bouncesFor(emulationConfig.parse({ builtin_bounces: false }), event(['bounce+hard@x.test']))).toEqual([]);
    expect(bouncesFor(emulationConfig.parse({ enabled: false }), event(['bounce+hard@x.test']))).toEqual([]);
  });

  it('takes the first matching bounce rule per recipient, with its status and diagnostic', () => {
    const config = emulationConfig.parse({
      rules: [
        { kind: 'bounce', status: '5.7.1', diagnostic: '554 5.7.1 Rejected by policy', match: { recipient: '*@blocked.test', username: 'tenant-a' } },
        { kind: 'bounce', status: '5.2.2', match: { recipient: 'full@*' } },
      ],
    });
    expect(bouncesFor(config, event(['x@blocked.test', 'full@y.test', 'ok@y.test'], 'tenant-a'))).toEqual([
      { recipient: 'x@blocked.test', status: '5.7.1', diagnostic: '554 5.7.1 Rejected by policy', rule: 0 },
      { recipient: 'full@y.test', status: '5.2.2', diagnostic: '550 5.2.2 Emulated bounce (sandbox provider emulation)', rule: 1 },
    ]);
    expect(bouncesFor(config, event(['x@blocked.test'], 'tenant-b'))).toEqual([]);
  });
});

describe('buildDsn', () => {
  it('is an RFC 3464 multipart/report with the per-recipient status and the original headers', async () => {
    const original = Buffer.from('From: app@example.com\r\nTo: bounce+hard@x.test\r\nSubject: Welcome\r\nMessage-ID: <orig-1@example.com>\r\n\r\nbody text\r\n');
    const raw = buildDsn({
      to: 'app@example.com',
      bounces: [{ recipient: 'bounce+hard@x.test', status: '5.1.1', diagnostic: '550 5.1.1 No such user', rule: 'builtin' }],
      original,
      arrival: new Date(Date.UTC(2026, 0, 1)),
      mta: 'localhost',
    });
    const text = raw.toString();
    expect(text).toMatch(/^Content-Type: multipart\/report; report-type=delivery-status; boundary="dsn-/m);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Undelivered Mail Returned to Sender');
    expect(parsed.to).toMatchObject({ value: [{ address: 'app@example.com' }] });
    // mailparser shows message/delivery-status inline with the text; the part itself is checked in the raw source
    expect(text).toMatch(/Content-Type: message\/delivery-status\r\n\r\nReporting-MTA: dns; localhost\r\n/);
    const fields = parsed.text ?? '';
    expect(fields).toContain('Reporting-MTA: dns; localhost');
    expect(fields).toContain('Final-Recipient: rfc822; bounce+hard@x.test');
    expect(fields).toContain('Action: failed');
    expect(fields).toContain('Status: 5.1.1');
    expect(fields).toContain('Diagnostic-Code: smtp; 550 5.1.1 No such user');
    const headers = parsed.attachments.find((a) => a.contentType === 'text/rfc822-headers')!;
    expect(headers.content.toString()).toContain('Message-ID: <orig-1@example.com>');
    expect(headers.content.toString()).not.toContain('body text');
  });

  it('says delayed for a soft bounce', () => {
    const raw = buildDsn({ to: 'a@x', bounces: [{ recipient: 'b@y', status: '4.2.2', diagnostic: '452 4.2.2 full', rule: 'builtin' }], original: Buffer.from('Subject: x\r\n\r\n'), arrival: new Date(0), mta: 'localhost' });
    expect(raw.toString()).toContain('Action: delayed');
    expect(raw.toString()).toContain('Subject: Delayed Mail');
  });
});
