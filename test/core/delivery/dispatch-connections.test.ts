import { afterEach, describe, expect, it } from 'vitest';
import { startDeliveryRelay, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { slowDataProbe, trackedTargets } from '../../support/smtp/smtp-target.js';
import { waitFor } from '../../support/common/wait.js';

let f: DeliveryFixture | null = null;
const target = trackedTargets();

afterEach(async () => {
  await f?.stop();
  f = null;
});

describe('dispatch: connections and pools', () => {
  it('reuses pooled connections and respects the per-account connection limit', async () => {
    const probe = slowDataProbe(15);
    const smtp = await target(probe.script);
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, max_connections: 2 });
    await f.enqueue(Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, account_id: 'acc' })));
    await waitFor(() => smtp.messages.length === 30, 'thirty messages');
    expect(smtp.connections()).toBeLessThanOrEqual(2);
    expect(probe.maxOpen()).toBeLessThanOrEqual(2);
    for (let i = 0; i < 30; i++) await f.waitState(`r${i}`, 'sent');
  });

  it('replaces a pooled connection after messages_per_connection messages', async () => {
    const smtp = await target();
    f = await startDeliveryRelay({ delivery: { messagesPerConnection: 4 } });
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, max_connections: 1 });
    await f.enqueue(Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, account_id: 'acc' })));
    await waitFor(() => smtp.messages.length === 10, 'ten messages');
    expect(smtp.messages.map((m) => m.connection)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
  });

  it('caps sends in flight globally across accounts', async () => {
    // one probe for both servers: it sees the sends of both accounts
    const probe = slowDataProbe(40);
    const a = await target(probe.script);
    const b = await target(probe.script);
    f = await startDeliveryRelay({ delivery: { maxConcurrency: 2, maxPerAccount: 3 } });
    await f.addAccount({ id: 'a', host: a.host, port: a.port });
    await f.addAccount({ id: 'b', host: b.host, port: b.port });
    const seen: number[] = [];
    f.t.relay.ctx.bus.on('messages', () => seen.push(f!.t.relay.dispatcher.inFlight()));
    await f.enqueue(Array.from({ length: 12 }, (_, i) => ({ id: `g${i}`, account_id: i % 2 ? 'a' : 'b' })));
    await waitFor(() => a.messages.length + b.messages.length === 12, 'all twelve');
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
    expect(probe.maxOpen()).toBeLessThanOrEqual(2);
  });

  it('closes an account pool once it has been idle for poolIdleMs', async () => {
    const smtp = await target();
    f = await startDeliveryRelay({ delivery: { poolIdleMs: 60_000 } });
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'i1', account_id: 'acc' }]);
    await f.waitState('i1', 'sent');
    expect(f.t.relay.dispatcher.accountStatus('', 'acc').pool_open).toBe(true);
    f.advance(30);
    await f.settle();
    expect(f.t.relay.dispatcher.accountStatus('', 'acc').pool_open).toBe(true);
    // armed for the end of the idle time, so the pool closes without any other wake
    expect(f.nextWake()).toBeLessThanOrEqual(f.now() + 30);
    f.advance(31);
    await waitFor(() => !f!.t.relay.dispatcher.accountStatus('', 'acc').pool_open, 'pool closed');
    await waitFor(() => smtp.openConnections() === 0, 'connection closed');
    // and it comes back on demand
    await f.enqueue([{ id: 'i2', account_id: 'acc' }]);
    await f.waitState('i2', 'sent');
  });

  it('rebuilds the pool when the account changes', async () => {
    const first = await target();
    const second = await target();
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: first.host, port: first.port });
    await f.enqueue([{ id: 'a', account_id: 'acc' }]);
    await f.waitState('a', 'sent');
    await f.addAccount({ id: 'acc', host: second.host, port: second.port });
    await f.enqueue([{ id: 'b', account_id: 'acc' }]);
    await f.waitState('b', 'sent');
    expect(first.messages).toHaveLength(1);
    expect(second.messages).toHaveLength(1);
  });
});
