import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeSettingsValues } from '../../../src/core/settings/runtime-settings.js';
import { nowSec } from '../../../src/core/clock.js';
import type { ReportOutcome } from '../../../src/core/events.js';
import { createReporter, type Reporter, type ReporterTiming } from '../../../src/core/report/reporter.js';
import { makeContext, type TestContext } from '../../support/relay/context.js';
import { addFinal, payload, reportedTs, isReported, stateOf } from '../../support/report/final-messages.js';
import { reporterDeps } from '../../support/report/reporter-deps.js';
import { withSideDb } from '../../support/sqlite/side-db.js';
import { FakeUpstream } from '../../support/report/upstream.js';
import { waitFor } from '../../support/common/wait.js';
import { messageKey as key } from '../../../src/core/store/records.js';

const FAST: Partial<ReporterTiming> = {
  backoffBaseMs: 40,
  backoffCapMs: 200,
  wakeDebounceMs: 5,
  minEmptySyncSpacingMs: 50,
  retentionInitialDelayMs: 60_000,
};

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup(opts: {
  settings?: Partial<RuntimeSettingsValues>;
  client?: { batchSize?: number; timeoutMs?: number };
  testMode?: boolean;
  timing?: Partial<ReporterTiming>;
  upstream?: boolean;
} = {}) {
  const upstream = new FakeUpstream();
  if (opts.upstream !== false) await upstream.start();
  const t: TestContext = await makeContext({
    config: { client: { batchSize: 1000, timeoutMs: 2000, ...opts.client }, testMode: opts.testMode ?? false },
    settings: { client_sync_url: upstream.port ? upstream.url : null, ...opts.settings },
  });
  const reporter: Reporter = createReporter({ ...reporterDeps(t), timing: { ...FAST, ...opts.timing } });
  const outcomes: ReportOutcome[] = [];
  t.bus.on('report', (o) => outcomes.push(o));
  cleanups.push(async () => {
    await reporter.stop();
    await upstream.stop();
    await t.close();
  });
  return { ...t, upstream, reporter, outcomes, now: () => nowSec(t.clock) };
}

