import { afterEach, describe, expect, it } from 'vitest';
import { startDeliveryRelay, timelineDetail, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { trackedTargets, type TargetScript } from '../../support/smtp/smtp-target.js';
import { closedPort } from '../../support/common/ports.js';
import { waitFor } from '../../support/common/wait.js';

/** Failover and fallbacks through the whole engine: real SMTP targets on loopback, a manual clock. */

let f: DeliveryFixture | null = null;
const target = trackedTargets();

afterEach(async () => {
  await f?.stop();
  f = null;
});

/** a target that logs each DATA it sees under `name` in `log`, and answers as `reply` says */
function logging(name: string, log: string[], reply: TargetScript['data'] = () => 'accept'): TargetScript {
  return {
    data: (mail, n) => {
      log.push(name);
      return reply?.(mail, n) ?? 'accept';
    },
  };
}

describe('dispatch: failover and fallbacks', () => {
  it('skips a fallback that is backing off or rate-limited', async () => {
    const log: string[] = [];
    const main = await target(logging('main', log, () => ({ code: 451, message: 'greylisted' })));
    const limited = await target(logging('limited', log));
    const backup = await target(logging('backup', log));
    f = await startDeliveryRelay({ delivery: { retryDelays: [600] } });
    await f.addAccount({ id: 'dead', host: '127.0.0.1', port: await closedPort() });
    await f.addAccount({ id: 'limited', host: limited.host, port: limited.port, limit_per_minute: 1 });
    await f.addAccount({ id: 'backup', host: backup.host, port: backup.port });
    await f.addAccount({ id: 'main', host: main.host, port: main.port, fallbacks: ['dead', 'limited', 'backup'] });
    // 'dead' backs off after its connection failure, 'limited' has used its minute
    await f.enqueue([{ id: 'd0', account_id: 'dead' }, { id: 'l0', account_id: 'limited' }]);
    await f.waitState('d0', 'deferred');
    await f.waitState('l0', 'sent');
    expect(f.t.relay.dispatcher.accountStatus('', 'dead').backoff_until).toBe(f.now() + 600);

    await f.enqueue([{ id: 'm', account_id: 'main' }]);
    await f.waitState('m', 'sent');
    const sent = (await timelineDetail(f, 'm', 'sent'))[0];
    expect(sent.account).toBe('backup');
    expect((sent.failover as { account: string }[]).map((x) => x.account)).toEqual(['main']);
    expect(log).toEqual(['limited', 'main', 'backup']);
  });

  it('when every account of the route fails, the next attempt starts again at the first', async () => {
    const log: string[] = [];
    const greylist = () => ({ code: 451, message: 'greylisted' });
    const main = await target(logging('main', log, greylist));
    const backup = await target(logging('backup', log, (_m, n) => (n === 1 ? greylist() : 'accept')));
    f = await startDeliveryRelay({ delivery: { retryDelays: [60] } });
    await f.addAccount({ id: 'backup', host: backup.host, port: backup.port });
    await f.addAccount({ id: 'main', host: main.host, port: main.port, fallbacks: ['backup'] });
    const t0 = f.now();
    await f.enqueue([{ id: 'm', account_id: 'main' }]);
    const deferred = await f.waitState('m', 'deferred');
    expect(deferred).toMatchObject({ deferred_reason: 'retry', deferred_ts: t0 + 60 });
    expect(log).toEqual(['main', 'backup']);

    f.advance(60);
    await f.waitState('m', 'sent');
    expect(log).toEqual(['main', 'backup', 'main', 'backup']);
    expect((await timelineDetail(f, 'm', 'sent'))[0]).toMatchObject({ account: 'backup' });
  });

  it('when every account is rate-limited, the message waits for the earliest free slot', async () => {
    const log: string[] = [];
    const main = await target(logging('main', log));
    const backup = await target(logging('backup', log));
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'backup', host: backup.host, port: backup.port, limit_per_minute: 1 });
    await f.addAccount({ id: 'main', host: main.host, port: main.port, limit_per_minute: 1, fallbacks: ['backup'] });
    const t0 = f.now();
    await f.enqueue([{ id: 'b0', account_id: 'backup' }]);
    await f.waitState('b0', 'sent');
    f.advance(20);
    await f.enqueue([{ id: 'm0', account_id: 'main' }]);
    await f.waitState('m0', 'sent');

    // backup's slot frees at t0 + 60, main's at t0 + 80: the earlier one wins
    await f.enqueue([{ id: 'm', account_id: 'main' }]);
    const m = await f.waitState('m', 'deferred');
    expect(m.deferred_reason).toBe('rate_limited');
    expect(m.deferred_ts).toBe(t0 + 60);
    f.advance(40);
    await f.waitState('m', 'sent');
    expect((await timelineDetail(f, 'm', 'sent'))[0]).toMatchObject({ account: 'backup' });
    expect(log).toEqual(['backup', 'main', 'backup']);
  });

  it('splits traffic by weight between an account and its weighted fallback', async () => {
    const log: string[] = [];
    const main = await target(logging('main', log));
    const backup = await target(logging('backup', log));
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'backup', host: backup.host, port: backup.port, weight: 1, max_connections: 20 });
    await f.addAccount({ id: 'main', host: main.host, port: main.port, weight: 3, max_connections: 20, fallbacks: ['backup'] });
    const N = 200;
    await f.enqueue(Array.from({ length: N }, (_, i) => ({ id: `w${i}`, account_id: 'main' })));
    await waitFor(() => log.length === N, `${N} deliveries`, 30_000);
    const viaMain = log.filter((a) => a === 'main').length;
    // 3:1 expects 150 of 200 (standard deviation ~6); far outside this band means no weighted split
    expect(viaMain).toBeGreaterThan(115);
    expect(viaMain).toBeLessThan(185);
    expect(N - viaMain).toBeGreaterThan(15);
  });
});
