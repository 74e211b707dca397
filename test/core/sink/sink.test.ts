import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../support/relay/test-relay.js';
import { createSink } from '../../../src/core/sink/sink.js';
import { SmtpWire } from '../../support/smtp/smtp-wire.js';
import { waitFor } from '../../support/common/wait.js';

const MAX_SIZE = 64 * 1024;

function transport(port: number, opts: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    tls: { rejectUnauthorized: false },
    ...opts,
  });
}

describe('sandbox SMTP sink', () => {
  let t: TestRelay;
  let port: number;
  const rejections: string[] = [];

  beforeAll(async () => {
    t = await startTestRelay({ sink: { maxSize: MAX_SIZE, maxClients: 50 } });
    port = t.relay.addresses().smtp.port;
    t.relay.ctx.bus.on('sink.rejected', (r) => rejections.push(r.reason));
  });
  afterAll(async () => {
    await t.stop();
  });

  const count = async () => (await t.relay.store.captured.counts()).total;

  it('binds a free port when configured with 0 and answers DATA with the captured id', async () => {
    expect(port).toBeGreaterThan(0);
    const announced: number[] = [];
    const onCaptured = (c: { id: number }) => announced.push(c.id);
    t.relay.ctx.bus.on('captured', onCaptured);
    const info = await transport(port).sendMail({ from: 'app@example.com', to: 'user@example.org', subject: 'hello', text: 'hi there' });
    t.relay.ctx.bus.off('captured', onCaptured);
    const m = /captured as (\d+)/.exec(info.response);
    expect(m).not.toBeNull();
    const id = Number(m![1]);
    expect(announced).toEqual([id]);
    const c = (await t.relay.store.captured.get(id))!;
    expect(c).toMatchObject({ mail_from: 'app@example.com', rcpt_to: ['user@example.org'], subject: 'hello', mailbox: null, preview: 'hi there' });
    expect((await t.relay.store.captured.raw(id))!.toString()).toContain('hi there');
  });

  it('accepts optional AUTH with any credentials and tags the mailbox with the username', async () => {
    const info = await transport(port, { auth: { user: 'project-x', pass: 'anything' } }).sendMail({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'tagged',
      text: 'x',
    });
    const id = Number(/captured as (\d+)/.exec(info.response)![1]);
    expect((await t.relay.store.captured.get(id))!.mailbox).toBe('project-x');
  });

  it('offers STARTTLS with the certificate generated into the data directory', async () => {
    const certPem = fs.readFileSync(path.join(t.dataDir, 'sink-tls', 'cert.pem'), 'utf8');
    const { wire } = await SmtpWire.connect(port);
    const ehlo = await wire.cmd('EHLO client.test');
    expect(ehlo!.text).toContain('STARTTLS');
    expect(ehlo!.text).toContain(`SIZE ${MAX_SIZE}`);
    expect(ehlo!.text).toContain('SMTPUTF8');
    expect(ehlo!.text).toContain('8BITMIME');
    expect((await wire.cmd('STARTTLS'))!.code).toBe(220);
    const peer = await wire.upgrade();
    expect(peer.fingerprint256).toBe(new crypto.X509Certificate(certPem).fingerprint256);
    expect((await wire.cmd('EHLO client.test'))!.code).toBe(250);
    await wire.quit();

    const info = await transport(port, { requireTLS: true }).sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'tls', text: 'x' });
    const id = Number(/captured as (\d+)/.exec(info.response)![1]);
    expect((await t.relay.store.captured.get(id))!.tls).toBe(true);
  });

  it('answers malformed commands with the right codes and keeps the session usable', async () => {
    const { wire, greeting } = await SmtpWire.connect(port);
    expect(greeting!.code).toBe(220);
    expect((await wire.cmd('FOO bar'))!.code).toBe(500);
    expect((await wire.cmd('EHLO client.test'))!.code).toBe(250);
    expect((await wire.cmd('MAIL FROM:bogus'))!.code).toBe(501);
    expect((await wire.cmd('RCPT TO:<x@example.com>'))!.code).toBe(503);
    expect((await wire.cmd('DATA'))!.code).toBe(503);
    expect((await wire.cmd('MAIL FROM:<a@example.com> SMTPUTF8=yes'))!.code).toBeGreaterThanOrEqual(500);
    expect((await wire.cmd('MAIL FROM:<a@example.com>'))!.code).toBe(250);
    expect((await wire.cmd('RCPT TO:<x@example.com>'))!.code).toBe(250);
    expect((await wire.cmd('DATA'))!.code).toBe(354);
    const done = await wire.cmd('Subject: after errors\r\n\r\nstill works\r\n.');
    expect(done!.text).toMatch(/^250 .*captured as \d+/);
    await wire.quit();
  });

  it('drops a client that sends only garbage, without affecting others', async () => {
    const { wire } = await SmtpWire.connect(port);
    let last: number | undefined;
    for (let i = 0; i < 30; i++) {
      const r = await wire.cmd(`GARBAGE ${i}`);
      if (!r) break;
      last = r.code;
    }
    await wire.closed;
    expect(last === undefined || last >= 400).toBe(true);
    const info = await transport(port).sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'others fine', text: 'x' });
    expect(info.response).toMatch(/captured as/);
  });

  it('captures SMTPUTF8 and 8BITMIME mail with 8-bit addresses and headers', async () => {
    const before = await count();
    const { wire } = await SmtpWire.connect(port);
    await wire.cmd('EHLO client.test');
    expect((await wire.cmd('MAIL FROM:<jörg@bücher.de> SMTPUTF8 BODY=8BITMIME'))!.code).toBe(250);
    expect((await wire.cmd('RCPT TO:<用户@例子.广告>'))!.code).toBe(250);
    expect((await wire.cmd('DATA'))!.code).toBe(354);
    const body = 'From: Jörg <jörg@bücher.de>\r\nTo: 用户@例子.广告\r\nSubject: Grüße 日本\r\n\r\nKörper ü\r\n.';
    const r = await wire.cmd(Buffer.from(body, 'utf8'));
    expect(r!.code).toBe(250);
    const id = Number(/captured as (\d+)/.exec(r!.text)![1]);
    await wire.quit();
    const c = (await t.relay.store.captured.get(id))!;
    expect(c.mail_from).toBe('jörg@bücher.de');
    expect(c.rcpt_to).toEqual(['用户@例子.广告']);
    expect(c.subject).toBe('Grüße 日本');
    expect(c.from).toBe('Jörg <jörg@bücher.de>');
    expect(c.preview).toBe('Körper ü');
    expect(await count()).toBe(before + 1);
    // Latin-1 bytes in a header (no SMTPUTF8) are still stored whole and summarised
    const { wire: w2 } = await SmtpWire.connect(port);
    await w2.cmd('EHLO client.test');
    await w2.cmd('MAIL FROM:<a@example.com> BODY=8BITMIME');
    await w2.cmd('RCPT TO:<b@example.com>');
    await w2.cmd('DATA');
    const latin = Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from('\r\n\r\nx\r\n.')]);
    const r2 = await w2.cmd(latin);
    expect(r2!.code).toBe(250);
    const id2 = Number(/captured as (\d+)/.exec(r2!.text)![1]);
    await w2.quit();
    expect((await t.relay.store.captured.get(id2))!.subject).toMatch(/^caf/);
  });

  it('captures broken MIME as it came', async () => {
    const raw =
      'From: a@example.com\r\nTo: b@example.com\r\nSubject: broken\r\nContent-Type: multipart/mixed; boundary="zz"\r\n\r\n' +
      '--zz\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64@@@\r\n' +
      '--zz\r\nContent-Type: application/octet-stream; name="x.bin"\r\nContent-Disposition: attachment; filename="x.bin"\r\n\r\nunterminated';
    const info = await transport(port).sendMail({ envelope: { from: 'a@example.com', to: ['b@example.com'] }, raw });
    const id = Number(/captured as (\d+)/.exec(info.response)![1]);
    const c = (await t.relay.store.captured.get(id))!;
    expect(c.subject).toBe('broken');
    expect(c.size).toBe(Buffer.byteLength(raw) + 2);
    const res = await t.api(`/api/captured/${id}`);
    expect(res.status).toBe(200);
    const detail = (await res.json()) as { subject: string; attachments: unknown[] };
    expect(detail.subject).toBe('broken');
  });

  it('refuses a 0-byte message with 554 and stores nothing', async () => {
    const before = await count();
    const { wire } = await SmtpWire.connect(port);
    await wire.cmd('EHLO client.test');
    await wire.cmd('MAIL FROM:<a@example.com>');
    await wire.cmd('RCPT TO:<b@example.com>');
    expect((await wire.cmd('DATA'))!.code).toBe(354);
    expect((await wire.cmd('.'))!.code).toBe(554);
    await wire.quit();
    expect(await count()).toBe(before);
    expect(rejections).toContain('empty');
  });

  it('captures a message with a header larger than the MIME parser accepts', async () => {
    const relay = await startTestRelay({ sink: { maxSize: 4 * 1024 * 1024 } });
    try {
      const raw = `Subject: huge header\r\nFrom: a@example.com\r\nX-Huge: ${'a'.repeat(1_500_000)}\r\nTo: b@example.com\r\n\r\nbody\r\n`;
      const info = await transport(relay.relay.addresses().smtp.port).sendMail({
        envelope: { from: 'a@example.com', to: ['b@example.com'] },
        raw,
      });
      const id = Number(/captured as (\d+)/.exec(info.response)![1]);
      const c = (await relay.relay.store.captured.get(id))!;
      expect(c.subject).toBe('huge header');
      expect(c.to).toEqual(['b@example.com']);
      expect((await relay.relay.store.captured.raw(id))!.length).toBe(c.size);
      const res = await relay.api(`/api/captured/${id}`);
      expect(res.status).toBe(200);
      const detail = (await res.json()) as { headers: { key: string; value: string }[] };
      expect(detail.headers.find((h) => h.key === 'X-Huge')!.value.length).toBeLessThan(20_000);
    } finally {
      await relay.stop();
    }
  });

  it('stores nothing when the client disconnects mid-DATA, and keeps serving', async () => {
    const before = await count();
    const { wire } = await SmtpWire.connect(port);
    await wire.cmd('EHLO client.test');
    await wire.cmd('MAIL FROM:<a@example.com>');
    await wire.cmd('RCPT TO:<b@example.com>');
    expect((await wire.cmd('DATA'))!.code).toBe(354);
    wire.write('Subject: cut short\r\n\r\n' + 'x'.repeat(10_000));
    await wire.flushed();
    wire.destroy();
    await waitFor(() => rejections.includes('disconnected'), 'disconnect rejection');
    expect(await count()).toBe(before);
    const info = await transport(port).sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'next', text: 'x' });
    expect(info.response).toMatch(/captured as/);
    expect(await count()).toBe(before + 1);
  });

  it('enforces SIZE: 552 for a declared or an actual oversize message, nothing stored', async () => {
    const before = await count();
    const { wire } = await SmtpWire.connect(port);
    await wire.cmd('EHLO client.test');
    expect((await wire.cmd(`MAIL FROM:<a@example.com> SIZE=${MAX_SIZE + 1}`))!.code).toBe(552);
    await wire.quit();

    const err = await transport(port)
      .sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'big', text: 'y'.repeat(MAX_SIZE * 2) })
      .then(() => null, (e: { responseCode?: number }) => e);
    expect(err?.responseCode).toBe(552);

    // a client that does not declare SIZE and streams too much
    const { wire: w2 } = await SmtpWire.connect(port);
    await w2.cmd('EHLO client.test');
    await w2.cmd('MAIL FROM:<a@example.com>');
    await w2.cmd('RCPT TO:<b@example.com>');
    await w2.cmd('DATA');
    const r = await w2.cmd(`Subject: big\r\n\r\n${'z'.repeat(MAX_SIZE + 100)}\r\n.`);
    expect(r!.code).toBe(552);
    expect((await w2.cmd('NOOP'))!.code).toBe(250);
    await w2.quit();
    expect(await count()).toBe(before);
    expect(rejections).toContain('size');
  });

  it('captures concurrent senders, every message once', async () => {
    const before = await count();
    const pool = transport(port, { pool: true, maxConnections: 5 });
    const infos = await Promise.all(
      Array.from({ length: 100 }, (_, i) => pool.sendMail({ from: 'a@example.com', to: `r${i}@example.com`, subject: `n${i}`, text: `m${i}` })),
    );
    pool.close();
    const ids = infos.map((i) => Number(/captured as (\d+)/.exec(i.response)![1]));
    expect(new Set(ids).size).toBe(100);
    expect(await count()).toBe(before + 100);
  });
});

