import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/clock.js';
import { LeaseKeeper } from '../../../src/core/delivery/lease-keeper.js';
import { leaseScope, newRelayInstance, renewalSeconds } from '../../../src/core/delivery/relay-instance.js';
import { messageKey } from '../../../src/core/store/records.js';
import { toPayload } from '../../../src/core/messages/normalise.js';
import { contextPerTest } from '../../support/relay/context.js';

const context = contextPerTest();

describe('relay instance', () => {
  it('is a random id per process, with host and pid for humans', () => {
    const a = newRelayInstance(5);
    const b = newRelayInstance(5);
    expect(a.id).not.toBe(b.id);
    expect(a).toMatchObject({ pid: process.pid, started_ts: 5 });
    expect(a.id).toContain(`/${process.pid}/`);
  });

  it('renews three times per lease, at least every second; counts as live for one lease', () => {
    expect(renewalSeconds(120)).toBe(40);
    expect(renewalSeconds(2)).toBe(1);
    expect(leaseScope(newRelayInstance(0), 30)).toMatchObject({ liveSeconds: 30 });
  });
});

describe('lease keeper', () => {
  it('pushes the leases of the messages the relay holds one lease ahead, and nothing else', async () => {
    const c = await context();
    const clock = c.clock as ManualClock;
    const now = Math.floor(clock.nowMs() / 1000);
    const payload = (id: string) => toPayload({ id, from: 'a@example.com', to: ['b@example.com'], subject: id, body: 'x' }, 2);
    await c.store.messages.enqueue([payload('held'), payload('other')], now);
    const claimed = await c.store.dispatch.claim({ now, leaseUntil: now + 10, limit: 2 });
    const held = claimed.find((m) => m.id === 'held')!.seq;
    const keeper = new LeaseKeeper({ dispatch: c.store.dispatch, instance: newRelayInstance(now), leaseSeconds: 10, clock, logger: c.logger, held: () => [held] });
    clock.advance(8);
    await keeper.renew();
    expect(await c.store.messages.get(messageKey('held'))).toMatchObject({ state: 'sending', lease_until: now + 18 });
    expect(await c.store.messages.get(messageKey('other'))).toMatchObject({ state: 'sending', lease_until: now + 10 });
    await keeper.stop(true);
  });
});
