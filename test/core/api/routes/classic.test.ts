import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSideDb } from '../../../support/sqlite/side-db.js';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';
import { messageKey as key } from '../../../../src/core/store/records.js';

let t: TestRelay;

const msg = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  account_id: 'acc',
  from: 'sender@example.com',
  to: ['rcpt@example.com'],
  subject: `Subject ${id}`,
  body: 'hello',
  ...extra,
});

async function addMessages(body: unknown) {
  const r = await t.api('/commands/add-messages', { method: 'POST', json: body });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  // paused: nothing is dispatched while these tests inspect the queue
  t = await startTestRelay();
  await t.relay.ctx.settings.update({ paused: true });
  const r = await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } });
  expect(r.status).toBe(200);
});
afterAll(() => t.stop());

describe('authentication', () => {
  const routes: [string, string][] = [
    ['GET', '/status'],
    ['POST', '/commands/run-now'],
    ['POST', '/commands/suspend'],
    ['POST', '/commands/activate'],
    ['POST', '/commands/add-messages'],
    ['POST', '/commands/delete-messages'],
    ['POST', '/commands/cleanup-messages'],
    ['POST', '/account'],
    ['GET', '/accounts'],
    ['DELETE', '/account/acc'],
    ['GET', '/messages'],
    ['GET', '/metrics'],
    ['GET', '/api/messages'],
    ['GET', '/api/settings'],
    ['PATCH', '/api/settings'],
    ['GET', '/api/stats'],
  ];
  it.each(routes)('%s %s needs the token', async (method, path) => {
    const r = await fetch(t.url + path, { method });
    expect(r.status).toBe(401);
    const body = await r.json();
    if (path.startsWith('/api/')) expect(body.error.code).toBe('unauthorized');
    else expect(body).toEqual({ detail: 'Invalid or missing API token' });
    const wrong = await fetch(t.url + path, { method, headers: { 'X-API-Token': 'nope' } });
    expect(wrong.status).toBe(401);
  });

  it('health is public and the token works as a Bearer header too', async () => {
    expect(await (await fetch(`${t.url}/health`)).json()).toEqual({ status: 'ok' });
    const r = await fetch(`${t.url}/status`, { headers: { Authorization: `Bearer ${t.token}` } });
    expect(r.status).toBe(200);
  });
});

