import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_ERROR_TEXT, GenropyApp } from '../index.js';
import { lastPush, pushedIds } from './registered-app.js';
import { StubRelay, TestClock, fetchAttachment, relaySync } from './stub-relay.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length) await stops.pop()?.();
});

async function start(relay: StubRelay, tenantId: string, clock = new TestClock()): Promise<GenropyApp> {
  const app = await GenropyApp.start({ proxyUrl: relay.url, adminToken: 'ADMIN', tenantId, clock });
  stops.push(() => app.stop());
  return app;
}

async function stubRelay(): Promise<StubRelay> {
  const relay = await new StubRelay().start();
  stops.push(() => relay.stop());
  return relay;
}

const account = { id: 'acc', smtp_host: 'smtp.example.org', smtp_port: 25, smtp_from_address: 'app@example.org', save_output_message: true };

describe('a whole Genropy session against a scripted relay', () => {
  it('register, accounts, mail with attachments, deferred, rejected batch, 1,000 messages, outage, cleanup, unregister', async () => {
    const relay = await stubRelay();
    const clock = new TestClock();
    const app = await start(relay, 'acme', clock);
    expect(await app.health()).toBe(true);
    await app.saveAccount(account);
    expect(relay.calls.map((c) => c.path)).toEqual(['/health']);
    expect(await app.register()).toMatchObject({ ok: true, synced: 1, failed: 0 });
    expect(relay.callsTo('POST /account')[0]).toMatchObject({ json: { id: 'acc', tenant_id: 'acme', host: 'smtp.example.org', port: 25, ttl: 300, limit_behavior: 'defer' } });
    expect(relay.callsTo('POST /account')[0].headers['x-api-token']).toBe('key-acme');

    // mail with an attachment and a deferred message: one commit, one run-now, pushed at the next sync
    const offer = app.storage.put('home:docs/offer.pdf', Buffer.from('%PDF offer'));
    const [withFile, later] = await app.queueMails([
      { account_id: 'acc', to: 'ann@example.org', subject: 'Offer', attachments: [offer.storage_path] },
      { account_id: 'acc', to: 'bob@example.org', subject: 'Reminder', deferred_ts: clock.sec + 3600 },
    ]);
    expect(relay.callsTo('POST /commands/run-now')).toHaveLength(1);
    expect((await relaySync(app, [])).json).toEqual({ ok: true, queued: 2 });
    expect(lastPush(relay).map((m) => [m.id, m.deferred_ts])).toEqual([[withFile, undefined], [later, clock.sec + 3600]]);
    expect((await fetchAttachment(app, offer.storage_path)).bytes.toString()).toBe('%PDF offer');
    expect((await relaySync(app, [{ id: withFile, sent_ts: clock.sec }])).json).toEqual({ ok: true, queued: 0 });
    expect(app.outbox.get(withFile)?.status).toBe('sent');

    // a rejected batch
    const rejectedIds = await app.queueMails([1, 2].map((n) => ({ account_id: 'nope', to: `r${n}@example.org`, subject: 'r' })));
    relay.on('POST /commands/add-messages', (c) => ({
      json: { ok: true, queued: 0, rejected: (c.json as { messages: { id: string }[] }).messages.map((m) => ({ id: m.id, reason: 'account not found for tenant' })) },
    }));
    expect((await relaySync(app, [])).json).toEqual({ ok: true, queued: 0 });
    expect(rejectedIds.map((id) => app.outbox.get(id)?.error_msg)).toEqual(['account not found for tenant', 'account not found for tenant']);
    relay.on('POST /commands/add-messages', (c) => ({ json: { ok: true, queued: (c.json as { messages: unknown[] }).messages.length, rejected: [] } }));

    // 1,000 messages of ~13 KB HTML in one add-messages call, waited for 60 s
    const html = `<html><body>${'<p>Newsletter paragraph with some words.</p>'.repeat(300)}</body></html>`;
    const batch = await app.queueMails(Array.from({ length: 1000 }, (_, n) => ({ account_id: 'acc', to: `user${n}@example.org`, subject: `News ${n}`, body: html, html: true, batch_code: 'news-2026-08' })));
    expect((await relaySync(app, [])).json).toEqual({ ok: true, queued: 1000 });
    expect(pushedIds(relay).at(-1)).toEqual(batch);
    const big = app.log.find('out', '/commands/add-messages').at(-1);
    expect(big?.timeoutS).toBe(60);
    expect(big?.request.bytes).toBeGreaterThan(13_000_000);

    // an attachment outage that recovers: the relay's failed fetch is retried with the same id
    app.faults.attachments = { mode: 'unavailable', times: 1 };
    const retried = await app.queueMail({ account_id: 'acc', to: 'carl@example.org', subject: 'Offer again', attachments: [offer.storage_path] });
    await relaySync(app, []);
    expect((await fetchAttachment(app, offer.storage_path)).status).toBe(503);
    const again = await relaySync(app, [{ id: retried, error_ts: clock.sec, error: 'Attachment fetch failed for offer.pdf: HTTP 503' }]);
    expect(again.json).toEqual({ ok: true, queued: 1 });
    expect(pushedIds(relay).at(-1)).toEqual([retried]);
    expect((await fetchAttachment(app, offer.storage_path)).status).toBe(200);
    await relaySync(app, [{ id: retried, sent_ts: clock.sec }]);
    expect(app.outbox.get(retried)).toMatchObject({ status: 'sent', sending_attempt: [{ ts: clock.sec, error: 'Attachment fetch failed for offer.pdf: HTTP 503' }] });

    // dashboard, cleanup, unregister
    expect(await app.runNow()).toEqual({ accounts: { ok: true, accounts: [], status: 'ok' }, messages: { ok: true, messages: [], status: 'ok' } });
    expect(await app.cleanup()).toEqual({ ok: true, removed: 0, status: 'ok' });
    expect(relay.callsTo('POST /commands/cleanup-messages')[0].raw).toBe('{"older_than_seconds": 1}');
    expect(await app.unregister()).toEqual({ ok: true, message: 'Tenant "acme" unregistered' });
    expect(relay.callsTo('DELETE /tenant')[0]).toMatchObject({ path: '/tenant/acme', headers: { 'x-api-token': 'ADMIN' } });
    const runNows = relay.callsTo('POST /commands/run-now').length;
    await app.queueMail({ account_id: 'acc', to: 'x@example.org', subject: 'after' });
    expect(relay.callsTo('POST /commands/run-now')).toHaveLength(runNows);
  });

  it('keeps two tenants apart: tokens, reports, credentials and failures', async () => {
    const relay = await stubRelay();
    const [a, b] = [await start(relay, 'alpha'), await start(relay, 'beta')];
    for (const app of [a, b]) {
      await app.saveAccount(account);
      expect((await app.register()).ok).toBe(true);
    }
    const idA = await a.queueMail({ account_id: 'acc', to: 'x@example.org', subject: 'from alpha' });
    const idB = await b.queueMail({ account_id: 'acc', to: 'y@example.org', subject: 'from beta' });
    const tokens = relay.callsTo('POST /commands/run-now').map((c) => [c.query.get('tenant_id'), c.headers['x-api-token']]);
    expect(tokens).toEqual([['alpha', 'key-alpha'], ['beta', 'key-beta']]);
    await relaySync(a, []);
    await relaySync(b, []);
    expect(lastPush(relay)[0]).toMatchObject({ id: idB, tenant_id: 'beta' });

    // one tenant's report sent to the other is unknown there
    expect((await relaySync(b, [{ id: idA, sent_ts: 1 }])).json).toEqual({ not_found: [idA], queued: 0 });
    expect((await relaySync(a, [{ id: idA, error_ts: 2, error: '550 rejected' }])).json).toEqual({ error: [idA], queued: 0 });
    expect(a.outbox.get(idA)?.status).toBe('error');
    expect(b.outbox.get(idB)?.status).toBe('at_proxy');

    // credentials are per application, and one tenant's faults leave the other alone
    expect((await relaySync(b, [], a.basicAuth())).json).toEqual({ error: AUTH_ERROR_TEXT });
    a.faults.refuseAuth.sync = true;
    expect((await relaySync(a, [])).json).toEqual({ error: AUTH_ERROR_TEXT });
    expect((await relaySync(b, [{ id: idB, sent_ts: 3 }])).json).toEqual({ ok: true, queued: 0 });
    expect(b.outbox.get(idB)?.status).toBe('sent');
    expect([a.counters.syncAuthFailures, b.counters.syncAuthFailures]).toEqual([1, 1]);
  });
});
