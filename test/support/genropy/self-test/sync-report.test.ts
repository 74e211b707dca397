import { afterEach, describe, expect, it } from 'vitest';
import { AUTH_ERROR_TEXT, UserTable, decideTransient, verifyBasic } from '../index.js';
import { registeredApp, lastPush, pushedIds, type Setup } from './registered-app.js';
import { callApp, relaySync } from './stub-relay.js';

let s: Setup;
afterEach(() => s?.stop());

const basic = (cred: string) => `Basic ${Buffer.from(cred).toString('base64')}`;

describe('proxy_sync authentication (verifiers.py, reference §2.1)', () => {
  it('decides as AuthorizationBaseTagsVerifier does', () => {
    const users = new UserTable();
    users.set('mailproxy', 'pw');
    users.set('bob', 'pw', []);
    expect(verifyBasic(undefined, users)).toEqual({ ok: false, reason: 'Missing Basic Authorization' });
    expect(verifyBasic(`basic ${Buffer.from('mailproxy:pw').toString('base64')}`, users)).toEqual({ ok: false, reason: 'Wrong Authorization Mode' });
    expect(verifyBasic('Bearer abc', users)).toEqual({ ok: false, reason: 'Wrong Authorization Mode' });
    expect(verifyBasic(basic('mailproxy-pw'), users)).toEqual({ ok: false, reason: 'Invalid Authorization Header' });
    expect(verifyBasic('Basic abc', users)).toEqual({ ok: false, reason: 'Invalid Authorization Header' });
    expect(verifyBasic(basic('mailproxy:nope'), users)).toEqual({ ok: false, reason: 'Wrong Authorization Login' });
    expect(verifyBasic(basic('bob:pw'), users)).toEqual({ ok: false, reason: 'User not allowed' });
    expect(verifyBasic(basic('mailproxy:pw'), users)).toEqual({ ok: true, user: 'mailproxy' });
    expect(verifyBasic(basic('mailproxy:p:w'), users)).toEqual({ ok: false, reason: 'Wrong Authorization Login' });
  });

  it('answers a refused sync 200 with {"error": text} and processes nothing', async () => {
    s = await registeredApp();
    const id = await s.app.queueMail({ account_id: 'acc', to: 'a@x.org', subject: 's' });
    for (const auth of [null, basic('mailproxy:wrong'), 'Bearer x']) {
      const answer = await relaySync(s.app, [{ id, sent_ts: 1 }], auth);
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^application\/json/);
      expect(answer.json).toEqual({ error: AUTH_ERROR_TEXT });
    }
    expect(s.app.outbox.get(id)?.status).toBe('queued');
    expect(s.relay.callsTo('POST /commands/add-messages')).toHaveLength(0);
    expect(s.app.counters.syncAuthFailures).toBe(3);
    expect(s.app.log.find('in', '/proxy_sync').map((e) => e.note)).toEqual([
      'auth refused: Missing Basic Authorization',
      'auth refused: Wrong Authorization Login',
      'auth refused: Wrong Authorization Mode',
    ]);
  });

  it('accepts only the password of the last Register', async () => {
    s = await registeredApp();
    const before = s.app.basicAuth();
    expect((await relaySync(s.app, [], before)).json).toEqual({ ok: true, queued: 0 });
    await s.app.register();
    expect((await relaySync(s.app, [], before)).json).toEqual({ error: AUTH_ERROR_TEXT });
    expect((await relaySync(s.app, [])).json).toEqual({ ok: true, queued: 0 });
    s.app.faults.refuseAuth.sync = true;
    expect((await relaySync(s.app, [])).json).toEqual({ error: AUTH_ERROR_TEXT });
  });

  it('answers an unknown method in plain text without auth, and the page itself with Dummy rpc', async () => {
    s = await registeredApp();
    const unknown = await callApp(`${s.app.baseUrl}/proxy_sink`, {}, null);
    expect([unknown.status, unknown.contentType.split(';')[0], unknown.text]).toEqual([200, 'text/plain', 'Not existing method proxy_sink']);
    expect((await callApp(s.app.baseUrl, {}, null)).text).toBe('Dummy rpc');
    expect((await callApp(new URL('/email/other', s.app.baseUrl).toString(), {}, null)).status).toBe(404);
  });

  it('answers 500 (the site error page) for a body Genropy cannot read', async () => {
    s = await registeredApp();
    const wrongType = await callApp(s.app.syncUrl, '{"delivery_report": []}', s.app.basicAuth(), 'text/plain');
    expect([wrongType.status, wrongType.contentType.split(';')[0]]).toEqual([500, 'text/html']);
    expect((await callApp(s.app.syncUrl, '{nope', s.app.basicAuth())).status).toBe(500);
    expect((await relaySync(s.app, [{ sent_ts: 1 }])).status).toBe(500);
    expect((await callApp(s.app.syncUrl, { delivery_report: { id: 'x' } }, s.app.basicAuth())).status).toBe(500);
    expect((await callApp(s.app.syncUrl, [1], s.app.basicAuth())).status).toBe(500);
    // a falsy body is read as {} (get_json() or {})
    expect((await callApp(s.app.syncUrl, 'null', s.app.basicAuth())).json).toEqual({ ok: true, queued: 0 });
    expect(s.app.counters.syncFailures).toBe(3);
    expect(s.app.log.find('in', '/proxy_sync')[0].note).toMatch(/^415 Unsupported Media Type raised/);
  });
});

