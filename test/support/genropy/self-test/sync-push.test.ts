import { afterEach, describe, expect, it } from 'vitest';
import { registeredApp, lastPush, pushedIds, type Setup } from './registered-app.js';
import { relaySync } from './stub-relay.js';

let s: Setup;
afterEach(() => s?.stop());

describe('push of queued mail inside proxy_sync (reference §1.4, §1.5, §2.1)', () => {
  it('converts a message as Genropy does', async () => {
    s = await registeredApp();
    const file = s.app.storage.put('home:mail/2026/Invoice 7.pdf', Buffer.from('%PDF-1.4 seven'));
    const id = await s.app.queueMail({
      account_id: 'acc',
      to: 'Ann <ANN@Example.org>, bob@example.org; ann@example.org',
      cc: 'Carl <carl@example.org>',
      subject: '',
      body: '<p>hi</p>',
      html: true,
      priority: null,
      deferred_ts: 1754500000.7,
      batch_code: 'newsletter-2026-08',
      message_id: '<m7@example.org>',
      headers: { 'Reply-To': 'desk@example.org', 'X-Count': 3, 'X-Flag': true, 'X-Off': false, 'X-Zero': 0, 'X-Empty': '' },
      attachments: [file.storage_path],
    });
    await relaySync(s.app, []);
    expect(lastPush(s.relay)).toEqual([
      {
        id,
        tenant_id: 'acme',
        account_id: 'acc',
        subject: '',
        from: 'Shop <shop@example.org>',
        priority: null,
        to: ['ann@example.org', 'bob@example.org'],
        cc: ['carl@example.org'],
        bcc: ['archive@example.org'],
        body: '<p>hi</p>',
        content_type: 'html',
        deferred_ts: 1754500000,
        message_id: '<m7@example.org>',
        reply_to: 'desk@example.org',
        headers: { message_date: s.app.today(), 'X-Count': 3, 'X-Flag': true },
        batch_code: 'newsletter-2026-08',
        attachments: [{ storage_path: 'home:mail/2026/Invoice 7.pdf', fetch_mode: 'endpoint', filename: 'Invoice 7.pdf', content_md5: file.md5 }],
      },
    ]);
    expect(id).toMatch(/^[A-Za-z0-9_]{22}$/);
    expect(file.md5).toMatch(/^[0-9a-f]{32}$/);
  });

  it('sends to:[] when there is no recipient, and plain bodies as ""', async () => {
    s = await registeredApp();
    await s.app.queueMail({ account_id: 'acc', to: 'nobody', subject: 's' });
    await relaySync(s.app, []);
    expect(lastPush(s.relay)[0]).toMatchObject({ to: [], body: '', content_type: 'plain', headers: { message_date: s.app.today() } });
    expect(lastPush(s.relay)[0]).not.toHaveProperty('cc');
  });

  it('pushes up to batch_size messages by priority (null = 2), then insertion order', async () => {
    s = await registeredApp({ batchSize: 2 });
    const ids = await s.app.queueMails([3, null, 0, 2, 1].map((priority, n) => ({ account_id: 'acc', to: `u${n}@x.org`, subject: `p${priority}`, priority })));
    const [p3, pNull, p0, p2, p1] = ids;
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 2 });
    expect(s.app.outbox.queueLength).toBe(3);
    await relaySync(s.app, []);
    await relaySync(s.app, []);
    expect(pushedIds(s.relay)).toEqual([[p0, p1], [pNull, p2], [p3]]);
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 0 });
    expect(s.relay.callsTo('POST /commands/add-messages')).toHaveLength(3);
    expect(ids.map((id) => s.app.outbox.get(id)?.status)).toEqual(Array(5).fill('at_proxy'));
  });

  it('echoes the relay’s queued (0 when absent or falsy) and marks rejected ids with their reason', async () => {
    s = await registeredApp();
    const [a, b] = await s.app.queueMails([{ account_id: 'acc', to: 'a@x.org', subject: 'a' }, { account_id: 'acc', to: 'b@x.org', subject: 'b' }]);
    s.relay.on('POST /commands/add-messages', () => ({ json: { ok: true, queued: 7, rejected: [{ id: b, reason: 'already sent' }, null] } }));
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 7 });
    expect(s.app.outbox.get(a)).toMatchObject({ status: 'at_proxy', error_msg: null });
    expect(s.app.outbox.get(b)).toMatchObject({ status: 'error', error_msg: 'already sent', error_ts: s.clock.sec });
    const c = await s.app.queueMail({ account_id: 'acc', to: 'c@x.org', subject: 'c' });
    s.relay.on('POST /commands/add-messages', () => ({ json: { ok: true, queued: null } }));
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 0 });
    expect(s.app.outbox.get(c)?.status).toBe('at_proxy');
  });

  it('fails every message without a reason of its own when the reply has a truthy top-level error', async () => {
    s = await registeredApp();
    const [a, b] = await s.app.queueMails([{ account_id: 'acc', to: 'a@x.org', subject: 'a' }, { account_id: 'acc', to: 'b@x.org', subject: 'b' }]);
    s.relay.on('POST /commands/add-messages', () => ({ status: 400, json: { error: 'quota exceeded', rejected: [{ id: a, reason: 'missing to' }] } }));
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 0 });
    expect(s.app.outbox.get(a)).toMatchObject({ status: 'error', error_msg: 'missing to' });
    expect(s.app.outbox.get(b)).toMatchObject({ status: 'error', error_msg: 'quota exceeded' });
    expect(s.app.outbox.queueLength).toBe(0);
  });

  it('leaves the batch queued when add-messages raises, and resends the same ids at the next sync', async () => {
    s = await registeredApp();
    const ids = await s.app.queueMails([{ account_id: 'acc', to: 'a@x.org', subject: 'a' }, { account_id: 'acc', to: 'b@x.org', subject: 'b' }]);
    const failures = [
      { status: 500, text: 'Internal Server Error' },
      { status: 422, json: { detail: [{ loc: ['body', 'messages', 0, 'subject'], msg: 'String should have at least 1 character' }] } },
      { status: 400, json: { detail: { error: null, rejected: [{ id: ids[0], reason: 'missing to' }] } } },
      { status: 413, json: {} },
    ];
    for (const failure of failures) {
      s.relay.on('POST /commands/add-messages', () => failure);
      expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 0 });
      expect(ids.map((id) => s.app.outbox.get(id)?.status)).toEqual(['queued', 'queued']);
    }
    expect(pushedIds(s.relay)).toEqual(Array(4).fill(ids));
    expect(s.app.counters.addMessagesFailures).toBe(4);
    expect(s.app.log.find('in', '/proxy_sync').at(-1)?.note).toMatch(/kept: Mail proxy request failed: 413 Client Error: Payload Too Large/);
    s.relay.on('POST /commands/add-messages', () => ({ json: { ok: true, queued: 2, rejected: [] } }));
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 2 });
    expect(pushedIds(s.relay).at(-1)).toEqual(ids);
    expect(s.app.outbox.queueLength).toBe(0);
  });

  it('leaves the batch queued when add-messages times out (timeouts scaled by 0.01)', async () => {
    s = await registeredApp({ timeScale: 0.01 });
    const id = await s.app.queueMail({ account_id: 'acc', to: 'a@x.org', subject: 'a' });
    s.relay.on('POST /commands/add-messages', () => ({ hang: true }));
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 0 });
    expect(s.app.outbox.get(id)?.status).toBe('queued');
    expect(s.app.log.find('out', '/commands/add-messages')[0].note).toMatch(/Read timed out\. \(read timeout=10\.05\)$/);
  });

  it('fails a message locally when its file is missing and keeps it queued while the storage fails', async () => {
    s = await registeredApp();
    const missing = s.app.storage.put('home:missing.pdf', 'M');
    const flaky = s.app.storage.put('home:flaky.pdf', 'F');
    s.app.storage.remove(missing.storage_path);
    s.app.storage.fail(flaky.storage_path, 'S3 unreachable', 'read');
    const [a, b, c] = await s.app.queueMails([
      { account_id: 'acc', to: 'a@x.org', subject: 'a', attachments: [missing.storage_path] },
      { account_id: 'acc', to: 'b@x.org', subject: 'b', attachments: [flaky.storage_path] },
      { account_id: 'acc', to: 'c@x.org', subject: 'c', attachments: ['nodrive'] },
    ]);
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 0 });
    expect(s.relay.callsTo('POST /commands/add-messages')).toHaveLength(0);
    expect(s.app.outbox.get(a)).toMatchObject({ status: 'error', error_msg: "[Errno 2] No such file or directory: 'home:missing.pdf'" });
    expect(s.app.outbox.get(b)?.status).toBe('queued');
    expect(s.app.outbox.get(c)).toMatchObject({ status: 'error', error_msg: 'Attachment not found: nodrive' });
    s.app.storage.heal();
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 1 });
    expect(pushedIds(s.relay)).toEqual([[b]]);
  });

  it('fires one run-now per commit that queued mail, only while the service is active', async () => {
    s = await registeredApp();
    await s.app.queueMails([{ account_id: 'acc', to: 'a@x.org', subject: 'a' }, { account_id: 'acc', to: 'b@x.org', subject: 'b' }]);
    await s.app.queueMail({ account_id: 'acc', to: 'c@x.org', subject: 'c' });
    expect(s.relay.callsTo('POST /commands/run-now')).toHaveLength(2);
    s.relay.on('POST /commands/run-now', () => ({ status: 503, text: 'down' }));
    await expect(s.app.queueMail({ account_id: 'acc', to: 'd@x.org', subject: 'd' })).rejects.toThrow(/^Mail proxy request failed: 503 Server Error/);
    expect(s.app.outbox.queueLength).toBe(4);
    s.app.client.disabled = true;
    await s.app.queueMail({ account_id: 'acc', to: 'e@x.org', subject: 'e' });
    expect(s.relay.callsTo('POST /commands/run-now')).toHaveLength(3);
    // the sync itself does not look at `disabled`: it still pushes
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 5 });
  });

  it('serialises overlapping syncs and answers late when asked to', async () => {
    s = await registeredApp({ batchSize: 1 });
    await s.app.queueMails([{ account_id: 'acc', to: 'a@x.org', subject: 'a' }, { account_id: 'acc', to: 'b@x.org', subject: 'b' }]);
    let inFlight = 0;
    let overlap = false;
    s.relay.on('POST /commands/add-messages', async () => {
      overlap ||= ++inFlight > 1;
      await new Promise((r) => setTimeout(r, 80));
      inFlight--;
      return { json: { ok: true, queued: 1, rejected: [] } };
    });
    const answers = await Promise.all([relaySync(s.app, []), relaySync(s.app, [])]);
    expect(answers.map((a) => a.json)).toEqual([{ ok: true, queued: 1 }, { ok: true, queued: 1 }]);
    expect(overlap).toBe(false);
    expect(s.app.counters.maxConcurrentSyncs).toBe(2);
    s.app.faults.syncDelayMs = 150;
    const t = Date.now();
    await relaySync(s.app, []);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
  });
});
