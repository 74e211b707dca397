import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

interface ListPage {
  items: { id: number; subject: string; read: boolean }[];
  total: number;
  unread: number;
}

describe('PUT /api/captured/read', () => {
  let t: TestRelay;
  let smtp: Transporter;
  const ids: Record<string, number> = {};

  const send = async (subject: string) => {
    const info = await smtp.sendMail({ from: 'app@example.com', to: 'someone@example.org', subject, text: `Body of ${subject}` });
    ids[subject] = Number(/captured as (\d+)/.exec(String(info.response))![1]);
  };
  const put = (json: unknown) => t.api('/api/captured/read', { method: 'PUT', json });
  const readFlags = async (q = '') => {
    const page = (await (await t.api(`/api/captured${q ? `?q=${encodeURIComponent(q)}` : ''}`)).json()) as ListPage;
    return { unread: page.unread, flags: Object.fromEntries(page.items.map((c) => [c.subject, c.read])) };
  };

  beforeAll(async () => {
    t = await startTestRelay();
    smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
    for (const s of ['invoice one', 'invoice two', 'newsletter']) await send(s);
  });
  afterAll(async () => {
    smtp.close();
    await t.stop();
  });

  it('marks the ids given read, then unread again', async () => {
    const res = await put({ read: true, ids: [ids['invoice one'], ids['newsletter']] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(await readFlags()).toEqual({ unread: 1, flags: { 'invoice one': true, 'invoice two': false, newsletter: true } });

    expect((await put({ read: false, ids: [ids['newsletter']] })).status).toBe(200);
    expect((await readFlags()).flags.newsletter).toBe(false);
  });

  it('marks what a search matches, and everything without ids or q ("mark all read")', async () => {
    expect((await put({ read: true, q: 'invoice' })).status).toBe(200);
    expect(await readFlags()).toEqual({ unread: 1, flags: { 'invoice one': true, 'invoice two': true, newsletter: false } });
    expect((await put({ read: true })).status).toBe(200);
    expect((await readFlags()).unread).toBe(0);
    expect((await put({ read: false })).status).toBe(200);
    expect((await readFlags()).unread).toBe(3);
  });

  it('refuses bad bodies with a 4xx naming the field, and changes nothing', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ ids: [1] }, 422, /read/],
      [{ read: 'yes' }, 422, /read/],
      // an empty list is not "all"
      [{ read: true, ids: [] }, 422, /ids/],
      [{ read: true, ids: [0] }, 422, /ids/],
      [{ read: true, ids: ['1'] }, 422, /ids/],
      [{ read: true, ids: Array.from({ length: 1001 }, (_, i) => i + 1) }, 422, /ids/],
      [{ read: true, mailbox: 'x' }, 422, /mailbox/],
      [{ read: true, ids: [ids['newsletter']], q: 'invoice' }, 400, /either IDs or a search/],
    ];
    for (const [body, status, message] of cases) {
      const res = await put(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(await res.json()), JSON.stringify(body)).toMatch(message);
    }
    const raw = await t.api('/api/captured/read', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"read": tr' });
    expect(raw.status).toBe(400);
    expect((await readFlags()).unread).toBe(3);
  });

  it('answers unknown ids without failing (they may have been deleted meanwhile)', async () => {
    expect((await put({ read: true, ids: [999_999] })).status).toBe(200);
  });

  it('is the admin token’s: no token is 401', async () => {
    const res = await fetch(`${t.url}/api/captured/read`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"read":true}' });
    expect(res.status).toBe(401);
    expect((await readFlags()).unread).toBe(3);
  });
});
