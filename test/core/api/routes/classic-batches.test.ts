import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageKey as key } from '../../../../src/core/store/records.js';
import { Outbox, Storage, toProxyMessage, type MailSpec } from '../../../support/genropy/index.js';
import { addFinal } from '../../../support/report/final-messages.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';

let t: TestRelay;
let tenantKey: string;

const msg = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  account_id: 'acc',
  from: 'sender@example.com',
  to: ['rcpt@example.com'],
  subject: `Subject ${id}`,
  body: 'hello',
  ...extra,
});

async function add(body: unknown, token = t.token, query = '') {
  const r = await fetch(`${t.url}/commands/add-messages${query}`, {
    method: 'POST',
    headers: { 'X-API-Token': token, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** What today's Genropy sends for these outgoing rows (its converter, §1.4), for tenant `acme`. */
function genropyMessages(specs: MailSpec[]): Record<string, unknown>[] {
  const outbox = new Outbox();
  outbox.saveAccount({ id: 'acc', smtp_host: '127.0.0.1', smtp_port: 2525, save_output_message: true });
  const storage = new Storage();
  storage.put('home:docs/offer.pdf', 'pdf bytes');
  return specs.map((spec) => {
    const c = toProxyMessage(outbox.newMessage(spec, '2026-01-01'), 'acme', storage);
    if (c.kind !== 'payload') throw new Error(`not converted: ${JSON.stringify(c)}`);
    return c.message;
  });
}

beforeAll(async () => {
  t = await startTestRelay();
  await t.relay.ctx.settings.update({ paused: true });
  expect((await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } })).status).toBe(200);
  tenantKey = ((await (await t.api('/tenant', { method: 'POST', json: { id: 'acme' } })).json()) as { api_key: string }).api_key;
  const acc = await fetch(`${t.url}/account`, {
    method: 'POST',
    headers: { 'X-API-Token': tenantKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'acc', tenant_id: 'acme', name: 'Main account', host: '127.0.0.1', port: 2525, timeout: 30 }),
  });
  expect(acc.status).toBe(200);
});
afterAll(() => t.stop());