describe('proxy_sync delivery reports', () => {
  it('POSTs only final outcomes with exactly the protocol fields, with Basic auth, and marks them reported', async () => {
    const s = await setup({ settings: { client_sync_user: 'mailproxy', client_sync_password: 'sécret' } });
    const t0 = s.now();
    await addFinal(s, ['m-sent'], { state: 'sent', ts: t0 - 10 });
    await addFinal(s, ['m-err'], { state: 'error', ts: t0 - 5, error: '550 no such user (SMTP 550)' });
    await addFinal(s, ['m-sandbox'], { state: 'sent', ts: t0 - 1, sandbox: true });
    await s.store.messages.enqueue([payload('m-queued'), { ...payload('m-later'), deferred_ts: t0 + 3600 }], t0);

    s.reporter.start();
    await waitFor(() => s.upstream.calls.length >= 1, 'first sync');
    const call = s.upstream.calls[0];
    expect(call.authorization).toBe(`Basic ${Buffer.from('mailproxy:sécret').toString('base64')}`);
    expect(call.contentType).toMatch(/application\/json/);
    expect(Object.keys(call.body as object)).toEqual(['delivery_report']);
    expect(call.items).toEqual([
      { id: 'm-sent', account_id: 'acc', priority: 2, sent_ts: t0 - 10, error_ts: null, error: null, deferred_ts: null },
      { id: 'm-err', account_id: 'acc', priority: 2, sent_ts: null, error_ts: t0 - 5, error: '550 no such user (SMTP 550)', deferred_ts: null },
      { id: 'm-sandbox', account_id: 'acc', priority: 2, sent_ts: t0 - 1, error_ts: null, error: null, deferred_ts: null, sandbox: true },
    ]);

    await waitFor(async () => (await isReported(s, 'm-sandbox')), 'rows marked reported');
    // the outcome stays, the report is told apart (#20.1)
    for (const [id, outcome] of [['m-sent', 'sent'], ['m-err', 'error'], ['m-sandbox', 'sent']] as const) {
      expect(await stateOf(s, id)).toBe(outcome);
      expect(await reportedTs(s, id)).toBe(t0);
      const timeline = await s.store.messages.timeline(key(id), 'acc');
      expect(timeline.at(-1)).toMatchObject({ type: 'reported', state: outcome, ts: t0 });
    }
    expect(await stateOf(s, 'm-queued')).toBe('queued');
    expect(await stateOf(s, 'm-later')).toBe('deferred');
    expect(s.outcomes[0]).toEqual({ ts: t0, ok: true, sent: 3, status: 200 });
    expect(s.reporter.status()).toMatchObject({ enabled: true, state: 'ok', consecutive_failures: 0, last_error: null, last_success_ts: t0 });

    // nothing is reported twice: the next sync is an empty heartbeat
    s.reporter.wake();
    await waitFor(() => s.upstream.calls.length >= 2, 'second sync');
    expect(s.upstream.calls[1].ids).toEqual([]);
    expect(s.upstream.reportedIds()).toEqual(['m-sent', 'm-err', 'm-sandbox']);
  });

  it('uses Bearer when a token is configured (it wins over Basic)', async () => {
    const s = await setup({ settings: { client_sync_token: 'tok-123', client_sync_user: 'u', client_sync_password: 'p' } });
    await addFinal(s, ['b1'], { state: 'sent', ts: s.now() });
    s.reporter.start();
    await waitFor(async () => (await isReported(s, 'b1')), 'b1 reported');
    expect(s.upstream.calls[0].authorization).toBe('Bearer tok-123');
  });

  it('sends credentials written in the URL as Basic auth, and no auth header when none is configured', async () => {
    const s = await setup();
    s.reporter.start();
    await waitFor(() => s.upstream.calls.length >= 1, 'first sync');
    expect(s.upstream.calls[0].authorization).toBeUndefined();
    await s.settings.update({ client_sync_url: s.upstream.url.replace('http://', 'http://ann:p%40ss@') });
    await waitFor(() => s.upstream.calls.length >= 2, 'sync to the new URL');
    expect(s.upstream.calls[1].authorization).toBe(`Basic ${Buffer.from('ann:p@ss').toString('base64')}`);
    expect(s.reporter.status().url).toBe(s.upstream.url);
  });

  it('keeps everything through 500, an HTML error page, a hang past the timeout and a refused connection, then delivers each outcome once', async () => {
    const s = await setup({ client: { timeoutMs: 300 } });
    const port = s.upstream.port;
    await addFinal(s, ['f1', 'f2'], { state: 'sent', ts: s.now() });
    await addFinal(s, ['f3'], { state: 'error', ts: s.now() });
    s.upstream.reply(
      { status: 500, body: 'Internal Server Error' },
      { status: 502, contentType: 'text/html', body: '<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>' },
      { hang: true },
    );
    s.reporter.start();

    await waitFor(() => s.outcomes.length >= 1, 'first failure');
    expect(s.outcomes[0]).toMatchObject({ ok: false, sent: 0, status: 500 });
    expect(s.outcomes[0].error).toContain('HTTP 500');
    await waitFor(() => s.outcomes.length >= 2, 'second failure');
    expect(s.outcomes[1]).toMatchObject({ ok: false, status: 502, error: 'HTTP 502 Bad Gateway: 502 Bad Gateway' });
    await waitFor(() => s.outcomes.length >= 3, 'timeout');
    expect(s.outcomes[2].error).toBe('no answer within 300 ms');

    // now the application is down
    await s.upstream.stop();
    await waitFor(() => s.outcomes.length >= 4, 'connection refused');
    expect(s.outcomes[3].error).toMatch(/ECONNREFUSED/);

    const failing = s.reporter.status();
    expect(failing.state).toBe('failing');
    expect(failing.consecutive_failures).toBeGreaterThanOrEqual(4);
    expect(failing.failing_since).toBe(s.now());
    expect(failing.last_error).toMatch(/ECONNREFUSED/);
    expect(failing.next_attempt_ts).not.toBeNull();
    for (const id of ['f1', 'f2', 'f3']) {
      expect(await isReported(s, id)).toBe(false);
      expect(await reportedTs(s, id)).toBeNull();
    }
    // every attempt carried the same outcomes: nothing lost
    for (const call of s.upstream.calls) expect(call.ids).toEqual(['f1', 'f2', 'f3']);

    // the application comes back on the same address
    await s.upstream.start(port);
    await waitFor(async () => (await isReported(s, 'f3')), 'recovery');
    const acked = s.upstream.calls.length;
    expect(s.reporter.status()).toMatchObject({ state: 'ok', consecutive_failures: 0, failing_since: null, last_error: null });

    s.reporter.wake();
    await waitFor(() => s.upstream.calls.length > acked, 'a later sync');
    expect(s.upstream.calls.at(-1)!.ids).toEqual([]);
    expect(s.upstream.calls.slice(0, acked).every((c) => c.ids.join() === 'f1,f2,f3')).toBe(true);
  });

  it('backs off exponentially while the application keeps failing, and wakes do not bypass the backoff', async () => {
    const s = await setup({ timing: { backoffBaseMs: 100, backoffCapMs: 400 } });
    s.upstream.defaultReply = { status: 503, body: 'busy' };
    await addFinal(s, ['x'], { state: 'sent', ts: s.now() });
    s.reporter.start();
    const times: number[] = [];
    s.bus.on('report', () => times.push(performance.now()));
    await waitFor(() => times.length >= 5, 'five failures', 15_000);
    for (let i = 0; i < 10; i++) s.reporter.wake();
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // base 100 ms doubling with ±10% jitter, capped at 400 ms: never faster than the schedule
    expect(gaps[0]).toBeGreaterThanOrEqual(85);
    expect(gaps[1]).toBeGreaterThanOrEqual(170);
    expect(gaps[2]).toBeGreaterThanOrEqual(340);
    expect(gaps[3]).toBeGreaterThanOrEqual(340);
    const callsNow = s.upstream.calls.length;
    await new Promise((r) => setTimeout(r, 150));
    // the burst of wakes did not trigger a call before the backoff ran out
    expect(s.upstream.calls.length).toBeLessThanOrEqual(callsNow + 1);
    // syncNow (an operator's "retry now") does
    s.upstream.defaultReply = { status: 200, body: { ok: true } };
    s.reporter.syncNow();
    await waitFor(async () => (await isReported(s, 'x')), 'forced sync');
  });

  it('treats a redirect as a failure (typically a login page), not as an acknowledgement', async () => {
    const s = await setup();
    s.upstream.reply({ status: 302, headers: { Location: '/login' } });
    await addFinal(s, ['r1'], { state: 'sent', ts: s.now() });
    s.reporter.start();
    await waitFor(() => s.outcomes.length >= 1, 'first answer');
    expect(s.outcomes[0]).toMatchObject({ ok: false, status: 302, error: 'HTTP 302 Found (redirect to /login)' });
    expect(await stateOf(s, 'r1')).toBe('sent');
    await waitFor(async () => (await isReported(s, 'r1')), 'retry acknowledged');
  });

  it('acknowledges on any 2xx: Genropy error/not_found lists and a non-JSON body still mark the rows reported', async () => {
    const s = await setup();
    s.upstream.reply(
      { status: 200, body: { error: ['g2'], not_found: ['g3'], queued: 0 } },
      { status: 200, contentType: 'text/html', body: '<html>thanks</html>' },
    );
    await addFinal(s, ['g1', 'g3'], { state: 'sent', ts: s.now() });
    await addFinal(s, ['g2'], { state: 'error', ts: s.now() });
    s.reporter.start();
    await waitFor(async () => (await Promise.all(['g1', 'g2', 'g3'].map((id) => isReported(s, id)))).every(Boolean), 'first batch reported');
    expect(s.reporter.status().last_answer).toEqual({ queued: 0, error_ids: 1, not_found_ids: 1, json: true });

    await addFinal(s, ['h1'], { state: 'sent', ts: s.now() });
    s.reporter.wake();
    await waitFor(async () => (await isReported(s, 'h1')), 'non-JSON ack');
    expect(s.reporter.status().last_answer).toMatchObject({ json: false });
  });

  it('syncs again at once while the application answers queued > 0, reporting what it pushed meanwhile', async () => {
    const s = await setup();
    let pushed = 0;
    s.upstream.onCall = async () => {
      // the application pushes work during the sync; it is delivered before the follow-up
      if (pushed < 2) {
        pushed++;
        await addFinal(s, [`pushed-${pushed}`], { state: 'sent', ts: s.now() });
      }
    };
    s.upstream.reply(
      { status: 200, body: { ok: true, queued: 1 } },
      { status: 200, body: { ok: true, queued: 1 } },
      { status: 200, body: { ok: true, queued: 0 } },
    );
    s.reporter.start();
    await waitFor(() => s.upstream.calls.length >= 3, 'three syncs');
    expect(s.upstream.calls.map((c) => c.ids)).toEqual([[], ['pushed-1'], ['pushed-2']]);
    await waitFor(async () => (await isReported(s, 'pushed-2')), 'pushed-2 reported');
    // after queued: 0 the loop waits for the heartbeat interval (300 s)
    await new Promise((r) => setTimeout(r, 200));
    expect(s.upstream.calls.length).toBe(3);
    expect(s.reporter.status().next_attempt_ts).toBeGreaterThanOrEqual(s.now() + 290);
  });

  it('bounds every POST to the batch size and drains a backlog without waiting', async () => {
    const s = await setup({ client: { batchSize: 2 } });
    await addFinal(s, ['a1', 'a2', 'a3', 'a4', 'a5'], { state: 'sent', ts: s.now() });
    s.reporter.start();
    await waitFor(async () => (await isReported(s, 'a5')), 'backlog drained');
    const sizes = s.upstream.calls.map((c) => c.ids.length);
    expect(sizes.slice(0, 3)).toEqual([2, 2, 1]);
    expect(s.upstream.reportedIds().slice(0, 5).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
  });

  it('sends an empty report as a heartbeat every report_interval_seconds', async () => {
    const s = await setup({ settings: { report_interval_seconds: 1 } });
    s.reporter.start();
    await waitFor(() => s.upstream.calls.length >= 3, 'three heartbeats', 8000);
    expect(s.upstream.calls.every((c) => c.ids.length === 0)).toBe(true);
    expect(s.outcomes.every((o) => o.ok && o.sent === 0)).toBe(true);
  });

  it('in test_mode syncs only when woken: no start-up sync and no heartbeat', async () => {
    const s = await setup({ testMode: true, settings: { report_interval_seconds: 1 } });
    s.reporter.start();
    await new Promise((r) => setTimeout(r, 1300));
    expect(s.upstream.calls.length).toBe(0);
    expect(s.reporter.status().next_attempt_ts).toBeNull();
    await addFinal(s, ['tm'], { state: 'sent', ts: s.now() });
    s.reporter.wake();
    await waitFor(async () => (await isReported(s, 'tm')), 'reported on wake');
    await new Promise((r) => setTimeout(r, 1300));
    expect(s.upstream.calls.length).toBe(1);
  });

  it('honours next_sync_after as a quiet period, until an operator forces a sync', async () => {
    const s = await setup();
    s.upstream.reply({ status: 200, body: { ok: true, next_sync_after: s.now() + 600 } });
    s.reporter.start();
    await waitFor(() => s.upstream.calls.length >= 1, 'first sync');
    await waitFor(() => s.reporter.status().state === 'ok', 'acknowledged');
    expect(s.reporter.status().next_attempt_ts).toBeGreaterThanOrEqual(s.now() + 590);
    await addFinal(s, ['q1'], { state: 'sent', ts: s.now() });
    s.reporter.wake();
    await new Promise((r) => setTimeout(r, 200));
    expect(s.upstream.calls.length).toBe(1);
    s.reporter.syncNow();
    await waitFor(async () => (await isReported(s, 'q1')), 'forced sync');
  });

  it('does not report while paused, and reports what piled up on resume', async () => {
    const s = await setup({ settings: { paused: true } });
    await addFinal(s, ['p1'], { state: 'sent', ts: s.now() });
    s.reporter.start();
    s.reporter.wake();
    s.reporter.syncNow();
    await new Promise((r) => setTimeout(r, 200));
    expect(s.upstream.calls.length).toBe(0);
    expect(s.reporter.status()).toMatchObject({ state: 'paused', paused: true, next_attempt_ts: null });
    await s.settings.update({ paused: false });
    await waitFor(async () => (await isReported(s, 'p1')), 'reported after resume');
  });

  it('is disabled without a URL and starts syncing as soon as one is set', async () => {
    const s = await setup({ settings: { client_sync_url: null } });
    await addFinal(s, ['u1'], { state: 'sent', ts: s.now() });
    s.reporter.start();
    s.reporter.wake();
    await new Promise((r) => setTimeout(r, 100));
    expect(s.reporter.status()).toMatchObject({ enabled: false, state: 'disabled', next_attempt_ts: null });
    expect(await stateOf(s, 'u1')).toBe('sent');
    await s.settings.update({ client_sync_url: s.upstream.url });
    await waitFor(async () => (await isReported(s, 'u1')), 'reported once configured');
  });

  it('reports an invalid URL as the failure reason', async () => {
    const s = await setup({ settings: { client_sync_url: 'ftp://example.invalid/x' } });
    s.reporter.start();
    await waitFor(() => s.outcomes.length >= 1, 'failure');
    expect(s.outcomes[0]).toMatchObject({ ok: false, error: "client_sync_url must be http(s), got 'ftp:'" });
  });

  it('does not mark a message that was re-queued while its report was in flight', async () => {
    const s = await setup();
    await addFinal(s, ['rq', 'keep'], { state: 'error', ts: s.now() });
    s.upstream.onCall = async (call) => {
      if (call.ids.includes('rq')) {
        // the application replaces the failed message under the same id meanwhile
        s.upstream.onCall = null;
        await s.store.messages.enqueue([payload('rq')], s.now());
      }
    };
    s.reporter.start();
    await waitFor(async () => (await isReported(s, 'keep')), 'keep reported');
    expect(await stateOf(s, 'rq')).toBe('queued');
    expect(await reportedTs(s, 'rq')).toBeNull();
  });

  it('a storage failure is a failing sync with backoff, not a busy loop, and reporting recovers with the storage', async () => {
    const s = await setup();
    await addFinal(s, ['st'], { state: 'sent', ts: s.now() });
    // a real SQLite error on the report query
    withSideDb(s.config.dbPath, (db) => db.exec('DROP INDEX messages_unreported'));
    s.reporter.start();
    s.reporter.wake();
    await waitFor(() => s.outcomes.length >= 1, 'failure');
    expect(s.outcomes[0]).toMatchObject({ ok: false, sent: 0 });
    expect(s.outcomes[0].error).toMatch(/^could not read the outcomes to report: .*messages_unreported/);
    expect(s.upstream.calls.length).toBe(0);
    await new Promise((r) => setTimeout(r, 400));
    // base 40 ms doubling to a 200 ms cap: a handful of retries, not thousands
    expect(s.outcomes.length).toBeLessThan(10);
    withSideDb(s.config.dbPath, (db) => db.exec(`CREATE INDEX messages_unreported ON messages(tenant_id, updated_ts, seq) WHERE state IN ('sent','error') AND reported_ts IS NULL`));
    await waitFor(async () => (await isReported(s, 'st')), 'recovered');
    expect(s.reporter.status().state).toBe('ok');
  });

  it('stops promptly during a hanging sync and marks nothing', async () => {
    const s = await setup({ client: { timeoutMs: 30_000 } });
    s.upstream.reply({ hang: true });
    await addFinal(s, ['h'], { state: 'sent', ts: s.now() });
    s.reporter.start();
    await waitFor(() => s.upstream.calls.length >= 1, 'hanging call');
    expect(s.reporter.status().syncing).toBe(true);
    const t = performance.now();
    await s.reporter.stop();
    expect(performance.now() - t).toBeLessThan(5000);
    expect(await stateOf(s, 'h')).toBe('sent');
    expect(s.outcomes).toEqual([]);
  });
});