describe('add-messages', () => {
  it('queues messages and reports exact rejection reasons', async () => {
    const r = await addMessages({
      messages: [
        msg('ok-1'),
        msg('', {}),
        msg('no-from', { from: '' }),
        msg('no-to', { to: ['', null] }),
        msg('bad-acc', { account_id: 'ghost' }),
        msg('no-acc', { account_id: null }),
        msg('crlf', { subject: 'a\r\nBcc: victim@example.com' }),
        msg('crlf-header', { headers: { 'X-Tag': 'a\nb' } }),
        msg('ok-2', { to: 'a@example.com, b@example.com' }),
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    expect(r.body.queued).toBe(2);
    expect(r.body.rejected).toEqual([
      { reason: 'missing id' },
      { id: 'no-from', reason: 'missing from' },
      { id: 'no-to', reason: 'missing to' },
      { id: 'bad-acc', reason: 'account not found' },
      { id: 'no-acc', reason: 'missing account configuration' },
      { id: 'crlf', reason: 'invalid subject: contains CR or LF' },
      { id: 'crlf-header', reason: 'invalid header X-Tag: contains CR or LF' },
    ]);
    const stored = await t.relay.store.messages.get(key('ok-2'));
    expect(stored?.payload.to).toEqual(['a@example.com', 'b@example.com']);
    expect(stored?.state).toBe('queued');
  });

  it('answers 400 when every message is rejected, with the top-level fields Genropy reads beside the classic detail', async () => {
    const r = await addMessages({ messages: [msg('x1', { from: '' }), msg('', {})] });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      ok: false,
      queued: 0,
      rejected: [{ id: 'x1', reason: 'missing from' }, { reason: 'missing id' }],
      detail: { error: 'all messages rejected', rejected: [{ id: 'x1', reason: 'missing from' }, { id: null, reason: 'missing id' }] },
    });
  });

  it('refuses more than 1,000 messages at once and stores none', async () => {
    const messages = Array.from({ length: 1001 }, (_, i) => msg(`big-${i}`));
    const r = await addMessages({ messages });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ detail: { error: 'Cannot enqueue more than 1000 messages at once', rejected: null } });
    expect(await t.relay.store.messages.get(key('big-0'))).toBeNull();
  });

  it('rejects a message that fails the schema alone, naming the field; a body that is not {messages: [...]} is a 422', async () => {
    const r = await addMessages({ messages: [msg('s1'), { id: 's2', from: 'a@b.c', to: ['x@y.z'], body: 'no subject' }] });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, queued: 1, rejected: [{ id: 's2', reason: 'missing subject' }] });
    expect((await t.relay.store.messages.get(key('s1')))?.state).toBe('queued');
    expect(await t.relay.store.messages.get(key('s2'))).toBeNull();

    const wrongType = await addMessages({ messages: [msg('s3', { priority: 'urgent' })] });
    expect(wrongType.status).toBe(400);
    // a union field says what it expected, not zod's bare "Invalid input"
    expect(wrongType.body.rejected).toEqual([{ id: 's3', reason: "invalid priority: Input should be 'immediate', 'high', 'medium', 'low' or an integer" }]);
    const numberAsText = await addMessages({ messages: [msg('s4', { to: 5 })] });
    expect(numberAsText.body.rejected).toEqual([{ id: 's4', reason: 'invalid to: Invalid input: expected string or array, received number' }]);
    const notList = await addMessages({ messages: 'nope' });
    expect(notList.status).toBe(422);
    expect(notList.body.detail).toEqual([{ loc: ['body', 'messages'], msg: expect.any(String), type: 'value_error' }]);
  });

  it('rejects malformed JSON and oversized bodies with 4xx JSON, never 500', async () => {
    const bad = await fetch(`${t.url}/commands/add-messages`, {
      method: 'POST',
      headers: { 'X-API-Token': t.token, 'Content-Type': 'application/json' },
      body: '{"messages": [',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).detail).toMatch(/invalid JSON/);
    const huge = await fetch(`${t.url}/commands/add-messages`, {
      method: 'POST',
      headers: { 'X-API-Token': t.token, 'Content-Type': 'application/json' },
      // over the classic routes' 64 MB default (a 1,000-message batch of Genropy's is ~14 MB)
      body: JSON.stringify({ messages: [msg('huge', { body: 'x'.repeat(65 * 1024 * 1024) })] }),
    });
    expect(huge.status).toBe(413);
    expect(await t.relay.store.messages.get(key('huge'))).toBeNull();
  });

  it('normalises priorities, applies default_priority and schedules deferred_ts', async () => {
    const future = Math.floor(Date.now() / 1000) + 3600;
    const r = await addMessages({
      default_priority: 'low',
      messages: [
        msg('p-label', { priority: 'HIGH' }),
        msg('p-num', { priority: '7' }),
        msg('p-default'),
        msg('p-deferred', { deferred_ts: future, priority: 0 }),
      ],
    });
    expect(r.body.queued).toBe(4);
    expect((await t.relay.store.messages.get(key('p-label')))?.priority).toBe(1);
    expect((await t.relay.store.messages.get(key('p-num')))?.priority).toBe(3);
    expect((await t.relay.store.messages.get(key('p-default')))?.priority).toBe(3);
    const d = await t.relay.store.messages.get(key('p-deferred'));
    expect(d?.state).toBe('deferred');
    expect(d?.deferred_ts).toBe(future);
    expect(d?.deferred_reason).toBe('scheduled');
  });

  it('replaces a pending or failed id in place but refuses a sent one', async () => {
    await addMessages({ messages: [msg('up-1', { subject: 'first' })] });
    const before = (await t.relay.store.messages.get(key('up-1')))!;
    const r = await addMessages({ messages: [msg('up-1', { subject: 'second' })] });
    expect(r.body.queued).toBe(1);
    const after = (await t.relay.store.messages.get(key('up-1')))!;
    expect(after.subject).toBe('second');
    expect(after.created_ts).toBe(before.created_ts);

    // mark it sent directly in the database, as a delivery would
    withSideDb(t.relay.ctx.config.dbPath, (db) => db.prepare(`UPDATE messages SET state='sent', sent_ts=unixepoch() WHERE id='up-1'`).run());
    const again = await addMessages({ messages: [msg('up-1', { subject: 'third' }), msg('up-2')] });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ok: true, queued: 1, rejected: [{ id: 'up-1', reason: 'already sent' }] });
    expect((await t.relay.store.messages.get(key('up-1')))?.subject).toBe('second');

    withSideDb(t.relay.ctx.config.dbPath, (db) => db.prepare(`UPDATE messages SET state='error', error_ts=unixepoch(), error='boom' WHERE id='up-2'`).run());
    const retried = await addMessages({ messages: [msg('up-2', { subject: 'retry' })] });
    expect(retried.body.queued).toBe(1);
    const m = (await t.relay.store.messages.get(key('up-2')))!;
    expect(m.state).toBe('queued');
    expect(m.error).toBeNull();
  });
});

