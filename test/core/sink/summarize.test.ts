import { describe, expect, it } from 'vitest';
import { quickSummary, scanHeaderDigest } from '../../../src/core/sink/quick-summary.js';
import { digestForIndex, summarizeMessage } from '../../../src/core/sink/summarize.js';
import { mime } from '../../support/sink/mime.js';

describe('message summary from the full MIME parse (and its header-scan fallback)', () => {
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
    // the attachment names, for filename: and free-text search
    expect((await digestForIndex(raw)).filenames).toEqual(['notes.txt']);
  });

  it('decodes every HTML entity of an HTML-only body once, for the preview and for search', async () => {
    const raw = mime('Subject: t', 'Content-Type: text/html; charset=utf-8', '', '<p>It&rsquo;s caf&eacute; time: &#x20AC;5&nbsp;each, write &amp;lt;b&amp;gt; for bold &copy; 2026</p>');
    const text = 'It’s café time: €5 each, write &lt;b&gt; for bold © 2026';
    expect(quickSummary(raw).preview).toBe(text);
    const d = await summarizeMessage(raw);
    expect(d.preview).toBe(text);
    expect(d.search_text.trim()).toBe(text);
  });

  it('falls back to a header scan for input the MIME parser refuses', () => {
    const raw = Buffer.from(`Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nFrom: A <a@example.com>\r\nX-Big: ${'y'.repeat(2_000_000)}\r\nTo: b@example.com\r\n  , c@example.com\r\n\r\nbody`);
    const d = scanHeaderDigest(raw);
    expect(d).toMatchObject({ subject: 'Grüße', from: 'A <a@example.com>', to: ['b@example.com', 'c@example.com'], attachments: 0 });
  });
});
