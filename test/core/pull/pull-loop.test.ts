import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/logger.js';
import { PullLoop } from '../../../src/core/pull/pull-loop.js';
import { waitFor } from '../../support/common/wait.js';
import { FakePullApp } from '../../support/pull/fake-pull-app.js';
import { startTestRelay, type TestRelay } from '../../support/relay/test-relay.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const mail = (id: string, extra: Record<string, unknown> = {}) => ({ id, account_id: 'acc', from: 'app@example.com', to: ['user@example.com'], subject: `mail ${id}`, body: 'hello', ...extra });

async function setup(patch: { fetchUrl?: boolean } = {}): Promise<{ app: FakePullApp; t: TestRelay }> {
  const app = await new FakePullApp().start();
  cleanups.push(() => app.stop());
  const t = await startTestRelay(patch.fetchUrl ? { client: { fetchUrl: app.url } } : {});
  cleanups.push(() => t.stop());
  // sandbox mode: the account's host is never contacted, the sink captures the mail
  expect((await t.api('/account', { method: 'POST', json: { id: 'acc', host: '127.0.0.1', port: 2525 } })).status).toBe(200);
  return { app, t };
}

function loopFor(t: TestRelay, app: FakePullApp, timing = { idleMs: 60_000, backoffBaseMs: 40, backoffMaxMs: 1000, wakeDebounceMs: 10 }): PullLoop {
  const loop = new PullLoop({
    target: () => ({ baseUrl: app.url, user: null, password: null, token: null }),
    messages: t.relay.services.messages,
    bus: t.relay.ctx.bus,
    timeoutMs: 5000,
    logger: silentLogger(),
    timing,
  });
  cleanups.push(() => loop.stop());
  return loop;
}

const states = (app: FakePullApp) => Object.fromEntries([...app.outbox].map(([id, r]) => [id, r.state]));

describe('pull mode in a relay ([client] fetch_url)', () => {
  it('fetches the outbox, acknowledges after the commit, and reports each outcome to /delivery-report', async () => {
    const { app, t } = await setup({ fetchUrl: true });
    app.add(mail('p1'), mail('p2'), mail('p3', { from: '' }));
    // run-now: the relay polls soon instead of after its idle wait
    expect((await t.api('/commands/run-now', { method: 'POST' })).status).toBe(200);
    await waitFor(() => app.outbox.get('p1')!.state === 'sent' && app.outbox.get('p2')!.state === 'sent', 'both reported sent');
    expect(states(app)).toEqual({ p1: 'sent', p2: 'sent', p3: 'rejected' });
    expect(app.outbox.get('p3')!.error).toBe('missing from');
    expect(app.acks[0]).toEqual({ ok: true, queued: 2, accepted: ['p1', 'p2'], rejected: [{ id: 'p3', reason: 'missing from' }] });
    expect([...app.outbox.values()].map((r) => r.served)).toEqual([1, 1, 1]);
    const report = app.reports.find((r) => r.id === 'p1')!;
    expect(report).toMatchObject({ status: 'sent', account: 'acc', sandbox: true });
    expect(new Date(String(report.timestamp)).toISOString()).toBe(report.timestamp);
    // reported: the relay marked them, so nothing is posted twice
    await waitFor(async () => { const c = await t.relay.store.messages.countByState(); return c.sent + c.error === 2 && (await t.relay.store.messages.countUnreported()) === 0; }, 'both marked reported');
    expect(app.reports.filter((r) => r.id === 'p1')).toHaveLength(1);
    // the status names the pull destination
    expect(t.relay.reporter.status()).toMatchObject({ enabled: true, url: `${app.url}/delivery-report`, state: 'ok' });
  });
});