describe('proxy_sync delivery report (reference §2.1)', () => {
  it('marks sent, lets sent_ts win over error_ts, records final errors and lists unknown ids', async () => {
    s = await registeredApp();
    const [a, b, c] = await s.app.queueMails([1, 2, 3].map((n) => ({ account_id: 'acc', to: `u${n}@x.org`, subject: `s${n}` })));
    await relaySync(s.app, []);
    const answer = await relaySync(s.app, [
      { id: a, sent_ts: 1754480000, error_ts: 1754480001, error: 'ignored', deferred_ts: 5, sandbox: true },
      { id: b, error_ts: 1754480002, error: '550 no such user' },
      { id: 'nope', sent_ts: 1 },
      { id: c, sent_ts: '1754480003' },
    ]);
    expect(answer.json).toEqual({ error: [b], not_found: ['nope'], queued: 0 });
    expect(s.app.outbox.get(a)).toMatchObject({ status: 'sent', send_date: 1754480000, error_ts: null, error_msg: null, deferred_ts: null });
    expect(s.app.outbox.get(b)).toMatchObject({ status: 'error', error_ts: 1754480002, error_msg: '550 no such user' });
    expect(s.app.outbox.get(c)).toMatchObject({ status: 'sent', send_date: 1754480003 });
    expect(s.app.counters).toMatchObject({ reportedSent: 2, reportedError: 1, reportedNotFound: 1 });
  });

  it('keeps the last item of a repeated id and ignores non-numeric timestamps silently', async () => {
    s = await registeredApp();
    const [a, b] = await s.app.queueMails([{ account_id: 'acc', to: 'a@x.org', subject: 'a' }, { account_id: 'acc', to: 'b@x.org', subject: 'b' }]);
    await relaySync(s.app, []);
    const answer = await relaySync(s.app, [
      { id: a, sent_ts: 5 },
      { id: b, error_ts: 'soon', error: 'x' },
      { id: a, error_ts: 7, error: 'bounced' },
    ]);
    expect(answer.json).toEqual({ error: [a], queued: 0 });
    expect(s.app.outbox.get(a)).toMatchObject({ status: 'error', send_date: null, error_msg: 'bounced' });
    expect(s.app.outbox.get(b)).toMatchObject({ status: 'at_proxy', error_ts: null });
    expect((await relaySync(s.app, [{ id: b, sent_ts: 'tomorrow' }])).json).toEqual({ ok: true, queued: 0 });
    expect(s.app.outbox.get(b)?.status).toBe('at_proxy');
  });
});

