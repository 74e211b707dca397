import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

// 1x1 transparent PNG
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n% test attachment\n');

interface Summary {
  id: number;
  subject: string;
  from: string;
  to: string[];
  cc: string[];
  attachments: number;
  read: boolean;
  mailbox: string | null;
  size: number;
}
interface Detail extends Summary {
  headers: { key: string; value: string }[];
  text: string | null;
  html: string | null;
  attachments: never;
}
interface ListPage {
  items: Summary[];
  next_cursor: string | null;
  total: number;
  unread: number;
}

describe('captured mail API', () => {
  let t: TestRelay;
  let smtp: Transporter;

  const send = async (mail: SendMailOptions, auth?: { user: string; pass: string }) => {
    const tr = auth ? nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true, auth }) : smtp;
    const info = await tr.sendMail(mail);
    return Number(/captured as (\d+)/.exec(String(info.response))![1]);
  };
  const json = async <T>(p: string, init?: RequestInit & { json?: unknown }) => {
    const res = await t.api(p, init);
    return { status: res.status, body: (await res.json()) as T, res };
  };

  beforeAll(async () => {
    t = await startTestRelay();
    smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.relay.addresses().smtp.port, ignoreTLS: true });
  });
  afterAll(async () => {
    smtp.close();
    await t.stop();
  });

  it('captures HTML + text + inline image + attachment and shows every view', async () => {
    const id = await send({
      from: '"Shop Ltd" <shop@example.com>',
      to: ['"Ann, Smith" <ann@example.org>', 'bob@example.org'],
      cc: 'carol@example.org',
      subject: 'Your invoice №42 — thanks',
      text: 'Plain version of the invoice',
      html: '<h1>Invoice</h1><p>Total <b>€10</b></p><img src="cid:logo@shop">',
      headers: { 'X-Campaign': 'spring' },
      attachments: [
        { filename: 'logo.png', content: PNG, cid: 'logo@shop', contentType: 'image/png' },
        { filename: 'invoice.pdf', content: PDF, contentType: 'application/pdf' },
      ],
    });

    const list = await json<ListPage>('/api/captured');
    expect(list.status).toBe(200);
    const row = list.body.items.find((i) => i.id === id)!;
    expect(row).toMatchObject({
      subject: 'Your invoice №42 — thanks',
      from: 'Shop Ltd <shop@example.com>',
      to: ['Ann, Smith <ann@example.org>', 'bob@example.org'],
      attachments: 1,
      read: false,
    });
    expect(row).not.toHaveProperty('raw');
    expect(list.body.unread).toBeGreaterThanOrEqual(1);

    const detail = await json<Detail & { attachments: { index: number; filename: string; content_type: string; size: number; cid: string | null; inline: boolean }[] }>(
      `/api/captured/${id}`,
    );
    expect(detail.status).toBe(200);
    const d = detail.body;
    expect(d.text?.trim()).toBe('Plain version of the invoice');
    expect(d.html).toContain('src="cid:logo@shop"');
    expect(d.headers.find((h) => h.key === 'Subject')!.value).toBe('Your invoice №42 — thanks');
    expect(d.headers.find((h) => h.key === 'X-Campaign')!.value).toBe('spring');
    expect(d.cc).toEqual(['carol@example.org']);
    expect(d.read).toBe(true);
    expect(d.attachments).toEqual([
      { index: 0, filename: 'logo.png', content_type: 'image/png', size: PNG.length, cid: 'logo@shop', inline: true },
      { index: 1, filename: 'invoice.pdf', content_type: 'application/pdf', size: PDF.length, cid: null, inline: false },
    ]);
    expect((await t.relay.store.captured.get(id))!.read).toBe(true);

    const raw = await t.api(`/api/captured/${id}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(raw.headers.get('content-disposition')).toBe(`attachment; filename="captured-${id}.eml"`);
    expect(Buffer.from(await raw.arrayBuffer()).equals((await t.relay.store.captured.raw(id))!)).toBe(true);

    const pdf = await t.api(`/api/captured/${id}/attachments/1`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe('attachment; filename="invoice.pdf"');
    expect(pdf.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF)).toBe(true);

    const img = await t.api(`/api/captured/${id}/attachments/0?inline=1`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-disposition')).toBe('inline; filename="logo.png"');
    expect(Buffer.from(await img.arrayBuffer()).equals(PNG)).toBe(true);

    const html = await t.api(`/api/captured/${id}/html`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = html.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('sandbox');
    expect(csp).not.toContain('script-src');
    expect(csp).not.toContain('https:');
    expect(await html.text()).toContain('src="data:image/png;base64,');
    expect((await t.api(`/api/captured/${id}/html?remote=1`)).headers.get('content-security-policy')).toContain('https:');

    expect((await t.api(`/api/captured/${id}/attachments/2`)).status).toBe(404);
    expect((await t.api(`/api/captured/${id}/attachments/x`)).status).toBe(404);
  });

  it('takes the token in a header only, never as ?token= (not even on the download routes)', async () => {
    const id = await send({ from: 'a@example.com', to: 'b@example.com', subject: 'tok', text: 'x' });
    expect((await fetch(`${t.url}/api/captured/${id}/raw`, { headers: { 'X-API-Token': t.token } })).status).toBe(200);
    expect((await fetch(`${t.url}/api/captured/${id}/raw`)).status).toBe(401);
    for (const path of ['raw', 'html', 'attachments/0']) {
      const res = await fetch(`${t.url}/api/captured/${id}/${path}?token=${t.token}`);
      expect(res.status, path).toBe(401);
    }
    expect((await fetch(`${t.url}/api/captured/${id}?token=${t.token}`)).status).toBe(401);
    const bearer = await fetch(`${t.url}/api/captured/${id}`, { headers: { Authorization: `Bearer ${t.token}` } });
    expect(bearer.status).toBe(200);
  });

  it('answers 404 for unknown or malformed ids, 422 for bad paging', async () => {
    for (const p of ['/api/captured/999999', '/api/captured/abc', '/api/captured/0', '/api/captured/999999/raw', '/api/captured/-1/html']) {
      const r = await json<{ error: { code: string } }>(p);
      expect(r.status, p).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
    expect((await t.api('/api/captured/999999', { method: 'DELETE' })).status).toBe(404);
    const bad = await json<{ error: { code: string; message: string } }>('/api/captured?limit=0');
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain('limit');
    // a nonsense cursor is ignored rather than failing
    expect((await t.api('/api/captured?cursor=%%%')).status).toBe(200);
  });

  it('searches subject, addresses and text, with operators, and pages newest first', async () => {
    await t.api('/api/captured', { method: 'DELETE' });
    const ids: number[] = [];
    ids.push(await send({ from: 'alice@alpha.test', to: 'zed@omega.test', subject: 'Quarterly report', text: 'numbers are up' }));
    ids.push(await send({ from: 'bob@beta.test', to: 'zed@omega.test', subject: 'Lunch?', text: 'the quarterly pizza' }));
    ids.push(await send({ from: 'Carol Café <carol@gamma.test>', to: 'yan@omega.test', subject: 'Rendez-vous', text: 'à bientôt' }));
    ids.push(
      await send(
        { from: 'dan@delta.test', to: 'yan@omega.test', subject: 'With file', text: 'see attached', attachments: [{ filename: 'a.txt', content: 'x' }] },
        { user: 'team-blue', pass: 'p' },
      ),
    );
    const q = async (query: string) =>
      (await json<ListPage>(`/api/captured?q=${encodeURIComponent(query)}`)).body.items.map((i) => i.id);

    expect(await q('quarterly')).toEqual([ids[1], ids[0]]);
    expect(await q('subject:quarterly')).toEqual([ids[0]]);
    expect(await q('quart')).toEqual([ids[1], ids[0]]);
    expect(await q('pizza quarterly')).toEqual([ids[1]]);
    expect(await q('"quarterly pizza"')).toEqual([ids[1]]);
    expect(await q('"pizza quarterly"')).toEqual([]);
    expect(await q('bob@beta.test')).toEqual([ids[1]]);
    expect(await q('from:alice')).toEqual([ids[0]]);
    expect(await q('to:yan@omega.test')).toEqual([ids[3], ids[2]]);
    expect(await q('cafe')).toEqual([ids[2]]);
    expect(await q('bientot')).toEqual([ids[2]]);
    expect(await q('mailbox:team-blue')).toEqual([ids[3]]);
    expect(await q('has:attachment')).toEqual([ids[3]]);
    expect(await q('is:unread omega')).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    expect(await q('nothing-like-this')).toEqual([]);
    expect(await q('@@@ ---')).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    expect(await q('"unbalanced')).toEqual([]);
    expect(await q('x')).toEqual([]);

    // keyset pages, with and without a search
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: ListPage = (await json<ListPage>(`/api/captured?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body;
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const p1 = (await json<ListPage>('/api/captured?q=omega&limit=2')).body;
    expect(p1.items.map((i) => i.id)).toEqual([ids[3], ids[2]]);
    const p2 = (await json<ListPage>(`/api/captured?q=omega&limit=2&cursor=${p1.next_cursor}`)).body;
    expect(p2.items.map((i) => i.id)).toEqual([ids[1], ids[0]]);
    expect(p2.next_cursor).toBeNull();
  });

  it('deletes one and all, from the list and from search', async () => {
    const a = await send({ from: 'a@example.com', to: 'b@example.com', subject: 'keepme', text: 'zebra' });
    const b = await send({ from: 'a@example.com', to: 'b@example.com', subject: 'dropme', text: 'zebra' });
    const del = await json<{ ok: boolean }>(`/api/captured/${b}`, { method: 'DELETE' });
    expect(del.body).toEqual({ ok: true });
    expect((await t.api(`/api/captured/${b}`)).status).toBe(404);
    expect(await t.relay.store.captured.raw(b)).toBeNull();
    expect((await json<ListPage>('/api/captured?q=zebra')).body.items.map((i) => i.id)).toEqual([a]);

    const all = await json<{ ok: boolean; removed: number }>('/api/captured', { method: 'DELETE' });
    expect(all.body.ok).toBe(true);
    expect(all.body.removed).toBeGreaterThanOrEqual(1);
    const after = (await json<ListPage>('/api/captured')).body;
    expect(after).toMatchObject({ items: [], next_cursor: null, total: 0, unread: 0 });
    expect((await json<ListPage>('/api/captured?q=zebra')).body.items).toEqual([]);
    // ids are never reused after a delete-all
    const c = await send({ from: 'a@example.com', to: 'b@example.com', subject: 'new', text: 'zebra' });
    expect(c).toBeGreaterThan(b);
    expect((await json<ListPage>('/api/captured?q=zebra')).body.items.map((i) => i.id)).toEqual([c]);
  });

  it('deletes only what a search matches, or only the ids given, never everything (#20.2)', async () => {
    await t.api('/api/captured', { method: 'DELETE' });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send({ from: 'a@example.com', to: 'b@example.com', subject: i < 2 ? `invoice ${i}` : `newsletter ${i}`, text: 'x' }));
    const bySearch = await json<{ ok: boolean; removed: number }>('/api/captured?q=invoice', { method: 'DELETE' });
    expect(bySearch.body).toEqual({ ok: true, removed: 2 });
    expect((await json<ListPage>('/api/captured')).body.items.map((i) => i.id)).toEqual([ids[4], ids[3], ids[2]]);

    const byIds = await json<{ ok: boolean; removed: number }>(`/api/captured?ids=${ids[4]},${ids[2]},${ids[0]}`, { method: 'DELETE' });
    expect(byIds.body).toEqual({ ok: true, removed: 2 });
    expect((await json<ListPage>('/api/captured')).body.items.map((i) => i.id)).toEqual([ids[3]]);
    expect((await json<{ ok: boolean; removed: number }>('/api/captured?q=nomatchanywhere', { method: 'DELETE' })).body.removed).toBe(0);
    expect((await json<ListPage>('/api/captured')).body.total).toBe(1);
  });

  it('refuses malformed ids with a 422 naming the field, deleting nothing', async () => {
    const kept = await send({ from: 'a@example.com', to: 'b@example.com', subject: 'kept', text: 'x' });
    for (const bad of ['abc', '1,,2', '-1', '1;2', Array.from({ length: 1001 }, (_, i) => i + 1).join(',')]) {
      const res = await json<{ error: { code: string; message: string } }>(`/api/captured?ids=${encodeURIComponent(bad)}`, { method: 'DELETE' });
      expect(res.status, bad).toBe(422);
      expect(res.body.error.message, bad).toContain('ids');
    }
    expect((await t.api(`/api/captured/${kept}`)).status).toBe(200);
  });

  it('describes its routes in /openapi.json', async () => {
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of ['/api/captured', '/api/captured/{id}', '/api/captured/{id}/raw', '/api/captured/{id}/attachments/{index}', '/api/captured/{id}/release', '/api/events', '/api/send']) {
      expect(doc.paths, p).toHaveProperty([p]);
    }
  });
});
