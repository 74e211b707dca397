import nodemailer, { type SendMailOptions } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { quickSummary, scanHeaderDigest, summarizeMessage } from '../../../src/core/sink/summarize.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

async function build(mail: SendMailOptions): Promise<Buffer> {
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail(mail);
  return info.message as Buffer;
}

const mime = (...lines: string[]) => Buffer.from(lines.join('\r\n'), 'latin1');

describe('capture-time summary (no MIME parse)', () => {
  it('agrees with the full parse on the mail applications send', async () => {
    const mails: SendMailOptions[] = [
      { from: 'bench@example.com', to: 'sink@example.com', subject: 'plain', text: 'Lorem ipsum dolor sit amet. '.repeat(200) },
      {
        from: '"Shop Ltd" <shop@example.com>',
        to: ['"Ann, Smith" <ann@example.org>', 'bob@example.org'],
        cc: 'carol@example.org',
        subject: 'Your invoice №42 — thanks',
        text: 'Plain version of the invoice',
        html: '<h1>Invoice</h1><p>Total <b>€10</b></p><img src="cid:logo@shop">',
        attachments: [
          { filename: 'logo.png', content: PNG, cid: 'logo@shop', contentType: 'image/png' },
          { filename: 'invoice.pdf', content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' },
        ],
      },
      { from: 'Jörg <j@example.de>', to: 'y@example.com', subject: 'Grüße', html: '<style>p{color:red}</style><p>Hello &amp; welcome</p>' },
      {
        from: 'news@example.com',
        to: 'y@example.com',
        subject: 'newsletter',
        html: `<html><head><style>${'.c{margin:0 auto;padding:0}\n'.repeat(400)}</style></head><body><p>${'Spring sale, everything must go. '.repeat(20)}</p></body></html>`,
      },
      { from: 'a@example.com', to: 'x@example.com', subject: 'b64', text: 'Grüße aus Köln '.repeat(100), textEncoding: 'base64' },
      { from: 'a@example.com', to: 'x@example.com', subject: 'qp', text: 'Grüße aus Köln '.repeat(100), textEncoding: 'quoted-printable' },
      { from: 'a@example.com', to: 'x@example.com', subject: 'files', text: 'short', attachments: [{ filename: 'a.txt', content: 'x' }, { filename: 'b.csv', content: 'y,z' }] },
      { from: 'a@example.com', to: 'x@example.com', subject: 'cjk', text: '日本語のテキスト '.repeat(50) },
      { from: 'a@example.com', to: 'x@example.com', subject: 'empty', text: '' },
      { from: 'a@example.com', to: 'x@example.com', subject: 'alt', alternatives: [{ contentType: 'text/x-web-markdown', content: '**x**' }], text: 'alt' },
      { from: 'a@example.com', to: 'x@example.com', subject: 'cal', icalEvent: { method: 'request', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR' }, text: 'cal' },
      {
        from: 'a@example.com',
        to: 'x@example.com',
        subject: 'cid but attached',
        text: 'x',
        html: '<img src="cid:a">',
        attachments: [{ filename: 'a.png', content: PNG, cid: 'a', contentDisposition: 'attachment' }],
      },
    ];
    for (const mail of mails) {
      const raw = await build(mail);
      const { search_text: _text, ...full } = await summarizeMessage(raw);
      expect(quickSummary(raw), String(mail.subject)).toEqual(full);
    }
  });

  it('counts attachments by mailparser rules: inline images of the HTML are not attachments', async () => {
    const raw = mime(
      'From: a@example.com',
      'Subject: counted',
      'Content-Type: multipart/mixed; boundary="m"',
      '',
      'preamble --m is not a delimiter',
      '--mx not one either',
      '--m',
      'Content-Type: multipart/related; boundary="r"',
      '',
      '--r',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>see --m inside a line</p><img src="cid:i1">',
      '--r',
      'Content-Type: image/png',
      'Content-ID: <i1>',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      '--r--',
      '--m',
      'Content-Type: text/plain; name="notes.txt"',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'attached text',
      '--m',
      'Content-Type: application/octet-stream',
      '',
      'bytes',
      '--m--',
      'epilogue',
    );
    expect(quickSummary(raw)).toMatchObject({ subject: 'counted', attachments: 2, preview: 'see --m inside a line' });
    expect((await summarizeMessage(raw)).attachments).toBe(2);
  });

  it('reads boundary parameters as mailparser does: quoted, escaped, followed by a comment', async () => {
    for (const [param, boundary] of [
      ['"(b)"', '(b)'],
      ['b (a comment)', 'b'],
      ['"a\\"b"', 'a"b'],
    ]) {
      const raw = mime('Subject: t', `Content-Type: multipart/mixed; boundary=${param}`, '', `--${boundary}`, 'Content-Type: text/plain', '', 'hello', `--${boundary}`, 'Content-Type: application/pdf', '', 'x', `--${boundary}--`);
      const { search_text: _text, ...full } = await summarizeMessage(raw);
      expect(full, param).toMatchObject({ attachments: 1, preview: 'hello' });
      expect(quickSummary(raw), param).toEqual(full);
    }
  });

  it('reads the preview through transfer encodings and charsets', () => {
    const latin = mime('Subject: t', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '', 'caf=E9 cr=E8me =', 'br=FBl=C3=A9e');
    expect(quickSummary(latin).preview).toBe('café crème brûlÃ©e');
    const b64 = mime('Subject: t', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '', Buffer.from('Grüße\r\n  aus   Köln').toString('base64'));
    expect(quickSummary(b64).preview).toBe('Grüße aus Köln');
    const unknown = mime('Subject: t', 'Content-Type: text/plain; charset=x-no-such-charset', '', 'still readable');
    expect(quickSummary(unknown).preview).toBe('still readable');
  });

  it('reads windows-1252 and multibyte body text as mailparser does (not through TextDecoder)', async () => {
    const outlook = mime('Subject: t', 'Content-Type: text/plain; charset="Windows-1252"', 'Content-Transfer-Encoding: quoted-printable', '', 'Preis =80 100, =93netto=94');
    expect(quickSummary(outlook).preview).toBe('Preis € 100, “netto”');
    const sjis = Buffer.concat([mime('Subject: t', 'Content-Type: text/plain; charset=Shift_JIS', '', ''), Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea])]);
    expect(quickSummary(sjis).preview).toBe('日本語');
    for (const raw of [outlook, sjis]) {
      const { search_text: _text, ...full } = await summarizeMessage(raw);
      expect(quickSummary(raw)).toEqual(full);
    }
  });

  it('never fails on broken structure', () => {
    const broken = [
      mime('Subject: no boundary', 'Content-Type: multipart/mixed', '', 'text'),
      mime('Subject: unterminated', 'Content-Type: multipart/mixed; boundary="z"', '', '--z', 'Content-Type: application/pdf', '', 'cut'),
      mime('Subject: empty parts', 'Content-Type: multipart/mixed; boundary="z"', '', '--z', '--z', '--z--'),
      mime('Subject: non-ascii boundary', 'Content-Type: multipart/mixed; boundary="é"', '', '--é', 'x'),
      mime('Subject: only headers'),
      mime(''),
      Buffer.from(`Subject: deep\r\nContent-Type: multipart/mixed; boundary="d"\r\n\r\n${'--d\r\nContent-Type: multipart/mixed; boundary="d"\r\n\r\n'.repeat(100)}`),
    ];
    for (const raw of broken) expect(() => quickSummary(raw)).not.toThrow();
    expect(quickSummary(broken[1])).toMatchObject({ subject: 'unterminated', attachments: 1 });
    expect(quickSummary(broken[2]).attachments).toBe(0);
  });

  it('falls back to the capture-time scan, text included, when mailparser refuses the input', async () => {
    const raw = Buffer.from(`Subject: huge\r\nFrom: a@example.com\r\nX-Big: ${'y'.repeat(2_000_000)}\r\n\r\nfindable words`);
    const d = await summarizeMessage(raw);
    expect(d).toMatchObject({ subject: 'huge', from: 'a@example.com', preview: 'findable words', search_text: 'findable words' });
  });
});

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
