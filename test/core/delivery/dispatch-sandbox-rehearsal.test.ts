import { afterEach, describe, expect, it } from 'vitest';
import { startDeliveryRelay, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { trackedTargets } from '../../support/smtp/smtp-target.js';

let f: DeliveryFixture | null = null;
const target = trackedTargets();

afterEach(async () => {
  await f?.stop();
  f = null;
});

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** A sandbox relay with an account limited to 5 per minute; `rehearse`: the limits rehearsal setting. */
async function setup(rehearse: boolean, limit_behavior: 'defer' | 'error' = 'defer') {
  const real = await target();
  f = await startDeliveryRelay({ deliveryMode: 'sandbox' });
  if (rehearse) await f.t.relay.ctx.settings.update({ sandbox_rehearse_limits: true });
  await f.addAccount({ id: 'acc', host: real.host, port: real.port, limit_per_minute: 5, limit_behavior });
  return { fx: f, real };
}

describe('dispatch: sandbox limits rehearsal (#18.5)', () => {
  it('on: 12 sandbox sends through an account limited to 5/minute -> 5 captured now, 7 deferred, gauges 5/5', async () => {
    const { fx, real } = await setup(true);
    const t0 = fx.now();
    await fx.enqueue(ids('r', 12).map((id) => ({ id, account_id: 'acc' })));
    for (const id of ids('r', 5)) expect((await fx.waitState(id, 'sent')).sandbox).toBe(true);
    for (const id of ids('r', 12).slice(5)) await fx.waitState(id, 'deferred');
    expect(await fx.msg('r5')).toMatchObject({ deferred_reason: 'rate_limited', deferred_ts: t0 + 60 });
    expect((await fx.t.relay.store.captured.list({ limit: 50 })).items).toHaveLength(5);
    expect(real.attempts).toHaveLength(0);
    expect((await fx.t.relay.dispatcher.rateLimitState('', 'acc'))[0]).toEqual({ window: 'minute', used: 5, limit: 5, next_free_ts: t0 + 60 });
    // the next window: the next five are captured, as a real send would go out
    fx.advance(60);
    for (const id of ids('r', 10).slice(5)) await fx.waitState(id, 'sent');
    expect((await fx.msg('r10')).state).toBe('deferred');
    expect((await fx.t.relay.store.captured.list({ limit: 50 })).items).toHaveLength(10);
  });

  it('on, limit_behavior "error": the excess fails as real delivery would', async () => {
    const { fx } = await setup(true, 'error');
    await fx.enqueue(ids('e', 7).map((id) => ({ id, account_id: 'acc' })));
    for (const id of ids('e', 5)) await fx.waitState(id, 'sent');
    for (const id of ['e5', 'e6']) expect((await fx.waitState(id, 'error')).error).toBe("Rate limit exceeded: 5 per minute for account 'acc'");
    expect((await fx.t.relay.store.captured.list({ limit: 50 })).items).toHaveLength(5);
  });

  it('off (the default): all 12 are captured and the account gauge does not move', async () => {
    const { fx } = await setup(false);
    expect(fx.t.relay.ctx.settings.current().sandbox_rehearse_limits).toBe(false);
    await fx.enqueue(ids('o', 12).map((id) => ({ id, account_id: 'acc' })));
    for (const id of ids('o', 12)) await fx.waitState(id, 'sent');
    expect((await fx.t.relay.store.captured.list({ limit: 50 })).items).toHaveLength(12);
    expect((await fx.t.relay.dispatcher.rateLimitState('', 'acc'))[0]).toMatchObject({ window: 'minute', used: 0, limit: 5 });
  });
});