describe('PullLoop', () => {
  it('backs off exponentially while the application is down, then picks the work up', async () => {
    const { app, t } = await setup();
    app.down = true;
    app.add(mail('d1'));
    const loop = loopFor(t, app);
    loop.start();
    await waitFor(() => loop.status().failures >= 4, 'four failed attempts');
    app.down = false;
    const gaps = app.fetchTimes.slice(1, 4).map((at, i) => at - app.fetchTimes[i]!);
    // 40, 80, 160 ms at least: each failure doubles the wait
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(75);
    expect(gaps[2]).toBeGreaterThanOrEqual(155);
    await waitFor(() => app.outbox.get('d1')!.state === 'handed', 'fetched once the application is back');
    // the cycle that got the ack through clears the failures
    await waitFor(() => loop.status().failures === 0, 'the failures cleared');
    expect(loop.status()).toMatchObject({ last_error: null, fetched: 1 });
  });

  it('a failed ack is sent again before anything else is fetched: nothing is fetched twice', async () => {
    const { app, t } = await setup();
    app.add(mail('a1'), mail('a2'));
    app.ackStatuses = [500];
    const loop = loopFor(t, app);
    loop.start();
    await waitFor(() => app.acks.length === 1, 'the ack got through the second time');
    // the retried ack came first: the fetch after it finds the batch handed over
    await waitFor(() => app.fetchTimes.length >= 2, 'the next fetch');
    expect(states(app)).toEqual({ a1: 'handed', a2: 'handed' });
    expect([...app.outbox.values()].map((r) => r.served)).toEqual([1, 1]);
  });

  it('an application without acks that serves a message again gets it queued and sent once', async () => {
    const { app, t } = await setup();
    app.takesAcks = false;
    app.add(mail('l1'), mail('l2'));
    const loop = loopFor(t, app, { idleMs: 30, backoffBaseMs: 40, backoffMaxMs: 1000, wakeDebounceMs: 10 });
    loop.start();
    await waitFor(() => app.outbox.get('l1')!.served >= 3, 'served three times');
    await waitFor(async () => (await t.relay.store.messages.countByState()).sent === 2, 'both sent');
    expect(loop.status().acks_unsupported).toBe(true);
    await loop.stop();
    expect((await t.relay.store.captured.counts()).total).toBe(2);
    expect((await t.relay.store.messages.listAll({ tenantId: '' })).map((m) => m.id).sort()).toEqual(['l1', 'l2']);
  });

  it('an answer that is not {"messages": [...]} is a failure, named, with backoff', async () => {
    const { app, t } = await setup();
    app.fetchBodies = ['<html>login</html>', '{"messages": 5}'];
    app.add(mail('b1'));
    const loop = loopFor(t, app);
    loop.start();
    await waitFor(() => loop.status().failures === 1, 'the first failure');
    expect(loop.status().last_error).toBe('fetch-messages: the answer is not JSON');
    await waitFor(() => loop.status().failures === 2, 'the second failure');
    expect(loop.status().last_error).toBe('fetch-messages: expected {"messages": [...]}');
    await waitFor(() => app.outbox.get('b1')!.state === 'handed', 'the outbox served once the answers are right');
  });

  it('takes at most 1,000 messages per fetch and fetches the rest at once', async () => {
    const { app, t } = await setup();
    // no such account: each is rejected, which is enough to see what was taken
    app.add(...Array.from({ length: 1001 }, (_, i) => mail(`n${i}`, { account_id: 'nobody' })));
    const loop = loopFor(t, app);
    loop.start();
    await waitFor(() => app.acks.length === 2, 'two batches acknowledged');
    expect(app.acks.map((a) => (a.rejected as unknown[]).length)).toEqual([1000, 1]);
    expect((app.acks[0]!.rejected as { reason: string }[])[0]!.reason).toBe('account not found');
    const rows = [...app.outbox.values()];
    expect(rows.every((r) => r.state === 'rejected')).toBe(true);
    // the 1,001st was in the first answer too, beyond the limit, so not acknowledged then
    expect(rows.map((r) => r.served)).toEqual([...Array<number>(1000).fill(1), 2]);
  });

  it('a storage failure acknowledges nothing: the batch is served again', async () => {
    const { app, t } = await setup();
    app.add(mail('s1'));
    let fail = true;
    const messages = { add: (...args: Parameters<typeof t.relay.services.messages.add>) => (fail ? Promise.reject(new Error('disk full')) : t.relay.services.messages.add(...args)) };
    const loop = new PullLoop({ target: () => ({ baseUrl: app.url, user: null, password: null, token: null }), messages, bus: t.relay.ctx.bus, timeoutMs: 5000, logger: silentLogger(), timing: { idleMs: 60_000, backoffBaseMs: 40, backoffMaxMs: 1000, wakeDebounceMs: 10 } });
    cleanups.push(() => loop.stop());
    loop.start();
    await waitFor(() => loop.status().failures === 1, 'the failure recorded');
    expect(app.outbox.get('s1')!.state).toBe('new');
    expect(loop.status().last_error).toBe('disk full');
    fail = false;
    await waitFor(() => app.outbox.get('s1')!.state === 'handed', 'handed over on the next attempt');
    expect(app.outbox.get('s1')!.served).toBe(2);
  });
});
