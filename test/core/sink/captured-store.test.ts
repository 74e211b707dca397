import { describe, expect, it } from 'vitest';
import { decodeMimeWords } from '../../../src/core/sink/mime-words.js';
import { parseCapturedSearch } from '../../../src/core/sink/search-query.js';
import { scanHeaderDigest, summarizeMessage } from '../../../src/core/sink/summarize.js';

describe('search query parsing', () => {
  it('splits words, phrases and operators', () => {
    expect(parseCapturedSearch('invoice "next week" from:bob@x.test to:"Ann Lee" subject:hi body:total')).toEqual({
      terms: [
        { field: 'any', text: 'invoice' },
        { field: 'any', text: 'next week' },
        { field: 'sender', text: 'bob@x.test' },
        { field: 'recipients', text: 'Ann Lee' },
        { field: 'subject', text: 'hi' },
        { field: 'body', text: 'total' },
      ],
    });
    expect(parseCapturedSearch('mailbox:proj-a is:unread has:attachment')).toEqual({
      terms: [],
      mailbox: 'proj-a',
      read: false,
      has_attachments: true,
    });
    expect(parseCapturedSearch('tag:x is:read http://example.com/a')).toEqual({
      terms: [{ field: 'any', text: 'http://example.com/a' }],
      mailbox: 'x',
      read: true,
    });
    expect(parseCapturedSearch('   ')).toEqual({ terms: [] });
  });
});

describe('message summary at capture time', () => {
  it('decodes RFC 2047 words in any charset', () => {
    expect(decodeMimeWords('=?UTF-8?B?w6nDqQ==?= =?ISO-8859-1?Q?caf=E9_au_lait?=')).toBe('éécafé au lait');
    expect(decodeMimeWords('plain =?bogus-charset?Q?x?=')).toBe('plain x');
    expect(decodeMimeWords('no words here')).toBe('no words here');
  });

  it('counts attachments but not inline images, and extracts text from HTML-only mail', async () => {
    const raw = Buffer.from(
      [
        'From: =?UTF-8?Q?Z=C3=B6e?= <zoe@example.com>',
        'To: a@example.com, "B, C" <bc@example.com>',
        'Subject: =?UTF-8?B?SGVsbG8gV8O2cmxk?=',
        'Date: Tue, 01 Dec 2026 10:00:00 +0000',
        'Message-ID: <abc@example.com>',
        'Content-Type: multipart/mixed; boundary="m"',
        '',
        '--m',
        'Content-Type: multipart/related; boundary="r"',
        '',
        '--r',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<style>p{color:red}</style><p>Hello &amp; welcome</p><img src="cid:i1">',
        '--r',
        'Content-Type: image/png',
        'Content-ID: <i1>',
        'Content-Disposition: inline',
        'Content-Transfer-Encoding: base64',
        '',
        'iVBORw0KGgo=',
        '--r--',
        '--m',
        'Content-Type: text/plain; name="notes.txt"',
        'Content-Disposition: attachment; filename="notes.txt"',
        '',
        'attached',
        '--m--',
        '',
      ].join('\r\n'),
    );
    const d = await summarizeMessage(raw);
    expect(d).toMatchObject({
      from: 'Zöe <zoe@example.com>',
      to: ['a@example.com', 'B, C <bc@example.com>'],
      subject: 'Hello Wörld',
      date_ts: Math.floor(Date.UTC(2026, 11, 1, 10) / 1000),
      message_id: '<abc@example.com>',
      attachments: 1,
      preview: 'Hello & welcome',
    });
    expect(d.search_text).not.toContain('color');
  });

  it('falls back to a header scan for input the MIME parser refuses', () => {
    const raw = Buffer.from(`Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nFrom: A <a@example.com>\r\nX-Big: ${'y'.repeat(2_000_000)}\r\nTo: b@example.com\r\n  , c@example.com\r\n\r\nbody`);
    const d = scanHeaderDigest(raw);
    expect(d).toMatchObject({ subject: 'Grüße', from: 'A <a@example.com>', to: ['b@example.com', 'c@example.com'], attachments: 0 });
  });
});
