import type { SendMailOptions } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { messageTags, tagsOf } from '../../../src/core/sink/emulation/tags.js';
import { captureScan, quickSummary } from '../../../src/core/sink/quick-summary.js';
import { summarizeMessage } from '../../../src/core/sink/summarize.js';
import { mailCorpus } from '../../support/sink/mail-corpus.js';
import { composeMail as build, mime, PNG } from '../../support/sink/mime.js';

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

  it('reads the summary and the X-Tags in one scan, as quickSummary() and messageTags() read them apart', () => {
    const rcpt = ['inbox+Signup@example.com', 'b@example.com'];
    const tagged = [
      mime('From: a@example.com', 'X-Tags: alpha, beta', 'Subject: tagged', 'X-Tags: gamma,', ' delta', 'To: b@example.com', '', 'body'),
      mime('x-tags:  one ', 'Subject: one', '', 'body'),
      mime('Subject: none', '', 'X-Tags: in the body, not a header'),
    ];
    for (const raw of [...tagged, ...mailCorpus().map((m) => m.raw)]) {
      const scan = captureScan(raw);
      expect(scan.summary).toEqual(quickSummary(raw));
      expect(tagsOf(scan.xTags, rcpt)).toEqual(messageTags(raw, rcpt));
    }
    expect(tagsOf(captureScan(tagged[0]).xTags, rcpt)).toEqual(['alpha', 'beta', 'gamma', 'delta', 'Signup']);
    expect(captureScan(tagged[2]).xTags).toEqual([]);
  });
});
