import { afterEach, describe, expect, it } from 'vitest';
import { nowSec } from '../../../src/core/clock.js';
import type { AttemptOutcome } from '../../../src/core/events.js';
import { createMetrics, type Metrics } from '../../../src/core/metrics/metrics.js';
import { accountWithDefaults, type AccountInput } from '../../../src/core/store/records.js';
import { makeContext, type TestContext } from '../../support/relay/context.js';
import { addFinal, payload } from '../../support/report/final-messages.js';
import { sample, seriesNames } from '../../support/metrics/prom-text.js';

let opened: { t: Pick<TestContext, 'close'>; m: Metrics }[] = [];
afterEach(async () => {
  for (const { t, m } of opened) {
    m.stop();
    await t.close();
  }
  opened = [];
});

function metricsDeps(t: TestContext) {
  return { messages: t.store.messages, accounts: t.store.accounts, settings: t.settings, bus: t.bus };
}

async function setup(countsTtlMs = 0) {
  const t = await makeContext();
  const m = createMetrics({ ...metricsDeps(t), countsTtlMs });
  opened.push({ t, m });
  return { ...t, metrics: m, now: () => nowSec(t.clock) };
}

function account(id: string): AccountInput {
  return accountWithDefaults({ id, host: '127.0.0.1', port: 2525, use_tls: false });
}

const attempt = (a: Partial<AttemptOutcome> & Pick<AttemptOutcome, 'outcome'>): AttemptOutcome => ({
  message_id: 'm',
  account_id: 'acc',
  ...a,
});

