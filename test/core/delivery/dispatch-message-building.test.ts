import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryRelay, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { startSmtpTarget, type SmtpTarget } from '../../support/smtp/smtp-target.js';
import { tempDir } from '../../support/common/temp-dir.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverCtor = new (opts: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;

let smtp: SmtpTarget;
let f: DeliveryFixture | null = null;
let web: http.Server;
let webUrl = '';
let s3: S3rverInstance;
let s3Endpoint = '';
let s3Dir = '';

const PDF = Buffer.from('%PDF-1.4 fake pdf bytes for the test\n');
const BIG = Buffer.alloc(4096, 0x61);

beforeAll(async () => {
  smtp = await startSmtpTarget();
  web = http.createServer((req, res) => {
    if (req.url === '/files/report.pdf') {
      res.writeHead(200, { 'Content-Type': 'application/pdf' });
      return res.end(PDF);
    }
    if (req.url === '/files/big.bin') {
      res.writeHead(200, { 'Content-Length': BIG.length });
      return res.end(BIG);
    }
    if (req.url === '/files/stream-big') {
      // no content-length: the size limit must be enforced while reading
      res.writeHead(200, { 'Transfer-Encoding': 'chunked' });
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1024, 0x62));
      return res.end();
    }
    if (req.url === '/files/slow') return; // never answers
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not here');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;

  s3Dir = tempDir('gmr-s3-');
  s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: 'mail-files' }] });
  const addr = await s3.run();
  s3Endpoint = `http://127.0.0.1:${addr.port}`;
  const client = new S3Client({
    endpoint: s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new PutObjectCommand({ Bucket: 'mail-files', Key: 'invoices/inv-42.pdf', Body: PDF, ContentType: 'application/pdf' }));
  client.destroy();
});

afterAll(async () => {
  await smtp.close();
  web.closeAllConnections();
  await new Promise<void>((resolve) => web.close(() => resolve()));
  await s3.close();
  fs.rmSync(s3Dir, { recursive: true, force: true });
});

afterEach(async () => {
  await f?.stop();
  f = null;
  smtp.messages.length = 0;
  smtp.attempts.length = 0;
});

async function relayWithAccount(maxBytes = 1024 * 1024, timeoutMs = 2000): Promise<DeliveryFixture> {
  const fx = await startDeliveryRelay({
    attachments: {
      timeoutMs,
      maxBytes,
      // the test's file server listens on 127.0.0.1
      allowPrivateNetworks: true,
      s3: { endpoint: s3Endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true },
    },
  });
  await fx.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
  return fx;
}

describe('dispatch: message building', () => {
  it('builds headers, keeps Bcc in the envelope only, and uses return_path as envelope sender', async () => {
    f = await relayWithAccount();
    await f.enqueue([
      {
        id: 'm',
        account_id: 'acc',
        from: 'Jürgen Müller <juergen@example.com>',
        to: ['Ada <ada@example.com>'],
        cc: ['cc@example.com'],
        bcc: ['secret-bcc@example.com'],
        reply_to: 'replies@example.com',
        return_path: 'bounces@example.com',
        subject: 'Grüße — résumé ✓',
        message_id: 'custom-id-1@example.com',
        headers: { 'X-Campaign': 'spring', 'X-Note': 'naïve' },
        content_type: 'html',
        body: '<p>Hello <b>Ada</b></p><p><a href="https://example.com/x">Open</a></p>',
      },
    ]);
    const rec = await f.waitState('m', 'sent');
    expect(rec.smtp_message_id).toBe('<custom-id-1@example.com>');
    const got = smtp.messages[0];
    expect(got.from).toBe('bounces@example.com');
    expect(got.to).toEqual(['ada@example.com', 'cc@example.com', 'secret-bcc@example.com']);
    expect(got.raw).not.toMatch(/secret-bcc/);
    expect(got.raw).not.toMatch(/^bcc:/im);
    // encoded words, never raw 8-bit, in headers
    const headerBlock = got.raw.split('\r\n\r\n')[0];
    expect(headerBlock).toMatch(/=\?UTF-8\?/i);

    const parsed = await simpleParser(got.raw);
    expect(parsed.subject).toBe('Grüße — résumé ✓');
    expect(parsed.from?.value[0]).toEqual({ name: 'Jürgen Müller', address: 'juergen@example.com' });
    expect(parsed.replyTo?.value[0].address).toBe('replies@example.com');
    expect(parsed.messageId).toBe('<custom-id-1@example.com>');
    expect(parsed.headers.get('x-campaign')).toBe('spring');
    expect(headerBlock).toContain('X-Note: =?UTF-8?Q?na=C3=AFve?=');
    expect(parsed.html).toContain('<b>Ada</b>');
    expect(parsed.text).toContain('Hello Ada');
    expect(parsed.text).toContain('Open (https://example.com/x)');
  });

  it('sends a plain body as text only', async () => {
    f = await relayWithAccount();
    await f.enqueue([{ id: 'plain', account_id: 'acc', body: 'just text', content_type: 'plain' }]);
    await f.waitState('plain', 'sent');
    const parsed = await simpleParser(smtp.messages[0].raw);
    expect(parsed.text?.trim()).toBe('just text');
    expect(parsed.html).toBe(false);
  });

  it('gives a message without message_id a unique Message-ID at the sender domain, and unique boundaries', async () => {
    f = await relayWithAccount();
    const html = { account_id: 'acc', from: 'app@sender.example', content_type: 'html', body: '<p>hi</p>' };
    await f.enqueue([{ id: 'g1', ...html }, { id: 'g2', ...html }]);
    const [a, b] = [await f.waitState('g1', 'sent'), await f.waitState('g2', 'sent')];
    expect(a.smtp_message_id).toMatch(/^<[0-9a-f-]{36}@sender\.example>$/);
    expect(b.smtp_message_id).not.toBe(a.smtp_message_id);
    const boundaries = await Promise.all(
      smtp.messages.map(async (m) => {
        expect((await simpleParser(m.raw)).messageId).toMatch(/@sender\.example>$/);
        return /boundary="?([^";\r\n]+)/.exec(m.raw)?.[1];
      }),
    );
    expect(boundaries[0]).toBeTruthy();
    expect(boundaries[0]).not.toBe(boundaries[1]);
  });

  it('refuses header values with line breaks (defensively, after the API) as a message error', async () => {
    f = await relayWithAccount();
    await f.enqueue([
      { id: 'inj1', account_id: 'acc', subject: 'hi\r\nBcc: victim@example.com' },
      { id: 'inj2', account_id: 'acc', headers: { 'X-Evil': 'a\nb' } },
      { id: 'inj3', account_id: 'acc', headers: { Bcc: 'hidden@example.com' } },
      { id: 'inj4', account_id: 'acc', to: ['not an address'] },
    ]);
    expect((await f.waitState('inj1', 'error')).error).toBe('subject contains a line break');
    expect((await f.waitState('inj2', 'error')).error).toBe("header 'X-Evil' contains a line break");
    expect((await f.waitState('inj3', 'error')).error).toBe("header 'Bcc' cannot be set as a custom header");
    expect((await f.waitState('inj4', 'error')).error).toBe('the message has no recipient');
    expect(smtp.attempts).toHaveLength(0);
  });
});

