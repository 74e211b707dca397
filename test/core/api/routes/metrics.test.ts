import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay, type TestRelay } from '../../../support/relay/test-relay.js';
import { sample } from '../../../support/metrics/prom-text.js';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay();
});
afterAll(async () => {
  await t?.stop();
});

describe('GET /metrics', () => {
  it('requires the token like every route but /health', async () => {
    const anonymous = await fetch(`${t.url}/metrics`);
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();
    const wrong = await fetch(`${t.url}/metrics`, { headers: { 'X-API-Token': 'nope' } });
    expect(wrong.status).toBe(401);
    await wrong.body?.cancel();
  });

  it('answers Prometheus text with the X-API-Token header or a Bearer token', async () => {
    const res = await t.api('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('# TYPE gmp_pending_messages gauge');
    expect(sample(text, 'gmp_pending_messages')).toBe(0);

    const bearer = await fetch(`${t.url}/metrics`, { headers: { Authorization: `Bearer ${t.token}` } });
    expect(bearer.status).toBe(200);
    expect(await bearer.text()).toContain('gmp_sent_total');
  });

  it('shows attempts announced on the relay bus', async () => {
    t.relay.ctx.bus.emit('attempt', { message_id: 'x', account_id: 'smtp-a', outcome: 'sent', latency_seconds: 0.2 });
    t.relay.ctx.bus.emit('attempt', { message_id: 'y', account_id: 'smtp-a', outcome: 'temporary', deferred: true });
    const text = await (await t.api('/metrics')).text();
    expect(sample(text, 'gmp_sent_total', { account_id: 'smtp-a' })).toBe(1);
    expect(sample(text, 'gmp_deferred_total', { account_id: 'smtp-a' })).toBe(1);
    expect(sample(text, 'gmp_dispatch_latency_seconds_count', { outcome: 'sent' })).toBe(1);
  });
});