describe('transient retry of attachment fetch failures (reference §2.3)', () => {
  it('re-queues with deferred_ts now + 0/300/900/3600/7200, resends the same id inside the sync, then fails', async () => {
    s = await registeredApp();
    const file = s.app.storage.put('home:mail/invoice.pdf', '%PDF-1.4 invoice');
    const id = await s.app.queueMail({ account_id: 'acc', to: 'a@x.org', subject: 'invoice', attachments: [file.storage_path] });
    await relaySync(s.app, []);
    const error = 'Attachment fetch failed for invoice.pdf: HTTP 503';
    for (const delay of [0, 300, 900, 3600, 7200]) {
      s.clock.advance(60);
      let answered = false;
      let openDuringPush = false;
      s.relay.on('POST /commands/add-messages', () => ((openDuringPush = !answered), { json: { ok: true, queued: 1, rejected: [] } }));
      const sync = relaySync(s.app, [{ id, error_ts: s.clock.sec, error }]).then((r) => ((answered = true), r));
      expect((await sync).json).toEqual({ ok: true, queued: 1 });
      expect(openDuringPush).toBe(true);
      expect(lastPush(s.relay).map((m) => m.id)).toEqual([id]);
      expect(lastPush(s.relay)[0].deferred_ts).toBe(delay ? s.clock.sec + delay : undefined);
      expect(s.app.outbox.get(id)?.deferred_ts).toBe(delay ? s.clock.sec + delay : null);
    }
    expect(s.app.outbox.get(id)?.sending_attempt.map((a) => a.error)).toEqual(Array(5).fill(error));
    // the sixth failure is final
    const final = await relaySync(s.app, [{ id, error_ts: s.clock.sec, error }]);
    expect(final.json).toEqual({ error: [id], queued: 0 });
    expect(s.app.outbox.get(id)).toMatchObject({ status: 'error', error_msg: error });
    expect(pushedIds(s.relay)).toHaveLength(6);
    expect(s.app.counters.transientRetries).toBe(5);
  });

  it('calls run-now from inside the sync before pushing, and fails the sync when run-now fails', async () => {
    s = await registeredApp();
    const file = s.app.storage.put('home:a.pdf', 'A');
    const id = await s.app.queueMail({ account_id: 'acc', to: 'a@x.org', subject: 's', attachments: [file.storage_path] });
    await relaySync(s.app, []);
    const before = s.relay.calls.length;
    await relaySync(s.app, [{ id, error_ts: 1, error: 'Attachment fetch failed for a.pdf: timeout' }]);
    expect(s.relay.calls.slice(before).map((c) => `${c.method} ${c.path}`)).toEqual(['POST /commands/run-now', 'POST /commands/add-messages']);
    s.relay.on('POST /commands/run-now', () => ({ status: 401, json: { detail: 'Invalid or missing API token' } }));
    const failed = await relaySync(s.app, [{ id, error_ts: 2, error: 'Attachment fetch failed for a.pdf: timeout' }]);
    expect(failed.status).toBe(500);
    // committed before run-now: the retry is recorded and waits in the queue for the next sync
    expect(s.app.outbox.get(id)).toMatchObject({ status: 'queued' });
    expect(s.app.outbox.get(id)?.sending_attempt).toHaveLength(2);
  });

  it('is final for other errors and for a file that is gone, and retries while the storage fails', async () => {
    s = await registeredApp();
    const gone = s.app.storage.put('home:gone.pdf', 'G');
    const flaky = s.app.storage.put('home:flaky.pdf', 'F');
    const [a, b, c] = await s.app.queueMails([
      { account_id: 'acc', to: 'a@x.org', subject: 'a' },
      { account_id: 'acc', to: 'b@x.org', subject: 'b', attachments: [gone.storage_path] },
      { account_id: 'acc', to: 'c@x.org', subject: 'c', attachments: [flaky.storage_path] },
    ]);
    await relaySync(s.app, []);
    s.app.storage.remove(gone.storage_path);
    s.app.storage.fail(flaky.storage_path, 'S3 timeout', 'check');
    const answer = await relaySync(s.app, [
      { id: a, error_ts: 1, error: 'Connection refused by smtp' },
      { id: b, error_ts: 1, error: 'Attachment fetch failed for gone.pdf: HTTP 404' },
      { id: c, error_ts: 1, error: 'Attachment fetch failed for flaky.pdf: HTTP 503' },
    ]);
    expect(answer.json).toEqual({ error: [a, b], queued: 1 });
    expect(lastPush(s.relay).map((m) => m.id)).toEqual([c]);
  });

  it('decides as a pure function', () => {
    const no = () => false;
    expect(decideTransient('x Attachment fetch failed y', 0, no)).toEqual({ kind: 'retry', attempt: 1, delaySeconds: 0 });
    expect(decideTransient('Attachment fetch failed', 4, no)).toEqual({ kind: 'retry', attempt: 5, delaySeconds: 7200 });
    expect(decideTransient('Attachment fetch failed', 5, no)).toEqual({ kind: 'final', why: 'attempts-exhausted' });
    expect(decideTransient('attachment fetch failed', 0, no)).toEqual({ kind: 'final', why: 'not-transient' });
    expect(decideTransient('Attachment fetch failed', 0, () => true)).toEqual({ kind: 'final', why: 'attachment-missing' });
    expect(decideTransient(null, 0, no)).toEqual({ kind: 'final', why: 'not-transient' });
  });
});