describe('dispatch: attachments', () => {
  it('attaches base64 content, a URL and an S3 object', async () => {
    f = await relayWithAccount();
    await f.enqueue([
      {
        id: 'att',
        account_id: 'acc',
        attachments: [
          { filename: 'hello.txt', content: Buffer.from('hello attachment').toString('base64') },
          { url: `${webUrl}/files/report.pdf` },
          { s3: { bucket: 'mail-files', key: 'invoices/inv-42.pdf' }, content_type: 'application/pdf' },
          { filename: 'logo.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'), cid: 'logo@x' },
        ],
      },
    ]);
    await f.waitState('att', 'sent');
    const parsed = await simpleParser(smtp.messages[0].raw);
    const byName = Object.fromEntries(parsed.attachments.map((a) => [a.filename, a]));
    expect(byName['hello.txt'].content.toString()).toBe('hello attachment');
    expect(byName['report.pdf'].content.equals(PDF)).toBe(true);
    expect(byName['report.pdf'].contentType).toBe('application/pdf');
    expect(byName['inv-42.pdf'].content.equals(PDF)).toBe(true);
    expect(byName['logo.png'].cid).toBe('logo@x');
  });

  it('fails the message with a clear reason when an attachment cannot be obtained', async () => {
    f = await relayWithAccount(2048, 800);
    await f.enqueue([
      { id: 'a404', account_id: 'acc', attachments: [{ url: `${webUrl}/files/missing.pdf` }] },
      { id: 'afile', account_id: 'acc', attachments: [{ url: 'file:///etc/passwd' }] },
      { id: 'abig', account_id: 'acc', attachments: [{ url: `${webUrl}/files/big.bin` }] },
      { id: 'astream', account_id: 'acc', attachments: [{ url: `${webUrl}/files/stream-big` }] },
      { id: 'aslow', account_id: 'acc', attachments: [{ url: `${webUrl}/files/slow` }] },
      { id: 's3missing', account_id: 'acc', attachments: [{ s3: { bucket: 'mail-files', key: 'nope.pdf' } }] },
      { id: 'b64', account_id: 'acc', attachments: [{ filename: 'x.bin', content: '***not base64***' }] },
      { id: 'none', account_id: 'acc', attachments: [{ filename: 'x.bin' }] },
    ]);
    const err = async (id: string) => (await f!.waitState(id, 'error')).error;
    expect(await err('a404')).toBe(`attachment 1 (${webUrl}/files/missing.pdf): HTTP 404 Not Found`);
    expect(await err('afile')).toBe("attachment 1: only http and https URLs are fetched, not 'file:'");
    expect(await err('abig')).toBe(`attachment 1 (${webUrl}/files/big.bin): 4096 bytes exceed the size limit of 2048 bytes`);
    expect(await err('astream')).toBe(`attachment 1 (${webUrl}/files/stream-big): more than 2048 bytes (size limit)`);
    expect(await err('aslow')).toBe(`attachment 1 (${webUrl}/files/slow): no answer within 800 ms`);
    expect(await err('s3missing')).toBe('attachment 1 (s3://mail-files/nope.pdf): object not found');
    expect(await err('b64')).toBe("attachment 1 'x.bin': content is not valid base64");
    expect(await err('none')).toBe("attachment 1 'x.bin': give exactly one of content, url, s3 or storage_path");
    expect(smtp.attempts).toHaveLength(0);
    const ev = (await f.timeline('a404')).find((e) => e.type === 'error');
    expect(ev?.detail?.error).toContain('HTTP 404');
  });
});
