import nodemailer, { type SendMailOptions } from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { CaptureWriter } from '../../../src/core/sink/capture-writer.js';
import { quickSummary, summarizeMessage } from '../../../src/core/sink/summarize.js';
import type { CapturedSummary, NewCaptured } from '../../../src/core/store/ports.js';

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

function fakeStore(fail: (items: { m: NewCaptured }[]) => boolean, syncFails = false) {
  const calls: string[][] = [];
  /** each sync waits until the test releases it */
  const syncs: { release: () => void; committedBefore: number }[] = [];
  let nextId = 1;
  let committed = 0;
  const store = {
    async insertMany(items: { m: NewCaptured; raw: Buffer }[], opts?: { durable?: boolean }): Promise<CapturedSummary[]> {
      calls.push(items.map((i) => i.m.subject));
      // the sink never waits for the disk: durability comes from the background sync
      if (opts?.durable !== false) throw new Error('captured mail must be written with durable: false');
      if (fail(items)) throw new Error('disk full');
      committed += items.length;
      return items.map((i) => ({ id: nextId++, subject: i.m.subject }) as CapturedSummary);
    },
    syncCommitted(): Promise<void> {
      return new Promise((resolve, reject) =>
        syncs.push({ release: () => (syncFails ? reject(new Error('EIO: fsync failed')) : resolve()), committedBefore: committed }),
      );
    },
  };
  const releaseSyncs = async () => {
    for (let i = 0; i < 20; i++) {
      while (syncs.length) syncs.shift()!.release();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { store, calls, syncs, releaseSyncs };
}

const captured = (subject: string) => ({ subject }) as NewCaptured;

describe('group commit of captured mail', () => {
  it('writes the captures of one event-loop turn in one transaction and answers after its commit', async () => {
    const { store, calls, syncs } = fakeStore(() => false);
    const writer = new CaptureWriter(store);
    let settled = 0;
    const writes = ['a', 'b', 'c'].map((s) => writer.write(captured(s), Buffer.from(s)).then((r) => (settled++, r)));
    await Promise.resolve();
    expect(settled).toBe(0);
    const saved = await Promise.all(writes);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(saved.map((s) => [s.id, s.subject])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    // the WAL sync follows in the background, covering everything committed before it
    expect(syncs.map((s) => s.committedBefore)).toEqual([3]);
  });

  it('runs one background sync at a time, at most every 100 ms; commits made meanwhile share the next one', async () => {
    const { store, calls, syncs, releaseSyncs } = fakeStore(() => false);
    const writer = new CaptureWriter(store);
    const t0 = performance.now();
    await writer.write(captured('a'), Buffer.from('a'));
    await writer.write(captured('b'), Buffer.from('b'));
    await writer.write(captured('c'), Buffer.from('c'));
    expect(calls).toEqual([['a'], ['b'], ['c']]);
    expect(syncs.map((s) => s.committedBefore)).toEqual([1]);
    await releaseSyncs();
    // b and c wait for the interval, then one sync covers both
    expect(syncs).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 120));
    expect(syncs.map((s) => s.committedBefore)).toEqual([3]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(99);
    await releaseSyncs();
    await new Promise((r) => setTimeout(r, 120));
    // nothing new was committed: no sync
    expect(syncs).toHaveLength(0);
  });

  it('close() syncs at once, without waiting for the interval', async () => {
    const { store, syncs, releaseSyncs } = fakeStore(() => false);
    const writer = new CaptureWriter(store);
    await writer.write(captured('a'), Buffer.from('a'));
    await releaseSyncs();
    await writer.write(captured('b'), Buffer.from('b'));
    expect(syncs).toHaveLength(0);
    const closing = writer.close();
    expect(syncs.map((s) => s.committedBefore)).toEqual([2]);
    await releaseSyncs();
    await closing;
  });

  it('keeps a failure with its own message: the others of the group are stored one by one', async () => {
    const { store, calls } = fakeStore((items) => items.some((i) => i.m.subject === 'bad'));
    const writer = new CaptureWriter(store);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((s) => writer.write(captured(s), Buffer.from(s))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('reports a failed sync and syncs again after the next commit', async () => {
    const { store, syncs, releaseSyncs } = fakeStore(() => false, true);
    const errors: unknown[] = [];
    const writer = new CaptureWriter(store, (err) => errors.push(err));
    await writer.write(captured('x'), Buffer.from('x'));
    await releaseSyncs();
    expect(String(errors[0])).toMatch(/fsync failed/);
    await writer.write(captured('y'), Buffer.from('y'));
    await new Promise((r) => setTimeout(r, 120));
    expect(syncs).toHaveLength(1);
  });

  it('close() commits what is waiting and returns once it is synced', async () => {
    const { store, calls, releaseSyncs } = fakeStore(() => false);
    const writer = new CaptureWriter(store);
    const w = writer.write(captured('x'), Buffer.from('x'));
    let closed = false;
    const closing = writer.close().then(() => (closed = true));
    expect(calls).toEqual([['x']]);
    await new Promise((r) => setTimeout(r, 5));
    expect(closed).toBe(false);
    await releaseSyncs();
    await closing;
    expect((await w).id).toBe(1);
  });
});