describe('messages, delete, cleanup', () => {
  it('lists every message in dispatch order with nulls omitted, and honours active_only', async () => {
    const r = await t.api('/messages');
    const body = await r.json();
    expect(body.ok).toBe(true);
    const first = body.messages[0];
    expect(first).not.toHaveProperty('sent_ts');
    expect(first.message).toHaveProperty('subject');
    expect(first.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    const prios = body.messages.map((m: { priority: number }) => m.priority);
    expect([...prios].sort((a: number, b: number) => a - b)).toEqual(prios);
    const active = await (await t.api('/messages?active_only=true')).json();
    expect(active.messages.every((m: { sent_ts?: number }) => m.sent_ts === undefined)).toBe(true);
    expect(active.messages.length).toBeLessThan(body.messages.length);
  });

  it('deletes by id, de-duplicating and reporting unknown ids', async () => {
    await addMessages({ messages: [msg('del-1'), msg('del-2')] });
    const r = await t.api('/commands/delete-messages', { method: 'POST', json: { ids: ['del-1', 'del-1', 'ghost', '', null, 'del-2'] } });
    expect(await r.json()).toEqual({ ok: true, removed: 2, not_found: ['ghost'] });
    expect(await t.relay.store.messages.timeline(key('del-1'), null)).toEqual([]);
    const bad = await t.api('/commands/delete-messages', { method: 'POST', json: { ids: 'del-1' } });
    expect(bad.status).toBe(422);
  });

  it('cleanup removes only reported final messages older than the window', async () => {
    await addMessages({ messages: [msg('cl-1'), msg('cl-2')] });
    const old = Math.floor(Date.now() / 1000) - 10_000;
    withSideDb(t.relay.ctx.config.dbPath, (db) => db.prepare(`UPDATE messages SET state='sent', sent_ts=?, reported_ts=? WHERE id='cl-1'`).run(old, old));
    const none = await (await t.api('/commands/cleanup-messages', { method: 'POST', json: { older_than_seconds: 20_000 } })).json();
    expect(none).toEqual({ ok: true, removed: 0 });
    const some = await (await t.api('/commands/cleanup-messages', { method: 'POST', json: { older_than_seconds: 0 } })).json();
    expect(some).toEqual({ ok: true, removed: 1 });
    expect(await t.relay.store.messages.get(key('cl-2'))).not.toBeNull();
    const noBody = await t.api('/commands/cleanup-messages', { method: 'POST' });
    expect(noBody.status).toBe(200);
  });
});

describe('commands', () => {
  it('suspend and activate answer active and toggle dispatch', async () => {
    expect(await (await t.api('/commands/activate', { method: 'POST' })).json()).toEqual({ ok: true, active: true });
    expect(await (await t.api('/status')).json()).toEqual({ ok: true, active: true });
    expect(await (await t.api('/commands/suspend', { method: 'POST' })).json()).toEqual({ ok: true, active: false });
    expect(t.relay.ctx.settings.current().paused).toBe(true);
    const woke: string[] = [];
    t.relay.ctx.bus.once('dispatch.wake', () => woke.push('dispatch'));
    t.relay.ctx.bus.once('report.wake', () => woke.push('report'));
    expect(await (await t.api('/commands/run-now', { method: 'POST' })).json()).toEqual({ ok: true });
    expect(woke.sort()).toEqual(['dispatch', 'report']);
  });
});

describe('accounts', () => {
  it('upserts, lists without passwords and nulls, deletes with its messages', async () => {
    const r = await t.api('/account', {
      method: 'POST',
      json: { id: 'acc2', host: 'smtp.example.com', port: 587, user: 'u', password: 'secret', limit_per_minute: 10, use_tls: null, ttl: null },
    });
    expect(r.status).toBe(200);
    const list = await (await t.api('/accounts')).json();
    const acc2 = list.accounts.find((a: { id: string }) => a.id === 'acc2');
    expect(acc2).toMatchObject({ id: 'acc2', host: 'smtp.example.com', port: 587, user: 'u', ttl: 300, limit_per_minute: 10, limit_behavior: 'defer' });
    expect(acc2).not.toHaveProperty('password');
    expect(acc2).not.toHaveProperty('limit_per_hour');
    expect(JSON.stringify(list)).not.toContain('secret');

    // an edit without the password keeps it for the same server; another host drops it, and the answer says so
    const same = await t.api('/account', { method: 'POST', json: { id: 'acc2', host: 'smtp.example.com', port: 587, user: 'u', limit_per_minute: 20 } });
    expect(await same.json()).toEqual({ ok: true });
    expect((await t.relay.store.accounts.get('', 'acc2'))?.password).toBe('secret');
    const moved = await t.api('/account', { method: 'POST', json: { id: 'acc2', host: 'smtp2.example.com', port: 587, user: 'u' } });
    expect(await moved.json()).toEqual({ ok: true, secrets_dropped: ['password'], message: expect.stringContaining('host changed') });
    expect((await t.relay.store.accounts.get('', 'acc2'))?.password).toBeNull();
    expect((await t.relay.store.accounts.get('', 'acc2'))?.host).toBe('smtp2.example.com');
    await t.api('/account', { method: 'POST', json: { id: 'acc2', host: 'smtp2.example.com', port: 587, user: 'u', password: 'secret' } });
    expect((await t.relay.store.accounts.get('', 'acc2'))?.password).toBe('secret');
    await t.api('/account', { method: 'POST', json: { id: 'acc2', host: 'smtp2.example.com', port: 587, user: 'u', password: null } });
    expect((await t.relay.store.accounts.get('', 'acc2'))?.password).toBeNull();

    await addMessages({ messages: [msg('acc2-msg', { account_id: 'acc2' })] });
    expect((await t.api('/account/acc2', { method: 'DELETE' })).status).toBe(200);
    expect(await t.relay.store.messages.get(key('acc2-msg'))).toBeNull();
    expect((await t.api('/account/never-existed', { method: 'DELETE' })).status).toBe(200);
  });

  it('rejects invalid accounts with 422 naming the field', async () => {
    for (const [body, field] of [
      [{ id: 'x', host: 'h', port: 70000 }, 'port'],
      [{ id: 'x', port: 25 }, 'host'],
      [{ id: 'x', host: 'h', port: 25, limit_behavior: 'explode' }, 'limit_behavior'],
      [{ id: 'x', host: 'h\r\nX: y', port: 25 }, 'host'],
      [{ id: '', host: 'h', port: 25 }, 'id'],
    ] as const) {
      const r = await t.api('/account', { method: 'POST', json: body });
      expect(r.status).toBe(422);
      const detail = (await r.json()).detail as { loc: string[] }[];
      expect(detail.map((d) => d.loc.join('.'))).toContain(`body.${field}`);
    }
  });
});
