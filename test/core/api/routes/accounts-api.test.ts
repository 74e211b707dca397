import { afterEach, describe, expect, it } from 'vitest';
import { startDeliveryRelay, type DeliveryFixture } from '../../../support/delivery/delivery-relay.js';
import { trackedTargets } from '../../../support/smtp/smtp-target.js';
import { waitFor } from '../../../support/common/wait.js';
import { closedPort } from '../../../support/common/ports.js';

let f: DeliveryFixture | null = null;
const target = trackedTargets();

afterEach(async () => {
  await f?.stop();
  f = null;
});

interface AccountView {
  id: string;
  password?: string;
  password_set: boolean;
  rate: { window: string; used: number; limit: number | null; next_free_ts: number | null }[];
  in_flight: number;
  backoff_until: number | null;
}

describe('GET /api/accounts', () => {
  it('lists accounts without passwords, with live rate-limit state per window', async () => {
    const smtp = await target({ auth: { user: 'u', pass: 'secret' } });
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, user: 'u', password: 'secret', limit_per_minute: 2, limit_per_day: 100 });
    await f.addAccount({ id: 'free', host: smtp.host, port: smtp.port });
    await f.enqueue(['a', 'b', 'c'].map((id) => ({ id, account_id: 'acc' })));
    await f.waitState('a', 'sent');
    await f.waitState('b', 'sent');
    await f.waitState('c', 'deferred');

    const res = await f.t.api('/api/accounts');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: AccountView[]; next_cursor: null };
    expect(body.items.map((a) => a.id)).toEqual(['acc', 'free']);
    const acc = body.items[0];
    expect(acc).not.toHaveProperty('password');
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(acc.password_set).toBe(true);
    expect(acc.rate).toEqual([
      { window: 'minute', used: 2, limit: 2, next_free_ts: f.now() + 60 },
      { window: 'hour', used: 2, limit: null, next_free_ts: null },
      { window: 'day', used: 2, limit: 100, next_free_ts: null },
    ]);
    expect(acc.in_flight).toBe(0);
    expect(body.items[1].rate.every((w) => w.used === 0 && w.limit === null)).toBe(true);
    expect(body.items[1].password_set).toBe(false);
  });

  it('shows sends in flight and an account backing off', async () => {
    const slow = await target({ data: () => ({ delayMs: 400 }) });
    const deadPort = await closedPort();
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'slow', host: slow.host, port: slow.port, limit_per_minute: 10 });
    await f.addAccount({ id: 'dead', host: '127.0.0.1', port: deadPort });
    await f.enqueue([{ id: 's', account_id: 'slow' }, { id: 'd', account_id: 'dead' }]);
    await f.waitState('d', 'deferred');
    await waitFor(() => f!.t.relay.dispatcher.inFlight() === 1, 'send in flight');
    const body = (await (await f.t.api('/api/accounts')).json()) as { items: AccountView[] };
    const byId = Object.fromEntries(body.items.map((a) => [a.id, a]));
    expect(byId.slow.in_flight).toBe(1);
    expect(byId.slow.rate[0]).toMatchObject({ window: 'minute', used: 1, limit: 10 });
    expect(byId.dead.backoff_until).toBeGreaterThan(f.now());
  });
});

describe('POST /api/accounts/{id}/verify', () => {
  it('says ok when the server accepts the connection and the credentials', async () => {
    const smtp = await target({ auth: { user: 'u', pass: 'secret' } });
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, user: 'u', password: 'secret' });
    const res = await f.t.api('/api/accounts/acc/verify', { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, stage: 'ok', message: 'connected and authenticated' });
  });

  it('names the stage that failed: auth, connect, tls', async () => {
    const smtp = await target({ auth: { user: 'u', pass: 'secret' } });
    const tlsTarget = await target({ options: { secure: true } });
    const deadPort = await closedPort();
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'badpw', host: smtp.host, port: smtp.port, user: 'u', password: 'nope' });
    await f.addAccount({ id: 'down', host: '127.0.0.1', port: deadPort });
    await f.addAccount({ id: 'selfsigned', host: tlsTarget.host, port: tlsTarget.port, use_tls: true });

    const auth = await (await f.t.api('/api/accounts/badpw/verify', { method: 'POST' })).json();
    expect(auth).toMatchObject({ ok: false, stage: 'auth', code: 535 });
    expect(auth.message).toMatch(/Authentication credentials invalid/);

    const conn = await (await f.t.api('/api/accounts/down/verify', { method: 'POST' })).json();
    expect(conn).toMatchObject({ ok: false, stage: 'connect' });
    expect(conn.message).toMatch(/ECONNREFUSED|connect/i);

    const tls = await (await f.t.api('/api/accounts/selfsigned/verify', { method: 'POST' })).json();
    expect(tls).toMatchObject({ ok: false, stage: 'tls' });
    expect(tls.message).toMatch(/certificate/i);
  });

  it('answers 404 for an unknown account', async () => {
    f = await startDeliveryRelay();
    const res = await f.t.api('/api/accounts/nobody/verify', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: "account 'nobody' not found" } });
  });
});

describe('POST /api/messages/{id}/retry', () => {
  it('re-queues a failed message, refuses pending or sent ones, 404 for unknown ids', async () => {
    let reject = true;
    const smtp = await target({ data: () => (reject ? { code: 550, message: 'no' } : 'accept') });
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'bad', account_id: 'acc' }, { id: 'later', account_id: 'acc', deferred_ts: f.now() + 3600 }]);
    await f.waitState('bad', 'error');

    expect((await f.t.api('/api/messages/ghost/retry', { method: 'POST' })).status).toBe(404);

    reject = false;
    const res = await f.t.api('/api/messages/bad/retry', { method: 'POST' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ ok: true, message: { id: 'bad', state: 'queued', retry_count: 0, error: null } });
    await f.waitState('bad', 'sent');

    const again = await f.t.api('/api/messages/bad/retry', { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: { code: 'conflict', message: "message 'bad' was already sent" } });

    // a scheduled message can be pulled forward
    const now = await f.t.api('/api/messages/later/retry', { method: 'POST' });
    expect(now.status).toBe(200);
    await f.waitState('later', 'sent');
  });

  it('is described in the OpenAPI document with the account routes', async () => {
    f = await startDeliveryRelay();
    const res = await f.t.api('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/api/accounts']).toHaveProperty('get');
    expect(doc.paths['/api/accounts/{id}/verify']).toHaveProperty('post');
    expect(doc.paths['/api/messages/{id}/retry']).toHaveProperty('post');
  });
});
