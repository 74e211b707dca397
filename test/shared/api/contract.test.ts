import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, SSE_FRAMES, type CapturedSummary, type MessageSummary } from '../../../src/shared/api/index.js';
import { startTestRelay, type TestRelay } from '../../support/relay/test-relay.js';
import {
  acknowledgingApp,
  checkFrame,
  ContractChecker,
  openEventStream,
  rejectingSmtpServer,
  type Answer,
} from '../../support/api/contract.js';
import { waitFor } from '../../support/common/wait.js';
import { closedPort } from '../../support/common/ports.js';

/**
 * Every route of a real relay, its answers (errors included) checked against the shared schemas of
 * src/shared/api: a route that drifts from its contract fails here. Runs as one story on one relay.
 */
describe('the API answers as its contract says', () => {
  let relay: TestRelay;
  let smtp: Awaited<ReturnType<typeof rejectingSmtpServer>>;
  let app: Awaited<ReturnType<typeof acknowledgingApp>>;
  let events: Awaited<ReturnType<typeof openEventStream>>;
  const contract = new ContractChecker();
  const B64 = Buffer.from('hello attachment').toString('base64');

  /** One request, its answer checked against the contract and returned. */
  async function call(method: string, path: string, opts: { json?: unknown; token?: string | null } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    const token = opts.token === undefined ? relay.token : opts.token;
    if (token !== null) headers['X-API-Token'] = token;
    let body: string | undefined;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(relay.url + path, { method, headers, body });
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const answer: Answer = { status: res.status, contentType, body: contentType.startsWith('application/json') ? JSON.parse(text) : text };
    contract.check(method, path, answer);
    return answer;
  }

  async function expectStatus(status: number, method: string, path: string, opts: { json?: unknown; token?: string | null } = {}) {
    const a = await call(method, path, opts);
    expect(a.status, `${method} ${path}: ${JSON.stringify(a.body).slice(0, 300)}`).toBe(status);
    return a.body as Record<string, unknown>;
  }

  beforeAll(async () => {
    smtp = await rejectingSmtpServer();
    app = await acknowledgingApp();
    relay = await startTestRelay();
    events = await openEventStream(relay.url, relay.token);
    contract.check('GET', '/api/events', { status: 200, contentType: events.contentType, body: '' });
  });

  afterAll(async () => {
    events?.close();
    await relay?.stop();
    await smtp?.close();
    await app?.close();
  });

  it('public and classic status routes', async () => {
    await expectStatus(200, 'GET', '/health', { token: null });
    await expectStatus(200, 'GET', '/openapi.json', { token: null });
    expect(await expectStatus(200, 'GET', '/status')).toEqual({ ok: true, active: true });
    await expectStatus(200, 'GET', '/metrics');
    await expectStatus(200, 'POST', '/commands/run-now');
    expect(await expectStatus(200, 'POST', '/commands/suspend')).toEqual({ ok: true, active: false });
    expect(await expectStatus(200, 'POST', '/commands/activate')).toEqual({ ok: true, active: true });
  });

  it('every route that needs the token refuses a request without it', async () => {
    for (const r of API_ROUTES) {
      if (!r.responses[401]) continue;
      const path = r.path.replace('{id}', '1').replace('{index}', '0');
      const body = await expectStatus(401, r.method.toUpperCase(), path, { token: null, json: r.method === 'get' ? undefined : {} });
      expect(JSON.stringify(body)).toMatch(/token/i);
    }
  });

  it('classic accounts: upsert, list, validation errors', async () => {
    await expectStatus(200, 'POST', '/account', {
      json: { id: 'acc', host: '127.0.0.1', port: smtp.port, limit_per_hour: 1000, limit_behavior: 'defer', fallbacks: null, use_tls: false },
    });
    await expectStatus(200, 'POST', '/account', { json: { id: 'down', host: '127.0.0.1', port: await closedPort(), user: 'u', password: 'p', timeout: 5 } });
    await expectStatus(200, 'POST', '/account', { json: { id: 'gone', host: '127.0.0.1', port: '2525' } });
    const listed = await expectStatus(200, 'GET', '/accounts');
    expect((listed.accounts as { id: string }[]).map((a) => a.id)).toEqual(['acc', 'down', 'gone']);
    const invalid = await expectStatus(422, 'POST', '/account', { json: { id: '', host: 'a b', port: 'x' } });
    expect(JSON.stringify(invalid.detail)).toContain('"loc":["body","id"]');
    const selfish = await expectStatus(422, 'POST', '/account', { json: { id: 'x', host: 'h', port: 25, fallbacks: ['x'] } });
    expect(selfish.detail).toMatch(/fall back to itself/);
    await expectStatus(200, 'DELETE', '/account/gone');
    await expectStatus(200, 'DELETE', '/account/never-existed');
  });

  it('classic add-messages, its refusals and GET /messages', async () => {
    const later = Math.floor(Date.now() / 1000) + 3600;
    const added = await expectStatus(200, 'POST', '/commands/add-messages', {
      json: {
        messages: [
          {
            id: 'sched-1',
            account_id: 'acc',
            from: 'app@example.com',
            to: 'a@example.com, b@example.com',
            cc: ['c@example.com'],
            subject: 'scheduled',
            body: '<p>hi</p>',
            content_type: 'html',
            headers: { 'X-Trace': 'abc', 'X-Num': 5 },
            attachments: [
              { filename: 'a.txt', content: B64 },
              { filename: 'b.pdf', url: 'https://files.example.com/b.pdf' },
              { s3: { bucket: 'bk', key: 'k/c.bin' }, mime_type: 'application/octet-stream' },
            ],
            priority: 'high',
            deferred_ts: later,
          },
          { id: 'held-1', account_id: 'acc', from: 'app@example.com', to: ['d@example.com'], subject: 'held', body: 'x', deferred_ts: later },
          { id: 'bad-acc', account_id: 'nope', from: 'app@example.com', to: 'x@example.com', subject: 's', body: 'b' },
          { id: '', account_id: 'acc', from: 'app@example.com', to: 'x@example.com', subject: 's', body: 'b' },
        ],
      },
    });
    expect(added).toEqual({ ok: true, queued: 2, rejected: [{ id: 'bad-acc', reason: 'account not found' }, { reason: 'missing id' }] });

    const allRejected = await expectStatus(400, 'POST', '/commands/add-messages', {
      json: { messages: [{ id: 'r1', account_id: 'nope', from: 'a@example.com', to: 'b@example.com', subject: 's', body: 'b' }] },
    });
    expect(allRejected.detail).toEqual({ error: 'all messages rejected', rejected: [{ id: 'r1', reason: 'account not found' }] });
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ id: `t${i}`, from: 'a@example.com', to: 'b@example.com', subject: 's', body: 'b' }));
    expect((await expectStatus(400, 'POST', '/commands/add-messages', { json: { messages: tooMany } })).detail).toMatchObject({ rejected: null });
    await expectStatus(422, 'POST', '/commands/add-messages', { json: { messages: 'nope' } });

    const all = await expectStatus(200, 'GET', '/messages');
    expect((all.messages as { id: string }[]).map((m) => m.id).sort()).toEqual(['held-1', 'sched-1']);
    await expectStatus(200, 'GET', '/messages?active_only=1');
  });

  it('tenants: registration, keys, admin-only routes, the tenant scope of the classic routes, suspensions', async () => {
    const auth = { method: 'basic', user: 'mailproxy', password: 'pw' };
    const registered = await expectStatus(200, 'POST', '/tenant', { json: { id: 'acme', name: 'Acme', client_base_url: app.url, client_sync_path: '/proxy_sync', client_auth: auth } });
    const key = registered.api_key as string;
    const invalid = await expectStatus(422, 'POST', '/tenant', { json: { id: 'a/b', client_auth: { method: 'basic' } } });
    expect(JSON.stringify(invalid.detail)).toMatch(/"loc":\["body","id"\].*"loc":\["body","client_auth","user"\]/);
    // the relay's own routes and the tenant administration are the admin token's
    for (const r of API_ROUTES) {
      if (!r.responses[403]) continue;
      const path = r.path.replace('{id}', 'acme').replace('{index}', '0');
      const body = await expectStatus(403, r.method.toUpperCase(), path, { token: key, json: r.method === 'get' ? undefined : {} });
      expect(JSON.stringify(body)).toContain('Admin token required, tenant tokens not allowed for this operation');
    }

    expect(await expectStatus(200, 'GET', '/tenant/acme', { token: key })).toMatchObject({ id: 'acme', name: 'Acme', active: true, client_auth: auth });
    expect(JSON.stringify(await expectStatus(200, 'GET', '/api/tenants'))).not.toContain('"password"');
    expect(await expectStatus(401, 'GET', '/tenant/other', { token: key })).toEqual({ detail: 'Token not authorized for this tenant' });
    await expectStatus(404, 'GET', '/tenant/nobody');
    await expectStatus(200, 'PUT', '/tenant/acme', { token: key, json: { name: 'Acme Inc.' } });
    await expectStatus(404, 'PUT', '/tenant/nobody', { json: { name: 'x' } });
    await expectStatus(422, 'PUT', '/tenant/acme', { json: { active: 'yes' } });
    expect((await expectStatus(200, 'GET', '/tenants')).tenants).toEqual([expect.objectContaining({ id: 'acme', name: 'Acme Inc.' })]);
    await expectStatus(200, 'GET', '/tenants?active_only=1');
    expect((await expectStatus(200, 'GET', '/tenants/sync-status')).tenants).toEqual([expect.objectContaining({ id: 'acme', in_dnd: false })]);

    await expectStatus(404, 'POST', '/account', { json: { id: 'acc', host: 'h', port: 25, tenant_id: 'nobody' } });
    await expectStatus(200, 'POST', '/account', { token: key, json: { id: 'acc', tenant_id: 'acme', name: 'Main', host: '127.0.0.1', port: smtp.port, timeout: 30 } });
    expect((await expectStatus(200, 'GET', '/accounts?tenant_id=acme', { token: key })).accounts).toEqual([expect.objectContaining({ id: 'acc', tenant_id: 'acme' })]);
    // held before anything is queued: nothing of the tenant goes out while these run
    expect(await expectStatus(200, 'POST', '/commands/suspend', { token: key })).toEqual({ ok: true, tenant_id: 'acme', suspended_batches: ['*'], pending_messages: 0 });
    const message = (id: string, batch_code?: string) => ({ id, account_id: 'acc', from: 'shop@example.com', to: [], cc: ['c@example.com'], subject: '', priority: null, body: 'b', batch_code, headers: { n: 1, flag: true } });
    const added = await expectStatus(200, 'POST', '/commands/add-messages?tenant_id=acme', { token: key, json: { messages: [message('t1', 'b1'), message('t2', 'b2'), message('t3')] } });
    expect(added).toEqual({ ok: true, queued: 3, rejected: [] });
    const listed = await expectStatus(200, 'GET', '/messages?tenant_id=acme', { token: key });
    expect(listed.messages).toEqual(expect.arrayContaining([expect.objectContaining({ id: 't1', tenant_id: 'acme', batch_code: 'b1' })]));
    await expectStatus(400, 'POST', '/commands/activate?batch_code=b1', { token: key });
    expect(await expectStatus(200, 'POST', '/commands/activate', { token: key })).toMatchObject({ suspended_batches: [] });
    expect(await expectStatus(200, 'POST', '/commands/suspend?tenant_id=acme&batch_code=b2')).toEqual({
      ok: true,
      tenant_id: 'acme',
      batch_code: 'b2',
      suspended_batches: ['b2'],
      pending_messages: expect.any(Number),
    });
    await expectStatus(400, 'POST', '/commands/suspend?tenant_id=nobody');
    await expectStatus(200, 'POST', '/commands/activate?tenant_id=acme&batch_code=b2');

    // a new key replaces the old one; a revoked key opens nothing
    const renewed = (await expectStatus(200, 'POST', '/tenant/acme/api-key')).api_key as string;
    await expectStatus(401, 'GET', '/accounts', { token: key });
    await expectStatus(200, 'GET', '/accounts', { token: renewed });
    await expectStatus(404, 'POST', '/tenant/nobody/api-key');
    await expectStatus(200, 'DELETE', '/tenant/acme/api-key');
    await expectStatus(401, 'GET', '/accounts', { token: renewed });
    await expectStatus(404, 'DELETE', '/tenant/nobody/api-key');
    await expectStatus(200, 'DELETE', '/tenant/acme');
    await expectStatus(404, 'DELETE', '/tenant/acme');
  });

  it('relay message routes: list, detail, retry, delete', async () => {
    const page = await expectStatus(200, 'GET', '/api/messages?limit=1');
    expect(page.next_cursor).toEqual(expect.any(String));
    await expectStatus(200, 'GET', `/api/messages?state=deferred&account_id=acc&q=sched&cursor=${encodeURIComponent(String(page.next_cursor))}`);
    const invalid = await expectStatus(422, 'GET', '/api/messages?state=lost&limit=0');
    expect((invalid.error as { fields: { field: string }[] }).fields.map((f) => f.field).sort()).toEqual(['limit', 'state']);

    const detail = await expectStatus(200, 'GET', '/api/messages/sched-1');
    const payload = (detail.message as { payload: { attachments: unknown[]; body_size: number } }).payload;
    expect(payload.attachments.map((a) => (a as { source: string }).source)).toEqual(['content', 'url', 's3']);
    await expectStatus(404, 'GET', '/api/messages/nope');

    // a scheduled message may be retried at once; then it is queued and a second retry conflicts
    const retried = await expectStatus(200, 'POST', '/api/messages/held-1/retry');
    expect((retried.message as MessageSummary).state).toBe('queued');
    await expectStatus(409, 'POST', '/api/messages/held-1/retry');
    await expectStatus(404, 'POST', '/api/messages/nope/retry');
  });

  it('send: sandbox outcome, queued answer, conflicts and field errors', async () => {
    const sent = await expectStatus(200, 'POST', '/api/send?wait=10', {
      json: {
        id: 'send-html',
        from: 'App <app@example.com>',
        to: 'user@example.com',
        subject: 'Hello html',
        body_html: '<p>Hello <img src="cid:logo"></p>',
        body_text: 'Hello',
        headers: { 'X-Campaign': 'c1' },
        attachments: [
          { filename: 'note.txt', content: B64, content_type: 'text/plain' },
          { filename: 'logo.png', content: B64, content_type: 'image/png', cid: 'logo' },
        ],
      },
    });
    expect(sent).toMatchObject({ id: 'send-html', state: 'sent', sandbox: true, captured_id: expect.any(Number) });
    await expectStatus(409, 'POST', '/api/send', { json: { id: 'send-html', from: 'app@example.com', to: ['u@example.com'], subject: 'again', body_text: 'x' } });
    const queued = await expectStatus(202, 'POST', '/api/send', { json: { from: 'app@example.com', to: ['u@example.com'], subject: 'plain one', body_text: 'just text' } });
    expect(queued.id).toMatch(/^send-/);
    const invalid = await expectStatus(422, 'POST', '/api/send', { json: { from: 'nobody', to: [], subject: '' } });
    expect((invalid.error as { fields: { field: string }[] }).fields.map((f) => f.field)).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'body_text']));
    await expectStatus(422, 'POST', '/api/send', { json: { account_id: 'nope', from: 'a@example.com', to: 'b@example.com', subject: 's', body_text: 'b' } });
  });

  it('real delivery: a refused recipient is an error with per-recipient results; verify names the stage', async () => {
    await expectStatus(200, 'PATCH', '/api/settings', { json: { delivery_mode: 'real' } });
    await expectStatus(422, 'POST', '/api/send', { json: { from: 'a@example.com', to: 'b@example.com', subject: 's', body_text: 'b' } });
    const failed = await expectStatus(200, 'POST', '/api/send?wait=10', {
      json: { id: 'real-err', account_id: 'acc', from: 'app@example.com', to: ['reject@example.com'], subject: 'refused', body_text: 'b' },
    });
    expect(failed).toMatchObject({ state: 'error', sandbox: false, recipients: [expect.objectContaining({ address: 'reject@example.com', accepted: false })] });
    await expectStatus(200, 'POST', '/api/send?wait=10', {
      json: { id: 'real-ok', account_id: 'acc', from: 'app@example.com', to: ['ok@example.com'], subject: 'accepted', body_text: 'b' },
    });
    await expectStatus(200, 'POST', '/api/messages/real-err/retry');
    await waitFor(async () => (await relay.api('/api/messages/real-err').then((r) => r.json()) as { message: { state: string } }).message.state === 'error', 'the retried message to fail again');
    await expectStatus(200, 'PATCH', '/api/settings', { json: { delivery_mode: 'sandbox' } });

    expect(await expectStatus(200, 'POST', '/api/accounts/acc/verify')).toMatchObject({ ok: true, stage: 'ok' });
    expect(await expectStatus(200, 'POST', '/api/accounts/down/verify')).toMatchObject({ ok: false, stage: 'connect' });
    await expectStatus(404, 'POST', '/api/accounts/nope/verify');
    const accounts = await expectStatus(200, 'GET', '/api/accounts');
    const acc = (accounts.items as { id: string; rate: { window: string; used: number }[] }[]).find((a) => a.id === 'acc')!;
    expect(acc.rate.find((w) => w.window === 'hour')?.used).toBeGreaterThan(0);
  });

  it('settings: view, patch and refusals naming the field', async () => {
    const view = await expectStatus(200, 'GET', '/api/settings');
    expect(view.delivery_mode).toBe('sandbox');
    const refused = await expectStatus(422, 'PATCH', '/api/settings', { json: { report_interval_seconds: 1, bogus: true } });
    expect(JSON.stringify(refused.error)).toContain('report_interval_seconds');
    await expectStatus(422, 'PATCH', '/api/settings', { json: { client_sync_url: 'ftp://x' } });
    const patched = await expectStatus(200, 'PATCH', '/api/settings', { json: { client_sync_url: app.url, client_sync_user: 'u', client_sync_password: 'p' } });
    expect(patched).toMatchObject({ client_sync_url: app.url, client_sync_password_set: true });
  });

  it('stats carry the report status once the application acknowledged, and the retention pass', async () => {
    await waitFor(async () => {
      const s = (await relay.api('/api/stats').then((r) => r.json())) as { report: { state: string; retention: unknown } };
      return s.report.state === 'ok' && s.report.retention !== null;
    }, 'an acknowledged report and a retention pass');
    const stats = await expectStatus(200, 'GET', '/api/stats');
    expect(stats.report).toMatchObject({ enabled: true, state: 'ok', last: { ok: true }, last_answer: { json: true } });
    expect(app.reports).toBeGreaterThan(0);
    // reported messages as the classic list shows them
    const all = await expectStatus(200, 'GET', '/messages');
    expect((all.messages as { state: string }[]).some((m) => m.state === 'reported')).toBe(true);
  });

  it('captured mail: list, search, detail, source, html, attachments, release and deletes', async () => {
    await waitFor(async () => ((await relay.api('/api/captured').then((r) => r.json())) as { total: number }).total >= 3, 'three captured mails');
    const page = await expectStatus(200, 'GET', '/api/captured?limit=2');
    expect(page.next_cursor).toEqual(expect.any(String));
    await expectStatus(200, 'GET', `/api/captured?cursor=${encodeURIComponent(String(page.next_cursor))}`);
    const found = await expectStatus(200, 'GET', '/api/captured?q=subject:html');
    const html = (found.items as CapturedSummary[])[0];
    expect(html.subject).toBe('Hello html');
    await expectStatus(422, 'GET', '/api/captured?limit=many');

    const detail = await expectStatus(200, 'GET', `/api/captured/${html.id}`);
    expect(detail).toMatchObject({ read: true, html: expect.stringContaining('cid:logo') });
    expect(detail.attachments).toEqual(
      expect.arrayContaining([expect.objectContaining({ filename: 'note.txt', inline: false }), expect.objectContaining({ cid: 'logo', inline: true })]),
    );
    await expectStatus(404, 'GET', '/api/captured/999999');
    await expectStatus(404, 'GET', '/api/captured/abc');
    await expectStatus(200, 'GET', `/api/captured/${html.id}/raw`);
    await expectStatus(404, 'GET', '/api/captured/999999/raw');
    await expectStatus(200, 'GET', `/api/captured/${html.id}/html?remote=1`);
    await expectStatus(422, 'GET', `/api/captured/${html.id}/html?remote=maybe`);
    const plain = (await expectStatus(200, 'GET', '/api/captured?q=subject:plain')).items as CapturedSummary[];
    await expectStatus(404, 'GET', `/api/captured/${plain[0].id}/html`);
    await expectStatus(200, 'GET', `/api/captured/${html.id}/attachments/0`);
    await expectStatus(200, 'GET', `/api/captured/${html.id}/attachments/1?inline=1`);
    await expectStatus(422, 'GET', `/api/captured/${html.id}/attachments/0?inline=perhaps`);
    await expectStatus(404, 'GET', `/api/captured/${html.id}/attachments/9`);
    await expectStatus(200, 'PUT', '/api/captured/read', { json: { read: false, ids: [html.id] } });
    await expectStatus(200, 'PUT', '/api/captured/read', { json: { read: true } });
    await expectStatus(400, 'PUT', '/api/captured/read', { json: { read: true, ids: [html.id], q: 'html' } });
    await expectStatus(422, 'PUT', '/api/captured/read', { json: { read: true, ids: [] } });
    // the HTML tools (this HTML links nowhere: the link check requests nothing)
    await expectStatus(200, 'GET', `/api/captured/${html.id}/html-check`);
    await expectStatus(404, 'GET', `/api/captured/${plain[0].id}/html-check`);
    expect(await expectStatus(200, 'POST', `/api/captured/${html.id}/link-check`)).toMatchObject({ links: [] });
    await expectStatus(404, 'POST', `/api/captured/${plain[0].id}/link-check`);
    await expectStatus(200, 'GET', `/api/captured/${html.id}/attachments/0/preview`);
    await expectStatus(404, 'GET', `/api/captured/${html.id}/attachments/9/preview`);

    const released = await expectStatus(202, 'POST', `/api/captured/${html.id}/release`, { json: { account_id: 'acc', to: ['ok@example.com'], priority: 'high' } });
    expect(released).toMatchObject({ captured_id: html.id, account_id: 'acc', to: ['ok@example.com'] });
    await expectStatus(404, 'POST', `/api/captured/${html.id}/release`, { json: { account_id: 'nope' } });
    await expectStatus(404, 'POST', '/api/captured/999999/release', { json: { account_id: 'acc' } });
    await expectStatus(422, 'POST', `/api/captured/${html.id}/release`, { json: { to: ['not an address'] } });

    await expectStatus(200, 'DELETE', `/api/captured/${plain[0].id}`);
    await expectStatus(404, 'DELETE', `/api/captured/${plain[0].id}`);
    expect(await expectStatus(200, 'DELETE', `/api/captured?ids=${plain[0].id}`)).toEqual({ ok: true, removed: 0 });
    await expectStatus(422, 'DELETE', '/api/captured?ids=not-ids');
  });

  it('Mailpit API v1: list, search, message, headers, raw, part, read flags, release, send, deletes', async () => {
    await expectStatus(200, 'GET', '/livez', { token: null });
    await expectStatus(200, 'GET', '/readyz', { token: null });
    await expectStatus(200, 'GET', '/api/v1/info');
    await expectStatus(200, 'GET', '/api/v1/messages?limit=5');
    await expectStatus(400, 'GET', '/api/v1/messages?limit=many');
    const sent = await expectStatus(200, 'POST', '/api/v1/send', { json: { From: { Email: 'a@example.com' }, To: [{ Email: 'b@example.com' }], Subject: 'mailpit', Text: 'x', Attachments: [{ Filename: 'n.txt', Content: B64 }] } });
    await expectStatus(400, 'POST', '/api/v1/send', { json: { From: { Email: 'nope' }, Subject: 'x' } });
    const id = String(sent.ID);
    await expectStatus(200, 'GET', '/api/v1/search?query=subject:mailpit');
    await expectStatus(400, 'GET', '/api/v1/search');
    await expectStatus(200, 'GET', `/api/v1/message/${id}`);
    await expectStatus(404, 'GET', '/api/v1/message/999999');
    await expectStatus(200, 'GET', `/api/v1/message/${id}/headers`);
    await expectStatus(404, 'GET', '/api/v1/message/999999/headers');
    await expectStatus(200, 'GET', `/api/v1/message/${id}/raw`);
    await expectStatus(404, 'GET', '/api/v1/message/999999/raw');
    await expectStatus(200, 'GET', `/api/v1/message/${id}/part/0`);
    await expectStatus(404, 'GET', `/api/v1/message/${id}/part/9`);
    await expectStatus(200, 'PUT', '/api/v1/messages', { json: { IDs: [id], Read: false } });
    await expectStatus(400, 'PUT', '/api/v1/messages', { json: { Read: 'yes' } });
    await expectStatus(200, 'POST', `/api/v1/message/${id}/release?account_id=acc`, { json: { To: ['ok@example.com'] } });
    await expectStatus(400, 'POST', `/api/v1/message/${id}/release?account_id=acc`, { json: { To: [] } });
    await expectStatus(404, 'POST', '/api/v1/message/999999/release', { json: { To: ['ok@example.com'] } });
    await expectStatus(400, 'DELETE', '/api/v1/search?query=');
    await expectStatus(200, 'DELETE', '/api/v1/search?query=subject:mailpit');
    await expectStatus(400, 'DELETE', '/api/v1/messages', { json: { IDs: 'all' } });
    await expectStatus(200, 'DELETE', '/api/v1/messages', { json: { IDs: ['999999'] } });
  });

  it('provider emulation and Mailpit chaos', async () => {
    await expectStatus(200, 'PUT', '/api/emulation', { json: { rules: [{ kind: 'greylist', delay_seconds: 60 }] } });
    await expectStatus(400, 'PUT', '/api/emulation', { json: { rules: [{ kind: 'greylist', delay_seconds: -1 }] } });
    await expectStatus(200, 'GET', '/api/emulation');
    await expectStatus(200, 'PUT', '/api/v1/chaos', { json: { Sender: { ErrorCode: 451, Probability: 0 } } });
    await expectStatus(400, 'PUT', '/api/v1/chaos', { json: { Sender: { ErrorCode: 200 } } });
    await expectStatus(200, 'GET', '/api/v1/chaos');
    await expectStatus(200, 'DELETE', '/api/emulation');
    await expectStatus(200, 'GET', '/api/mailboxes');
    await expectStatus(200, 'DELETE', '/api/mailboxes/nobody');
    await expectStatus(400, 'DELETE', `/api/mailboxes/${'x'.repeat(201)}`);
  });

  it('classic deletes and cleanup, relay deletes', async () => {
    await expectStatus(200, 'DELETE', '/api/messages/sched-1');
    await expectStatus(404, 'DELETE', '/api/messages/sched-1');
    expect(await expectStatus(200, 'POST', '/commands/delete-messages', { json: { ids: ['held-1', 'nope', null] } })).toEqual({
      ok: true,
      removed: 1,
      not_found: ['nope'],
    });
    await expectStatus(422, 'POST', '/commands/delete-messages', { json: { ids: 'held-1' } });
    await expectStatus(200, 'POST', '/commands/cleanup-messages', { json: { older_than_seconds: 0 } });
    await expectStatus(200, 'POST', '/commands/cleanup-messages');
    await expectStatus(422, 'POST', '/commands/cleanup-messages', { json: { older_than_seconds: 'soon' } });
  });

  it('the event stream: every frame matches the schema of its event', async () => {
    // a burst over the cap is announced as a count; captures and a clear-all follow
    const burst = Array.from({ length: 600 }, (_, i) => ({ id: `burst-${i}`, account_id: 'acc', from: 'a@example.com', to: 'b@example.com', subject: `b${i}`, body: 'x' }));
    await expectStatus(200, 'POST', '/commands/add-messages', { json: { messages: burst } });
    await waitFor(async () => ((await relay.api('/api/stats').then((r) => r.json())) as { counts: { queued: number; sending: number } }).counts.queued === 0, 'the burst delivered to the sandbox', 30_000);
    await expectStatus(200, 'DELETE', '/api/captured');
    await expectStatus(200, 'PATCH', '/api/settings', { json: { paused: false } });
    await waitFor(() => events.frames.some((f) => f.event === 'captured' && f.data.includes('"cleared"')), 'the cleared frame');
    for (const f of events.frames) checkFrame(f);
    const kinds = new Set(events.frames.map((f) => `${f.event}${f.data.startsWith('[') ? '[]' : f.data.includes('"coalesced"') ? '~' : ''}`));
    // (whether captures come as one frame each or as a count depends on the machine's speed)
    for (const k of ['stats', 'settings', 'report', 'messages[]', 'messages~', 'captured']) expect(kinds, `a ${k} frame`).toContain(k);
    expect(Object.keys(SSE_FRAMES)).toEqual(expect.arrayContaining([...new Set(events.frames.map((f) => f.event))]));
  });

  it('every declared answer was seen', () => {
    expect(contract.missing()).toEqual([]);
  });
});