describe('add-messages: answers Genropy can read', () => {
  it('all rejected: 400 with top-level ok:false, queued:0 and rejected, and the classic detail beside', async () => {
    const r = await add({ messages: [msg('r1', { from: '' }), msg('r2', { account_id: 'ghost' }), { nonsense: true }] });
    expect(r).toEqual({
      status: 400,
      body: {
        ok: false,
        queued: 0,
        rejected: [
          { id: 'r1', reason: 'missing from' },
          { id: 'r2', reason: 'account not found' },
          { reason: 'missing id' },
        ],
        detail: {
          error: 'all messages rejected',
          rejected: [
            { id: 'r1', reason: 'missing from' },
            { id: 'r2', reason: 'account not found' },
            { id: null, reason: 'missing id' },
          ],
        },
      },
    });
    expect(await t.relay.store.messages.get(key('r1'))).toBeNull();
  });

  it('one bad message is rejected alone, naming the field, while the others queue', async () => {
    const r = await add({
      messages: [
        msg('g1'),
        msg('bad-subject', { subject: 42 }),
        msg('bad-header', { headers: { 'X-Obj': { nested: true } } }),
        msg('bad-list', { headers: { 'X-List': ['a'] } }),
        msg('bad-priority', { priority: 'urgent-ish' }),
        msg('bad-to', { to: 7 }),
        null,
        'text',
        msg('g2'),
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    expect(r.body.queued).toBe(2);
    const rejected = r.body.rejected as { id?: string; reason: string }[];
    expect(rejected.map((x) => x.id ?? null)).toEqual(['bad-subject', 'bad-header', 'bad-list', 'bad-priority', 'bad-to', null, null]);
    expect(rejected[0].reason).toMatch(/^invalid subject/);
    expect(rejected[1].reason).toMatch(/^invalid headers\.X-Obj/);
    expect(rejected[2].reason).toMatch(/^invalid headers\.X-List/);
    expect(rejected[3].reason).toMatch(/^invalid priority/);
    expect(rejected[4].reason).toMatch(/^invalid to/);
    expect(rejected[5].reason).toBe('invalid payload');
    expect(await t.relay.store.messages.get(key('bad-header'))).toBeNull();
    expect((await t.relay.store.messages.get(key('g2')))?.state).toBe('queued');
  });

  it('names a bad header value as invalid, also when the header name has a dot in it', async () => {
    const r = await add({ messages: [msg('dot-1', { headers: { 'X.Campaign': { id: 1 } } }), msg('dot-ok', { headers: { 'X.Campaign': 7 } })] });
    expect(r.status).toBe(200);
    expect(r.body.queued).toBe(1);
    expect(r.body.rejected).toEqual([{ id: 'dot-1', reason: expect.stringMatching(/^invalid headers\.X\.Campaign: /) }]);
  });

  it('more than 1,000 messages: 400 with the classic detail only, nothing stored', async () => {
    const r = await add({ messages: Array.from({ length: 1001 }, (_, i) => msg(`over-${i}`)) });
    expect(r).toEqual({ status: 400, body: { detail: { error: 'Cannot enqueue more than 1000 messages at once', rejected: null } } });
    expect(await t.relay.store.messages.get(key('over-0'))).toBeNull();
  });

  it('a body that is not an object with a messages list is a 422 naming the field', async () => {
    for (const body of [{}, { messages: 'x' }]) {
      const r = await add(body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(JSON.stringify(r.body.detail)).toContain('messages');
    }
    expect((await add([msg('a')])).status).toBe(422);
  });
});

describe("add-messages: what today's Genropy sends", () => {
  it('accepts subject "", priority null, to [] with cc/bcc, number and true header values, batch_code and endpoint attachments', async () => {
    const messages = genropyMessages([
      { id: 'gp-empty-subject-0000001', account_id: 'acc', to: 'Ann <ANN@example.org>', from: 'App <app@example.org>', subject: '', body: '' },
      { id: 'gp-no-to-000000000000002', account_id: 'acc', to: [], cc: 'cc@example.org', bcc: 'bcc@example.org', from: 'app@example.org', subject: 'cc only' },
      { id: 'gp-headers-0000000000003', account_id: 'acc', to: 'b@example.org', from: 'app@example.org', subject: 'h', headers: { 'X-Count': 3, 'X-Flag': true, 'Reply-To': 'r@example.org' }, priority: 1 },
      { id: 'gp-batch-000000000000004', account_id: 'acc', to: 'c@example.org', from: 'app@example.org', subject: 'b', batch_code: 'newsletter-2026-01', html: true, body: '<p>hi</p>' },
      { id: 'gp-attach-00000000000005', account_id: 'acc', to: 'd@example.org', from: 'app@example.org', subject: 'a', attachments: ['home:docs/offer.pdf'] },
    ]);
    expect(messages[0]).toMatchObject({ subject: '', priority: null, headers: { message_date: '2026-01-01' } });
    expect(messages[1]).toMatchObject({ to: [], cc: ['cc@example.org'], bcc: ['bcc@example.org'] });
    const r = await add({ messages }, tenantKey, '?tenant_id=acme');
    expect(r).toEqual({ status: 200, body: { ok: true, queued: 5, rejected: [] } });
    const stored = async (id: string) => (await t.relay.store.messages.get(key(id, 'acme')))!;
    expect(await stored('gp-empty-subject-0000001')).toMatchObject({ priority: 2, payload: { subject: '', to: ['ann@example.org'] } });
    expect((await stored('gp-no-to-000000000000002')).payload).toMatchObject({ to: [], cc: ['cc@example.org'], bcc: ['bcc@example.org'] });
    expect((await stored('gp-headers-0000000000003')).payload).toMatchObject({ headers: { 'X-Count': '3', 'X-Flag': 'true' }, reply_to: 'r@example.org', priority: 1 });
    expect(await stored('gp-batch-000000000000004')).toMatchObject({ batch_code: 'newsletter-2026-01' });
    expect((await stored('gp-attach-00000000000005')).payload.attachments).toEqual([
      expect.objectContaining({ storage_path: 'home:docs/offer.pdf', fetch_mode: 'endpoint', filename: 'offer.pdf', content_md5: expect.stringMatching(/^[0-9a-f]{32}$/) }),
    ]);
  });

  it("a tenant's message without a known account of that tenant is rejected with v0.6.10's reason", async () => {
    const r = await add({ messages: [msg('t-1', { account_id: 'ghost' }), msg('t-2', { account_id: null }), msg('t-3')] }, tenantKey);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ok: true,
      queued: 1,
      rejected: [
        { id: 't-1', reason: 'account not found for tenant' },
        { id: 't-2', reason: 'missing account_id' },
      ],
    });
  });
});

describe('add-messages: resubmissions', () => {
  it('queues again an id whose last outcome was an error; refuses an id already sent as `already sent`', async () => {
    const now = Math.floor(Date.now() / 1000);
    await addFinal(t.relay, ['re-error'], { state: 'error', ts: now, error: 'Attachment fetch failed for a.pdf: 503' });
    await addFinal(t.relay, ['re-sent'], { state: 'sent', ts: now });
    const r = await add({ messages: [msg('re-error', { subject: 'second try' }), msg('re-sent')] });
    expect(r).toEqual({ status: 200, body: { ok: true, queued: 1, rejected: [{ id: 're-sent', reason: 'already sent' }] } });
    expect(await t.relay.store.messages.get(key('re-error'))).toMatchObject({ state: 'queued', error: null, error_ts: null, subject: 'second try' });
    expect(await t.relay.store.messages.get(key('re-sent'))).toMatchObject({ state: 'sent' });
    // only `already sent`: still 200, nothing queued (v0.6.10)
    expect(await add({ messages: [msg('re-sent')] })).toEqual({ status: 200, body: { ok: true, queued: 0, rejected: [{ id: 're-sent', reason: 'already sent' }] } });
  });
});