describe('sandbox SMTP sink client limit', () => {
  it('answers 421 above maxClients and accepts again once a client leaves', async () => {
    const t = await startTestRelay({ sink: { maxClients: 2 } });
    const port = t.relay.addresses().smtp.port;
    const reasons: string[] = [];
    t.relay.ctx.bus.on('sink.rejected', (r) => reasons.push(r.reason));
    try {
      const a = await SmtpWire.connect(port);
      const b = await SmtpWire.connect(port);
      expect(a.greeting!.code).toBe(220);
      expect(b.greeting!.code).toBe(220);
      const c = await SmtpWire.connect(port);
      expect(c.greeting!.code).toBe(421);
      await c.wire.closed;
      expect(reasons).toContain('too_many_clients');
      await a.wire.quit();
      const d = await waitFor(async () => {
        const x = await SmtpWire.connect(port);
        if (x.greeting?.code === 220) return x;
        x.wire.destroy();
        return null;
      }, 'a free client slot');
      expect((await d!.wire.cmd('EHLO again'))!.code).toBe(250);
      await d!.wire.quit();
      await b.wire.quit();
    } finally {
      await t.stop();
    }
  });

  it('keeps the certificate across restarts', async () => {
    const t = await startTestRelay();
    const certFile = path.join(t.dataDir, 'sink-tls', 'cert.pem');
    const first = fs.readFileSync(certFile, 'utf8');
    await t.stop();
    const again = await startTestRelay({}, { dataDir: t.dataDir });
    try {
      expect(fs.readFileSync(certFile, 'utf8')).toBe(first);
    } finally {
      await again.stop();
    }
  });

  it('says which address it cannot listen on', async () => {
    const blocker = await startTestRelay();
    try {
      const { ctx, store } = blocker.relay;
      const sink = createSink({ ...ctx, captured: store.captured, config: { ...ctx.config, smtpPort: blocker.relay.addresses().smtp.port } });
      await expect(sink.start()).rejects.toThrow(/sandbox SMTP sink cannot listen on 127\.0\.0\.1:\d+/);
    } finally {
      await blocker.stop();
    }
  });
});
