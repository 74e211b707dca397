import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../support/relay/test-relay.js';

let t: TestRelay;

beforeAll(async () => {
  t = await startTestRelay();
  await t.relay.ctx.settings.update({ paused: true });
  await t.api('/account', { method: 'POST', json: { id: 'a1', host: '127.0.0.1', port: 2525 } });
  await t.api('/account', { method: 'POST', json: { id: 'a2', host: '127.0.0.1', port: 2526 } });
  const messages = Array.from({ length: 120 }, (_, i) => ({
    id: `m-${String(i).padStart(3, '0')}`,
    account_id: i % 2 ? 'a1' : 'a2',
    from: 'sender@example.com',
    to: [`user${i}@example.com`],
    subject: i === 7 ? 'Invoice 100% ready' : `Hello ${i}`,
    body: 'x',
  }));
  const r = await t.api('/commands/add-messages', { method: 'POST', json: { messages } });
  expect((await r.json()).queued).toBe(120);
});
afterAll(() => t.stop());

describe('/api/messages', () => {
  it('pages newest first with a cursor until the end', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: Response = await t.api(`/api/messages?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      const page = (await r.json()) as { items: { id: string; payload?: unknown }[]; next_cursor: string | null };
      expect(page.items[0]).not.toHaveProperty('payload');
      seen.push(...page.items.map((m) => m.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.length).toBe(120);
    expect(seen[0]).toBe('m-119');
    expect(new Set(seen).size).toBe(120);
  });

  it('filters by state, account and text (LIKE wildcards are literal)', async () => {
    const a1 = await (await t.api('/api/messages?account_id=a1&limit=500')).json();
    expect(a1.items.length).toBe(60);
    const queued = await (await t.api('/api/messages?state=queued&limit=1')).json();
    expect(queued.items[0].state).toBe('queued');
    const q = await (await t.api(`/api/messages?q=${encodeURIComponent('100%')}`)).json();
    expect(q.items.map((m: { id: string }) => m.id)).toEqual(['m-007']);
    const byAddr = await (await t.api('/api/messages?q=user11@')).json();
    expect(byAddr.items.map((m: { id: string }) => m.id)).toEqual(['m-011']);
  });

  it('rejects bad filters with 422 naming the parameter', async () => {
    for (const [qs, field] of [
      ['state=lost', 'state'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
    ]) {
      const r = await t.api(`/api/messages?${qs}`);
      expect(r.status).toBe(422);
      const body = await r.json();
      expect(body.error.code).toBe('validation_error');
      expect(body.error.fields[0].field).toBe(field);
    }
  });

  it('shows one message with its timeline, 404 for unknown ids', async () => {
    const r = await t.api('/api/messages/m-005');
    const body = await r.json();
    expect(body.message.id).toBe('m-005');
    expect(body.message.payload.subject).toBe('Hello 5');
    expect(body.timeline[0]).toMatchObject({ type: 'queued', state: 'queued', message_id: 'm-005' });
    const missing = await t.api('/api/messages/nope');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
  });

  it('deletes one message', async () => {
    expect((await t.api('/api/messages/m-000', { method: 'DELETE' })).status).toBe(200);
    expect((await t.api('/api/messages/m-000', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('/api/settings and /api/stats', () => {
  it('reads and patches settings, hiding secrets', async () => {
    const s = await (await t.api('/api/settings')).json();
    expect(s.delivery_mode).toBe('sandbox');
    expect(s.smtp.port).toBeGreaterThan(0);
    const r = await t.api('/api/settings', {
      method: 'PATCH',
      json: { delivery_mode: 'real', client_sync_url: 'http://127.0.0.1:9/sync', client_sync_password: 'pw' },
    });
    const after = await r.json();
    expect(after.delivery_mode).toBe('real');
    expect(after.client_sync_password_set).toBe(true);
    expect(JSON.stringify(after)).not.toContain('"pw"');
    expect((await t.relay.store.settings.get<Record<string, unknown>>('runtime'))?.delivery_mode).toBe('real');
    await t.api('/api/settings', { method: 'PATCH', json: { delivery_mode: 'sandbox' } });
  });

  it('rejects invalid settings with 422 naming the field, changing nothing', async () => {
    for (const [body, field] of [
      [{ delivery_mode: 'live' }, 'delivery_mode'],
      [{ paused: 'yes' }, 'paused'],
      [{ client_sync_url: 'ftp://x' }, 'client_sync_url'],
      [{ retention_seconds: -5 }, 'retention_seconds'],
    ] as const) {
      const r = await t.api('/api/settings', { method: 'PATCH', json: body });
      expect(r.status).toBe(422);
      expect((await r.json()).error.fields[0].field).toBe(field);
    }
    const unknown = await t.api('/api/settings', { method: 'PATCH', json: { colour: 'red' } });
    expect(unknown.status).toBe(422);
    expect((await (await t.api('/api/settings')).json()).delivery_mode).toBe('sandbox');
  });

  it('counts by state and per account', async () => {
    const s = await (await t.api('/api/stats')).json();
    expect(s.counts.queued).toBe(119);
    const a1 = s.accounts.find((a: { account_id: string }) => a.account_id === 'a1');
    expect(a1.counts.queued).toBe(60);
  });

  it('serves an OpenAPI document covering both APIs', async () => {
    const doc = await (await fetch(`${t.url}/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/commands/add-messages', '/account', '/api/messages', '/api/settings', '/api/stats']) expect(doc.paths).toHaveProperty(p);
  });

  it('names what a union or record-key field expected in a 422', async () => {
    const send = await t.api('/api/send', {
      method: 'POST',
      json: { from: 'a@example.com', to: 'not an address', subject: 's', body_text: 'x', headers: { 'Bad Name': 'v' } },
    });
    expect(send.status).toBe(422);
    expect((await send.json()).error.fields).toEqual([
      { field: 'to', message: 'must be an e-mail address' },
      { field: 'headers.Bad Name', message: 'must be a header name' },
    ]);
    const release = await t.api('/api/captured/1/release', { method: 'POST', json: { account_id: 'a1', priority: 'soon' } });
    expect(release.status).toBe(422);
    expect((await release.json()).error.fields).toEqual([{ field: 'priority', message: 'Invalid option: expected one of "immediate"|"high"|"medium"|"low"' }]);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await t.api('/api/nothing-here');
    expect(r.status).toBe(404);
    expect((await r.json()).error.code).toBe('not_found');
  });
});
