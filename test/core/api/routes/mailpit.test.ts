import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MailpitMessage, MailpitMessages } from '../../../../src/shared/api/mailpit.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

const PDF = Buffer.from('%PDF-1.4\n% mailpit part\n');

describe('Mailpit API v1 over HTTP', () => {
  let t: TestRelay;
  let smtp: Transporter;

  const capture = async (mail: SendMailOptions) => {
    const info = await smtp.sendMail(mail);
    return /captured as (\d+)/.exec(String(info.response))![1];
  };
  const get = async <T>(p: string, init?: RequestInit & { json?: unknown }) => {
    const res = await t.api(p, init);
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : null) as T };
  };

  beforeAll(async () => {
    t = await startTestRelay();
    smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
  });
  afterAll(async () => {
    smtp.close();
    await t.stop();
  });
  beforeEach(async () => {
    expect((await get('/api/v1/messages', { method: 'DELETE' })).text).toBe('ok');
  });

  it('lists in Mailpit shape: addresses as {Name, Address}, envelope-only recipients as Bcc, RFC 3339 Created', async () => {
    const id = await capture({
      from: 'Ann Sender <ann@example.com>',
      to: 'Bob <bob@example.org>',
      cc: 'carl@example.org',
      bcc: 'hidden@example.org',
      subject: 'hello mailpit',
      text: 'the body text',
      messageId: '<abc-1@example.com>',
    });
    const other = await capture({ from: 'x@example.com', to: 'y@example.org', subject: 'second', text: 'two' });
    const r = await get<MailpitMessages>('/api/v1/messages?limit=1&start=1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ total: 2, unread: 2, count: 1, messages_count: 2, messages_unread: 2, start: 1 });
    const [m] = r.body.messages;
    expect(m).toMatchObject({
      ID: id,
      MessageID: 'abc-1@example.com',
      Read: false,
      From: { Name: 'Ann Sender', Address: 'ann@example.com' },
      To: [{ Name: 'Bob', Address: 'bob@example.org' }],
      Cc: [{ Name: '', Address: 'carl@example.org' }],
      Bcc: [{ Name: '', Address: 'hidden@example.org' }],
      Subject: 'hello mailpit',
      Tags: [],
      Attachments: 0,
      Snippet: 'the body text',
    });
    expect(m.Created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect((await get<MailpitMessages>('/api/v1/messages')).body.messages.map((x) => x.ID)).toEqual([other, id]);
  });

  it('search: messages_count counts the matches, total the mailbox; DELETE /search removes the matches only', async () => {
    await capture({ from: 'a@example.com', to: 'b@example.org', subject: 'invoice 1', text: 'x' });
    await capture({ from: 'a@example.com', to: 'b@example.org', subject: 'invoice 2', text: 'x' });
    await capture({ from: 'c@example.com', to: 'b@example.org', subject: 'newsletter', text: 'x' });
    const r = await get<MailpitMessages>('/api/v1/search?query=subject:invoice&limit=1');
    expect(r.body).toMatchObject({ total: 3, messages_count: 2, count: 1 });
    expect((await get<MailpitMessages>('/api/v1/search?query=from:c@example.com')).body.messages.map((m) => m.Subject)).toEqual(['newsletter']);
    expect((await get<MailpitMessages>('/api/v1/search?query=is:unread')).body.messages_count).toBe(3);
    expect((await get('/api/v1/search?query=subject:invoice', { method: 'DELETE' })).text).toBe('ok');
    expect((await get<MailpitMessages>('/api/v1/messages')).body.messages.map((m) => m.Subject)).toEqual(['newsletter']);
  });

  it('message (also latest) marks it read; headers in Go canonical form; raw; part with checksums', async () => {
    const id = await capture({
      from: 'ann@example.com',
      to: 'bob@example.org',
      replyTo: 'Replies <replies@example.com>',
      subject: 'with a part',
      text: 'see attached',
      html: '<p>see attached</p>',
      messageId: '<part-1@example.com>',
      attachments: [{ filename: 'doc.pdf', content: PDF, contentType: 'application/pdf' }],
    });
    const r = await get<MailpitMessage>('/api/v1/message/latest');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      ID: id,
      MessageID: 'part-1@example.com',
      ReplyTo: [{ Name: 'Replies', Address: 'replies@example.com' }],
      ReturnPath: 'ann@example.com',
      Text: 'see attached',
      HTML: '<p>see attached</p>',
      Inline: [],
    });
    expect(r.body.Attachments).toHaveLength(1);
    const [att] = r.body.Attachments;
    expect(att).toMatchObject({ FileName: 'doc.pdf', ContentType: 'application/pdf', Size: PDF.length });
    expect(att.Checksums.SHA256).toBe((await import('node:crypto')).createHash('sha256').update(PDF).digest('hex'));
    expect((await get<MailpitMessages>('/api/v1/messages')).body.messages[0].Read).toBe(true);

    const h = await get<Record<string, string[]>>(`/api/v1/message/${id}/headers`);
    expect(h.body['Message-Id']).toEqual(['<part-1@example.com>']);
    expect(h.body['Reply-To']).toEqual(['Replies <replies@example.com>']);
    expect(h.body).not.toHaveProperty('Message-ID');

    const raw = await get(`/api/v1/message/${id}/raw`);
    expect(raw.type).toMatch(/^text\/plain/);
    expect(raw.text).toContain('Subject: with a part');

    const part = await t.api(`/api/v1/message/${id}/part/${att.PartID}`);
    expect(part.status).toBe(200);
    expect(part.headers.get('content-type')).toBe('application/pdf');
    expect(part.headers.get('content-disposition')).toMatch(/^inline; filename="doc.pdf"/);
    expect(Buffer.from(await part.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it('PUT /messages sets read/unread by IDs, by search, and for all', async () => {
    const a = await capture({ from: 'a@example.com', to: 'b@example.org', subject: 'one', text: 'x' });
    const b = await capture({ from: 'a@example.com', to: 'b@example.org', subject: 'two', text: 'x' });
    const read = async () => Object.fromEntries((await get<MailpitMessages>('/api/v1/messages')).body.messages.map((m) => [m.ID, m.Read]));
    expect((await get('/api/v1/messages', { method: 'PUT', json: { IDs: [a], Read: true } })).text).toBe('ok');
    expect(await read()).toEqual({ [a]: true, [b]: false });
    await get('/api/v1/messages', { method: 'PUT', json: { Read: true } });
    expect(await read()).toEqual({ [a]: true, [b]: true });
    await get('/api/v1/messages', { method: 'PUT', json: { Search: 'subject:two', Read: false } });
    expect(await read()).toEqual({ [a]: true, [b]: false });
    expect((await get<MailpitMessages>('/api/v1/messages')).body.unread).toBe(1);
    const both = await get('/api/v1/messages', { method: 'PUT', json: { IDs: [a], Search: 'x', Read: true } });
    expect(both.status).toBe(400);
    expect(both.text).toContain('either IDs or a search query');
  });

  it('DELETE /messages by IDs', async () => {
    const a = await capture({ from: 'a@example.com', to: 'b@example.org', subject: 'one', text: 'x' });
    const b = await capture({ from: 'a@example.com', to: 'b@example.org', subject: 'two', text: 'x' });
    expect((await get('/api/v1/messages', { method: 'DELETE', json: { IDs: [a] } })).text).toBe('ok');
    expect((await get<MailpitMessages>('/api/v1/messages')).body.messages.map((m) => m.ID)).toEqual([b]);
  });

  it('bad input: unknown ID 404 (text), bad JSON 400, bad fields 400 naming them, never a 500', async () => {
    for (const p of ['/api/v1/message/999999', '/api/v1/message/nope', '/api/v1/message/latest', '/api/v1/message/999999/headers', '/api/v1/message/999999/raw', '/api/v1/message/999999/part/0']) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.type, p).toMatch(/^text\/plain/);
    }
    const id = await capture({ from: 'a@example.com', to: 'b@example.org', subject: 'one', text: 'x' });
    expect((await get(`/api/v1/message/${id}/part/7`)).status).toBe(404);
    expect((await get(`/api/v1/message/${id}/part/x`)).status).toBe(404);
    const badJson = await t.api('/api/v1/messages', { method: 'PUT', body: '{"Read":', headers: { 'Content-Type': 'application/json' } });
    expect(badJson.status).toBe(400);
    const badRead = await get('/api/v1/messages', { method: 'PUT', json: { Read: 'yes' } });
    expect(badRead.status).toBe(400);
    expect(badRead.text).toContain('Read');
    expect((await get('/api/v1/messages?limit=many')).text).toContain('limit');
    expect((await get('/api/v1/search')).status).toBe(400);
    expect((await get('/api/v1/search?query=%20')).text).toContain('no search query');
    const noTo = await get(`/api/v1/message/${id}/release`, { method: 'POST', json: { To: [] } });
    expect(noTo.status).toBe(400);
    expect(noTo.text).toContain('No valid addresses');
    expect((await get(`/api/v1/message/${id}/release`, { method: 'POST', json: { To: ['not an address'] } })).text).toContain('Invalid email address');
    const noAccount = await get(`/api/v1/message/${id}/release`, { method: 'POST', json: { To: ['x@example.org'] } });
    expect(noAccount.status).toBe(400);
    expect(noAccount.text).toContain('no SMTP account');
    expect((await get('/api/v1/message/999999/release', { method: 'POST', json: { To: ['x@example.org'] } })).status).toBe(404);
    const badSend = await get<{ Error: string }>('/api/v1/send', { method: 'POST', json: { From: { Email: 'not-an-address' }, To: [{ Email: 'b@example.org' }], Subject: 's' } });
    expect(badSend.status).toBe(400);
    expect(badSend.body.Error).toContain('from');
  });

  it('auth: X-API-Token, Bearer, HTTP Basic with any user and the token as password; /livez and /readyz public', async () => {
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const status = async (headers: Record<string, string>) => (await fetch(`${t.url}/api/v1/info`, { headers })).status;
    expect(await status({})).toBe(401);
    expect(await status({ 'X-API-Token': t.token })).toBe(200);
    expect(await status({ Authorization: `Bearer ${t.token}` })).toBe(200);
    expect(await status({ Authorization: basic('anyone', t.token) })).toBe(200);
    expect(await status({ Authorization: basic('', t.token) })).toBe(200);
    expect(await status({ Authorization: basic(t.token, 'wrong') })).toBe(401);
    expect(await status({ Authorization: basic(t.token, '') })).toBe(401);
    expect(await status({ Authorization: 'Basic !!!' })).toBe(401);
    for (const p of ['/livez', '/readyz']) {
      const r = await fetch(`${t.url}${p}`);
      expect(r.status, p).toBe(200);
      expect(await r.text()).toBe('');
    }
  });
});
