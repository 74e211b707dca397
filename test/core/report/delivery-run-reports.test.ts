import { afterEach, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../support/relay/test-relay.js';
import { sample } from '../../support/metrics/prom-text.js';
import { FakeUpstream } from '../../support/report/upstream.js';
import { startSmtpTarget, type SmtpTarget } from '../../support/smtp/smtp-target.js';
import { waitFor } from '../../support/common/wait.js';

let relay: TestRelay | null = null;
let upstream: FakeUpstream | null = null;
let smtp: SmtpTarget | null = null;
afterEach(async () => {
  await relay?.stop();
  await upstream?.stop();
  await smtp?.close();
  relay = null;
  upstream = null;
  smtp = null;
});

const N = 5;

describe('a real delivery run, as reported to the application and counted in /metrics', () => {
  it('delivers to the sink, reports every outcome once with sandbox: true, and counts it all in /metrics', async () => {
    upstream = await new FakeUpstream().start();
    relay = await startTestRelay({ deliveryMode: 'sandbox', client: { url: upstream.url, user: 'mailproxy', password: 'pw' } });
    const r = relay;
    const account = await r.api('/account', { method: 'POST', json: { id: 'acc-run', host: '127.0.0.1', port: 2525 } });
    expect(account.status).toBe(200);
    const messages = Array.from({ length: N }, (_, i) => ({
      id: `run-${i}`,
      account_id: 'acc-run',
      from: 'app@example.com',
      to: [`user${i}@example.com`],
      subject: `run ${i}`,
      body: 'hello from the delivery run',
    }));
    const added = await r.api('/commands/add-messages', { method: 'POST', json: { messages } });
    expect(await added.json()).toMatchObject({ ok: true, queued: N, rejected: [] });

    await waitFor(() => new Set(upstream!.reportedIds()).size === N, 'every outcome reported', 20_000);
    const items = upstream.calls.flatMap((c) => c.items);
    expect(items.map((i) => i.id).sort()).toEqual(messages.map((m) => m.id).sort());
    for (const item of items) {
      expect(item).toMatchObject({ account_id: 'acc-run', priority: 2, error_ts: null, error: null, sandbox: true });
      expect(typeof item.sent_ts).toBe('number');
    }
    expect(upstream.calls.every((c) => c.authorization === `Basic ${Buffer.from('mailproxy:pw').toString('base64')}`)).toBe(true);

    const text = await waitFor(async () => {
      const t = await (await r.api('/metrics')).text();
      return sample(t, 'gmp_reported_messages_total') === N && sample(t, 'gmp_report_pending_messages') === 0 ? t : null;
    }, 'metrics after the run');
    expect(sample(text, 'gmp_sent_total', { account_id: 'acc-run' })).toBe(N);
    expect(sample(text, 'gmp_errors_total', { account_id: 'acc-run' })).toBe(0);
    expect(sample(text, 'gmp_attempts_total', { outcome: 'sent' })).toBe(N);
    expect(sample(text, 'gmp_dispatch_latency_seconds_count', { outcome: 'sent' })).toBe(N);
    expect(sample(text, 'gmp_sink_accepted_total')).toBe(N);
    expect(sample(text, 'gmp_pending_messages')).toBe(0);
    // reported, the outcomes stay sent (#20.1)
    expect(sample(text, 'gmp_queue_messages', { state: 'sent' })).toBe(N);
    expect(sample(text, 'gmp_report_syncs_total', { result: 'failure' })).toBe(0);
    expect(upstream.reportedIds()).toHaveLength(N);
  });

  it('real mode: a sent and a refused message are reported with their outcome and counted per account', async () => {
    // accepts everything except mail to rejected@… (550)
    smtp = await startSmtpTarget({ rcpt: (a) => (a.startsWith('rejected@') ? { code: 550, message: '5.1.1 mailbox unavailable' } : null) });
    const port = smtp.port;
    upstream = await new FakeUpstream().start();
    relay = await startTestRelay({ deliveryMode: 'real', client: { url: upstream.url, token: 'app' } });
    const r = relay;
    expect((await r.api('/account', { method: 'POST', json: { id: 'smtp-real', host: '127.0.0.1', port, use_tls: false } })).status).toBe(200);
    const base = { account_id: 'smtp-real', from: 'app@example.com', subject: 'hi', body: 'hello' };
    const added = await r.api('/commands/add-messages', {
      method: 'POST',
      json: { messages: [{ ...base, id: 'real-ok', to: ['ok@example.com'] }, { ...base, id: 'real-bad', to: ['rejected@example.com'] }] },
    });
    expect(await added.json()).toMatchObject({ ok: true, queued: 2 });

    await waitFor(() => new Set(upstream!.reportedIds()).size === 2, 'both outcomes reported', 20_000);
    const items = Object.fromEntries(upstream.calls.flatMap((c) => c.items).map((i) => [i.id, i]));
    expect(items['real-ok']).toMatchObject({ account_id: 'smtp-real', error_ts: null, error: null });
    expect(items['real-ok'].sent_ts).toEqual(expect.any(Number));
    expect(items['real-ok']).not.toHaveProperty('sandbox');
    expect(items['real-bad']).toMatchObject({ account_id: 'smtp-real', sent_ts: null });
    expect(items['real-bad'].error_ts).toEqual(expect.any(Number));
    expect(String(items['real-bad'].error)).toContain('550');
    expect(Object.keys(items['real-bad']).sort()).toEqual(['account_id', 'deferred_ts', 'error', 'error_ts', 'id', 'priority', 'sent_ts']);

    const text = await waitFor(async () => {
      const t = await (await r.api('/metrics')).text();
      return sample(t, 'gmp_reported_messages_total') === 2 ? t : null;
    }, 'metrics after the run');
    expect(sample(text, 'gmp_sent_total', { account_id: 'smtp-real' })).toBe(1);
    expect(sample(text, 'gmp_errors_total', { account_id: 'smtp-real' })).toBe(1);
    expect(sample(text, 'gmp_attempts_total', { outcome: 'permanent' })).toBe(1);
    expect(sample(text, 'gmp_sink_accepted_total')).toBe(0);
  });
});
