import { afterEach, describe, expect, it } from 'vitest';
import type { AttemptOutcome } from '../../../src/core/events.js';
import { startDeliveryRelay, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { startSmtpTarget, type SmtpTarget } from '../../support/smtp/smtp-target.js';
import { waitFor } from '../../support/common/wait.js';

let f: DeliveryFixture | null = null;
const targets: SmtpTarget[] = [];

afterEach(async () => {
  await f?.stop();
  f = null;
  for (const t of targets.splice(0)) await t.close();
});

async function setup(limits: { limit_per_minute?: number; limit_per_hour?: number; limit_per_day?: number; limit_behavior?: 'defer' | 'error' }) {
  const smtp = await startSmtpTarget();
  targets.push(smtp);
  f = await startDeliveryRelay();
  await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, ...limits });
  return smtp;
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('dispatch: rate limits', () => {
  it('minute window: defers the excess to the moment a slot frees, spread over the coming windows', async () => {
    const smtp = await setup({ limit_per_minute: 2 });
    const fx = f!;
    const t0 = fx.now();
    await fx.enqueue(ids('m', 5).map((id) => ({ id, account_id: 'acc' })));
    await fx.waitState('m0', 'sent');
    await fx.waitState('m1', 'sent');
    expect(smtp.messages).toHaveLength(2);
    for (const id of ['m2', 'm3', 'm4']) await fx.waitState(id, 'deferred');
    expect((await fx.msg('m0')).state).toBe('sent');
    expect(await fx.msg('m2')).toMatchObject({ deferred_reason: 'rate_limited', deferred_ts: t0 + 60, retry_count: 0, attempts: 0 });
    expect((await fx.msg('m3')).deferred_ts).toBe(t0 + 60);
    expect((await fx.msg('m4')).deferred_ts).toBe(t0 + 120);
    const ev = (await fx.timeline('m2')).find((e) => e.type === 'rate_limited');
    expect(ev?.detail).toMatchObject({ window: 'minute', limit: 2, account: 'acc', deferred_ts: t0 + 60 });

    expect((await fx.t.relay.dispatcher.rateLimitState('', 'acc'))[0]).toEqual({ window: 'minute', used: 2, limit: 2, next_free_ts: t0 + 60 });

    fx.advance(59);
    await fx.settle();
    expect(smtp.messages).toHaveLength(2);
    expect((await fx.msg('m2')).state).toBe('deferred');
    expect(fx.nextWake()).toBeLessThanOrEqual(t0 + 60);
    fx.advance(1);
    await fx.waitState('m2', 'sent');
    await fx.waitState('m3', 'sent');
    expect((await fx.msg('m4')).state).toBe('deferred');
    fx.advance(60);
    await fx.waitState('m4', 'sent');
    expect(smtp.messages).toHaveLength(5);
  });

  it('counts in-flight sends, so concurrent senders never exceed the limit', async () => {
    const smtp = await startSmtpTarget({ data: () => ({ delayMs: 100 }) });
    targets.push(smtp);
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, limit_per_minute: 3, max_connections: 5 });
    await f.enqueue(ids('c', 6).map((id) => ({ id, account_id: 'acc' })));
    await waitFor(() => smtp.messages.length === 3, 'three sends');
    for (const id of ['c3', 'c4', 'c5']) await f.waitState(id, 'deferred');
    expect(smtp.attempts).toHaveLength(3);
  });

  it('hour window', async () => {
    const smtp = await setup({ limit_per_hour: 2 });
    const fx = f!;
    const t0 = fx.now();
    await fx.enqueue(ids('h', 3).map((id) => ({ id, account_id: 'acc' })));
    // sends are stamped with the clock when the server accepts them: let them finish before moving it
    await fx.waitState('h0', 'sent');
    await fx.waitState('h1', 'sent');
    const m = await fx.waitState('h2', 'deferred');
    expect(m.deferred_ts).toBe(t0 + 3600);
    expect((await fx.t.relay.dispatcher.rateLimitState('', 'acc'))[1]).toEqual({ window: 'hour', used: 2, limit: 2, next_free_ts: t0 + 3600 });
    fx.advance(1800);
    await fx.settle();
    expect((await fx.msg('h2')).state).toBe('deferred');
    expect(fx.nextWake()).toBeLessThanOrEqual(t0 + 3600);
    fx.advance(1800);
    await fx.waitState('h2', 'sent');
    expect(smtp.messages).toHaveLength(3);
  });

  it('day window, with sends of earlier hours sliding out one by one', async () => {
    const smtp = await setup({ limit_per_day: 2 });
    const fx = f!;
    const t0 = fx.now();
    await fx.enqueue([{ id: 'd0', account_id: 'acc' }]);
    await fx.waitState('d0', 'sent');
    fx.advance(3600);
    const t1 = fx.now();
    await fx.enqueue([{ id: 'd1', account_id: 'acc' }, { id: 'd2', account_id: 'acc' }, { id: 'd3', account_id: 'acc' }]);
    await fx.waitState('d1', 'sent');
    expect((await fx.waitState('d2', 'deferred')).deferred_ts).toBe(t0 + 86400);
    expect((await fx.waitState('d3', 'deferred')).deferred_ts).toBe(t1 + 86400);
    fx.advance(86400 - 3600);
    await fx.waitState('d2', 'sent');
    expect((await fx.msg('d3')).state).toBe('deferred');
    fx.advance(3600);
    await fx.waitState('d3', 'sent');
    expect(smtp.messages).toHaveLength(4);
  });

  it('limit_behavior "error" fails the excess instead of deferring it', async () => {
    const smtp = await setup({ limit_per_minute: 1, limit_behavior: 'error' });
    const fx = f!;
    const outcomes: AttemptOutcome[] = [];
    fx.t.relay.ctx.bus.on('attempt', (a) => outcomes.push(a));
    await fx.enqueue([{ id: 'e0', account_id: 'acc' }, { id: 'e1', account_id: 'acc' }]);
    await fx.waitState('e0', 'sent');
    const m = await fx.waitState('e1', 'error');
    expect(m.error).toBe("Rate limit exceeded: 1 per minute for account 'acc'");
    expect(smtp.messages).toHaveLength(1);
    await waitFor(() => outcomes.some((o) => o.outcome === 'rate_limited' && !o.deferred), 'rate_limited outcome');
  });

  it('a more urgent message takes the first free slot ahead of deferred lower-priority ones', async () => {
    const smtp = await setup({ limit_per_minute: 1 });
    const fx = f!;
    const t0 = fx.now();
    await fx.enqueue(ids('low', 3).map((id) => ({ id, account_id: 'acc', priority: 3 })));
    await fx.waitState('low0', 'sent');
    await fx.waitState('low2', 'deferred');
    expect((await fx.msg('low1')).deferred_ts).toBe(t0 + 60);
    expect((await fx.msg('low2')).deferred_ts).toBe(t0 + 120);
    await fx.enqueue([{ id: 'urgent', account_id: 'acc', priority: 0 }]);
    const u = await fx.waitState('urgent', 'deferred');
    expect(u.deferred_ts).toBe(t0 + 60);
    fx.advance(60);
    await fx.waitState('urgent', 'sent');
    await fx.waitState('low1', 'deferred');
    // low1 lost its slot to the urgent message and waits for the next one
    const low1 = await waitFor(async () => {
      const m = await fx.msg('low1');
      return m.state === 'deferred' && m.deferred_ts! > t0 + 60 ? m : null;
    }, 'low1 rescheduled');
    expect(low1.deferred_ts).toBeGreaterThanOrEqual(t0 + 120);
    expect(smtp.messages).toHaveLength(2);
  });

  it('does not count sandbox deliveries against the account limits', async () => {
    const sink = await startSmtpTarget({ acceptText: (n) => `Ok: captured as ${n}` });
    targets.push(sink);
    f = await startDeliveryRelay({ deliveryMode: 'sandbox' });
    f.t.relay.dispatcher.setSandboxTarget({ host: sink.host, port: sink.port });
    await f.addAccount({ id: 'acc', host: '127.0.0.1', port: 1, limit_per_minute: 1 });
    await f.enqueue(ids('s', 3).map((id) => ({ id, account_id: 'acc' })));
    for (const id of ids('s', 3)) await f.waitState(id, 'sent');
    expect((await f.t.relay.store.dispatch.rateWindowCounts('', 'acc', f.now())).minute).toBe(0);
  });
});