describe('Prometheus metrics of the relay', () => {
  it('renders the Prometheus text format with counters at zero and gauges correct right after start', async () => {
    const s = await setup();
    await s.store.accounts.upsert(account('acc'), s.now());
    await s.store.messages.enqueue([payload('q1'), payload('q2'), { ...payload('d1'), deferred_ts: s.now() + 60 }], s.now());
    await addFinal(s, ['s1'], { state: 'sent', ts: s.now() });
    await addFinal(s, ['e1'], { state: 'error', ts: s.now() });

    const m = createMetrics(metricsDeps(s));
    opened.push({ t: { async close() {} }, m });
    expect(m.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await m.render();
    for (const name of ['gmp_sent_total', 'gmp_errors_total', 'gmp_deferred_total', 'gmp_rate_limited_total']) {
      expect(text).toContain(`# TYPE ${name} counter`);
      expect(sample(text, name, { account_id: 'acc' })).toBe(0);
    }
    expect(sample(text, 'gmp_pending_messages')).toBe(3);
    expect(sample(text, 'gmp_queue_messages', { state: 'queued' })).toBe(2);
    expect(sample(text, 'gmp_queue_messages', { state: 'deferred' })).toBe(1);
    expect(sample(text, 'gmp_queue_messages', { state: 'sent' })).toBe(1);
    expect(sample(text, 'gmp_queue_messages', { state: 'error' })).toBe(1);
    // the outcome is the state; what the application still waits for is a gauge of its own (#20.1)
    expect(text).not.toContain('gmp_queue_messages{state="reported"}');
    expect(sample(text, 'gmp_report_pending_messages')).toBe(2);
    expect(sample(text, 'gmp_attempts_total', { outcome: 'sent' })).toBe(0);
    expect(sample(text, 'gmp_sink_accepted_total')).toBe(0);
    expect(sample(text, 'gmp_report_syncs_total', { result: 'failure' })).toBe(0);
    expect(sample(text, 'gmp_paused')).toBe(0);
    expect(sample(text, 'gmp_sandbox_mode')).toBe(1);
    // process metrics, and no *_created series
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect([...seriesNames(text)].filter((n) => n.endsWith('_created'))).toEqual([]);
  });

  it('counts attempts by account and outcome as the original does', async () => {
    const s = await setup();
    const emit = (a: Partial<AttemptOutcome> & Pick<AttemptOutcome, 'outcome'>) => s.bus.emit('attempt', attempt(a));
    emit({ outcome: 'sent', latency_seconds: 0.4, attempt_seconds: 0.05 });
    emit({ outcome: 'sent', latency_seconds: 12, attempt_seconds: 0.2 });
    emit({ outcome: 'sent', account_id: 'other', latency_seconds: 1 });
    emit({ outcome: 'temporary', deferred: true, code: 451, attempt_seconds: 0.1 });
    emit({ outcome: 'rate_limited', deferred: true });
    emit({ outcome: 'rate_limited', deferred: false, latency_seconds: 3 }); // limit_behavior error
    emit({ outcome: 'permanent', code: 550, latency_seconds: 2 });
    emit({ outcome: 'temporary', deferred: false, latency_seconds: 9000 }); // retries exhausted
    emit({ outcome: 'build_error', account_id: null });

    const text = await s.metrics.render();
    expect(sample(text, 'gmp_sent_total', { account_id: 'acc' })).toBe(2);
    expect(sample(text, 'gmp_sent_total', { account_id: 'other' })).toBe(1);
    expect(sample(text, 'gmp_deferred_total', { account_id: 'acc' })).toBe(2);
    expect(sample(text, 'gmp_rate_limited_total', { account_id: 'acc' })).toBe(2);
    expect(sample(text, 'gmp_errors_total', { account_id: 'acc' })).toBe(3);
    expect(sample(text, 'gmp_errors_total', { account_id: 'default' })).toBe(1);
    expect(sample(text, 'gmp_attempts_total', { outcome: 'sent' })).toBe(3);
    expect(sample(text, 'gmp_attempts_total', { outcome: 'temporary' })).toBe(2);
    expect(sample(text, 'gmp_attempts_total', { outcome: 'rate_limited' })).toBe(2);
    expect(sample(text, 'gmp_attempts_total', { outcome: 'permanent' })).toBe(1);
    expect(sample(text, 'gmp_attempts_total', { outcome: 'build_error' })).toBe(1);
    expect(sample(text, 'gmp_dispatch_latency_seconds_count', { outcome: 'sent' })).toBe(3);
    expect(sample(text, 'gmp_dispatch_latency_seconds_bucket', { outcome: 'sent', le: '0.5' })).toBe(1);
    expect(sample(text, 'gmp_dispatch_latency_seconds_bucket', { outcome: 'sent', le: '1' })).toBe(2);
    expect(sample(text, 'gmp_dispatch_latency_seconds_count', { outcome: 'error' })).toBe(3);
    expect(sample(text, 'gmp_dispatch_latency_seconds_sum', { outcome: 'error' })).toBe(9005);
    expect(sample(text, 'gmp_smtp_attempt_seconds_count')).toBe(3);
  });

  it('counts sink captures and rejections, and report successes and failures', async () => {
    const s = await setup();
    const captured = { id: 1, received_ts: s.now(), from: 'a@x', to: ['b@y'], subject: 's', size: 1234, attachments: 0, mailbox: null, relay_message_id: null };
    s.bus.emit('captured', captured);
    s.bus.emit('captured', { ...captured, id: 2, size: 66 });
    s.bus.emit('sink.rejected', { reason: 'size' });
    s.bus.emit('report', { ts: s.now(), ok: false, sent: 0, status: 500, error: 'HTTP 500' });
    s.bus.emit('report', { ts: s.now(), ok: false, sent: 0, error: 'ECONNREFUSED' });
    let text = await s.metrics.render();
    expect(sample(text, 'gmp_sink_accepted_total')).toBe(2);
    expect(sample(text, 'gmp_sink_accepted_bytes_total')).toBe(1300);
    expect(sample(text, 'gmp_sink_rejected_total')).toBe(1);
    expect(sample(text, 'gmp_report_failures_total')).toBe(2);
    expect(sample(text, 'gmp_report_consecutive_failures')).toBe(2);
    expect(sample(text, 'gmp_report_last_success_timestamp_seconds')).toBe(0);

    s.bus.emit('report', { ts: s.now() + 5, ok: true, sent: 7, status: 200 });
    text = await s.metrics.render();
    expect(sample(text, 'gmp_report_syncs_total', { result: 'success' })).toBe(1);
    expect(sample(text, 'gmp_report_syncs_total', { result: 'failure' })).toBe(2);
    expect(sample(text, 'gmp_reported_messages_total')).toBe(7);
    expect(sample(text, 'gmp_report_consecutive_failures')).toBe(0);
    expect(sample(text, 'gmp_report_last_success_timestamp_seconds')).toBe(s.now() + 5);
  });

  it('adds zero series for accounts created later, and follows pause and mode changes', async () => {
    const s = await setup();
    expect(sample(await s.metrics.render(), 'gmp_sent_total', { account_id: 'late' })).toBeUndefined();
    await s.store.accounts.upsert(account('late'), s.now());
    await s.settings.update({ paused: true, delivery_mode: 'real' });
    const text = await s.metrics.render();
    expect(sample(text, 'gmp_sent_total', { account_id: 'late' })).toBe(0);
    expect(sample(text, 'gmp_paused')).toBe(1);
    expect(sample(text, 'gmp_sandbox_mode')).toBe(0);
  });

  it('reuses queue counts between close scrapes instead of counting again', async () => {
    const s = await setup(60_000);
    await s.store.messages.enqueue([payload('c1')], s.now());
    expect(sample(await s.metrics.render(), 'gmp_pending_messages')).toBe(1);
    await s.store.messages.enqueue([payload('c2')], s.now());
    expect(sample(await s.metrics.render(), 'gmp_pending_messages')).toBe(1);
    const fresh = await setup(0);
    await fresh.store.messages.enqueue([payload('c1'), payload('c2')], fresh.now());
    expect(sample(await fresh.metrics.render(), 'gmp_pending_messages')).toBe(2);
  });

  it('stops listening when stopped', async () => {
    const s = await setup();
    s.metrics.stop();
    expect(s.bus.listenerCount('attempt')).toBe(0);
    expect(s.bus.listenerCount('report')).toBe(0);
    expect(s.bus.listenerCount('accounts')).toBe(0);
  });
});
