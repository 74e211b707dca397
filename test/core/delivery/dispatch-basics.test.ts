import { afterEach, describe, expect, it } from 'vitest';
import { startTestRelay } from '../../helpers/relay.js';
import { eventTypes, startDeliveryRelay, type DeliveryFixture } from './helpers/fixture.js';
import { slowDataProbe, waitFor, trackedTargets } from './helpers/smtp-target.js';

let f: DeliveryFixture | null = null;
const target = trackedTargets();

afterEach(async () => {
  await f?.stop();
  f = null;
});

describe('dispatch: delivery and ordering', () => {
  it('delivers a message and records sent, the send log and the timeline', async () => {
    const smtp = await target();
    f = await startDeliveryRelay();
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    f.enqueue([{ id: 'm1', account_id: 'acc' }]);
    const m = await f.waitState('m1', 'sent');
    expect(m.sent_ts).toBe(f.now());
    expect(m.attempts).toBe(1);
    expect(m.sandbox).toBe(false);
    expect(m.smtp_message_id).toMatch(/^<.+>$/);
    expect(eventTypes(f, 'm1')).toEqual(['queued', 'attempt', 'sent']);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].to).toEqual(['rcpt@example.com']);
    expect(f.t.relay.store.legacy.dispatch.rateWindowCounts('acc', f.now())).toEqual({ minute: 1, hour: 1, day: 1 });
    await waitFor(() => f!.t.relay.dispatcher.inFlight() === 0, 'in-flight to drain');
  });

  it('sends by priority, then FIFO, and an immediate message overtakes a waiting batch', async () => {
    const order: string[] = [];
    const smtp = await target({
      data: (mail) => {
        order.push(/Subject: subject (\S+)/.exec(mail.raw)![1]);
        return { delayMs: 30 };
      },
    });
    f = await startDeliveryRelay();
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, max_connections: 1 });
    f.t.relay.ctx.settings.update({ paused: true });
    f.enqueue([
      { id: 'low-1', account_id: 'acc', priority: 3 },
      { id: 'med-1', account_id: 'acc', priority: 2 },
      { id: 'low-2', account_id: 'acc', priority: 3 },
      { id: 'high-1', account_id: 'acc', priority: 1 },
      { id: 'med-2', account_id: 'acc', priority: 2 },
    ]);
    f.t.relay.ctx.settings.update({ paused: false });
    await waitFor(() => order.length >= 2, 'first sends');
    f.enqueue([{ id: 'now-1', account_id: 'acc', priority: 0 }]);
    await waitFor(() => smtp.messages.length === 6, 'all six');
    expect(order.slice(0, 2)).toEqual(['high-1', 'med-1']);
    // the immediate message went out with the next free connection, before the remaining batch
    expect(order.indexOf('now-1')).toBeLessThanOrEqual(3);
    expect(order.filter((id) => id !== 'now-1')).toEqual(['high-1', 'med-1', 'med-2', 'low-1', 'low-2']);
  });

  it('keeps a scheduled message until its deferred_ts', async () => {
    const smtp = await target();
    f = await startDeliveryRelay();
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    f.enqueue([
      { id: 'later', account_id: 'acc', deferred_ts: f.now() + 120 },
      { id: 'now', account_id: 'acc' },
    ]);
    await f.waitState('now', 'sent');
    expect(f.msg('later').state).toBe('deferred');
    expect(f.msg('later').deferred_reason).toBe('scheduled');
    f.advance(119);
    await new Promise((r) => setTimeout(r, 100));
    expect(f.msg('later').state).toBe('deferred');
    f.advance(1);
    const m = await f.waitState('later', 'sent');
    expect(m.sent_ts).toBe(f.now());
    expect(eventTypes(f, 'later')).toEqual(['queued', 'due', 'attempt', 'sent']);
  });

  it('wakes itself with its timer when a scheduled message becomes due (real clock, no wake calls)', async () => {
    const smtp = await target();
    const t = await startTestRelay({ deliveryMode: 'real' });
    try {
      const { relay } = t;
      relay.store.legacy.accounts.upsert(
        { id: 'acc', host: smtp.host, port: smtp.port, user: null, password: null, ttl: 300, limit_per_minute: null,
          limit_per_hour: null, limit_per_day: null, limit_behavior: 'defer', use_tls: false, batch_size: null,
          timeout: null, max_connections: null, fallbacks: null, weight: null },
        Math.floor(Date.now() / 1000),
      );
      const due = Math.floor(Date.now() / 1000) + 2;
      relay.store.legacy.messages.enqueueBatch(
        [{ id: 'timed', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 't', body: '', content_type: 'plain', priority: 2, deferred_ts: due }],
        Math.floor(Date.now() / 1000),
      );
      relay.dispatcher.wake(); // arms the timer; nothing else wakes the dispatcher from here
      const sent = await waitFor(() => {
        const m = relay.store.legacy.messages.get('timed');
        return m?.state === 'sent' ? m : null;
      }, 'timed message', 10_000);
      expect(sent.sent_ts).toBeGreaterThanOrEqual(due);
    } finally {
      await t.stop();
    }
  });

  it('honours pause: nothing is claimed while paused, everything flows on resume', async () => {
    const smtp = await target();
    f = await startDeliveryRelay();
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    f.t.relay.ctx.settings.update({ paused: true });
    f.enqueue([{ id: 'p1', account_id: 'acc' }, { id: 'p2', account_id: 'acc' }]);
    await new Promise((r) => setTimeout(r, 150));
    expect(f.msg('p1').state).toBe('queued');
    expect(smtp.messages).toHaveLength(0);
    f.t.relay.ctx.settings.update({ paused: false });
    await f.waitState('p1', 'sent');
    await f.waitState('p2', 'sent');
  });

  it('claims ahead of its connections, and a pause returns what was claimed but not started', async () => {
    const probe = slowDataProbe(150);
    const smtp = await target(probe.script);
    f = await startDeliveryRelay();
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, max_connections: 1 });
    f.enqueue(Array.from({ length: 4 }, (_, i) => ({ id: `a${i}`, account_id: 'acc' })));
    await waitFor(() => smtp.attempts.length === 1, 'first send under way');
    // one connection sends, one more message is leased and waits for it
    expect(f.msg('a0').state).toBe('sending');
    expect(f.msg('a1').state).toBe('sending');
    expect(f.msg('a2').state).toBe('queued');
    expect(f.t.relay.dispatcher.inFlight()).toBe(1);
    f.t.relay.ctx.settings.update({ paused: true });
    await f.waitState('a0', 'sent');
    await waitFor(() => f!.msg('a1').state === 'queued', 'a1 back in the queue');
    expect(f.msg('a1').attempts).toBe(0);
    expect(eventTypes(f, 'a1')).toEqual(['queued', 'lease_expired']);
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.attempts).toHaveLength(1);
    f.t.relay.ctx.settings.update({ paused: false });
    for (let i = 1; i < 4; i++) await f.waitState(`a${i}`, 'sent');
    expect(probe.maxOpen()).toBe(1);
    expect(f.msg('a3').attempts).toBe(1);
    expect(eventTypes(f, 'a3')).toEqual(['queued', 'attempt', 'sent']);
  });

  it('reuses pooled connections and respects the per-account connection limit', async () => {
    const probe = slowDataProbe(15);
    const smtp = await target(probe.script);
    f = await startDeliveryRelay();
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, max_connections: 2 });
    f.enqueue(Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, account_id: 'acc' })));
    await waitFor(() => smtp.messages.length === 30, 'thirty messages');
    expect(smtp.connections()).toBeLessThanOrEqual(2);
    expect(probe.maxOpen()).toBeLessThanOrEqual(2);
    for (let i = 0; i < 30; i++) await f.waitState(`r${i}`, 'sent');
  });

  it('replaces a pooled connection after messages_per_connection messages', async () => {
    const smtp = await target();
    f = await startDeliveryRelay({ delivery: { messagesPerConnection: 4 } });
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, max_connections: 1 });
    f.enqueue(Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, account_id: 'acc' })));
    await waitFor(() => smtp.messages.length === 10, 'ten messages');
    expect(smtp.messages.map((m) => m.connection)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
  });

  it('caps sends in flight globally across accounts', async () => {
    // one probe for both servers: it sees the sends of both accounts
    const probe = slowDataProbe(40);
    const a = await target(probe.script);
    const b = await target(probe.script);
    f = await startDeliveryRelay({ delivery: { maxConcurrency: 2, maxPerAccount: 3 } });
    f.addAccount({ id: 'a', host: a.host, port: a.port });
    f.addAccount({ id: 'b', host: b.host, port: b.port });
    const seen: number[] = [];
    f.t.relay.ctx.bus.on('messages', () => seen.push(f!.t.relay.dispatcher.inFlight()));
    f.enqueue(Array.from({ length: 12 }, (_, i) => ({ id: `g${i}`, account_id: i % 2 ? 'a' : 'b' })));
    await waitFor(() => a.messages.length + b.messages.length === 12, 'all twelve');
    expect(Math.max(...seen)).toBeLessThanOrEqual(2);
    expect(probe.maxOpen()).toBeLessThanOrEqual(2);
  });

  it('closes an account pool once it has been idle for poolIdleMs', async () => {
    const smtp = await target();
    f = await startDeliveryRelay({ delivery: { poolIdleMs: 60_000 } });
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    f.enqueue([{ id: 'i1', account_id: 'acc' }]);
    await f.waitState('i1', 'sent');
    expect(f.t.relay.dispatcher.accountStatus('acc').pool_open).toBe(true);
    f.advance(30);
    await new Promise((r) => setTimeout(r, 50));
    expect(f.t.relay.dispatcher.accountStatus('acc').pool_open).toBe(true);
    f.advance(31);
    await waitFor(() => !f!.t.relay.dispatcher.accountStatus('acc').pool_open, 'pool closed');
    await waitFor(() => smtp.openConnections() === 0, 'connection closed');
    // and it comes back on demand
    f.enqueue([{ id: 'i2', account_id: 'acc' }]);
    await f.waitState('i2', 'sent');
  });

  it('rebuilds the pool when the account changes', async () => {
    const first = await target();
    const second = await target();
    f = await startDeliveryRelay();
    f.addAccount({ id: 'acc', host: first.host, port: first.port });
    f.enqueue([{ id: 'a', account_id: 'acc' }]);
    await f.waitState('a', 'sent');
    f.addAccount({ id: 'acc', host: second.host, port: second.port });
    f.enqueue([{ id: 'b', account_id: 'acc' }]);
    await f.waitState('b', 'sent');
    expect(first.messages).toHaveLength(1);
    expect(second.messages).toHaveLength(1);
  });

  it('fails a message whose account does not exist, without stalling others', async () => {
    const smtp = await target();
    f = await startDeliveryRelay();
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    f.enqueue([{ id: 'orphan', account_id: 'ghost' }, { id: 'fine', account_id: 'acc' }]);
    const m = await f.waitState('orphan', 'error');
    expect(m.error).toBe('Missing SMTP account configuration');
    await f.waitState('fine', 'sent');
  });

  it('sends messages without an account through the "default" account', async () => {
    const smtp = await target();
    f = await startDeliveryRelay();
    f.addAccount({ id: 'default', host: smtp.host, port: smtp.port });
    f.enqueue([{ id: 'no-account' }]);
    await f.waitState('no-account', 'sent');
    expect(smtp.messages).toHaveLength(1);
  });

  it('stop() waits for in-flight sends before returning', async () => {
    const smtp = await target({ data: () => ({ delayMs: 300 }) });
    f = await startDeliveryRelay();
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    f.enqueue([{ id: 's1', account_id: 'acc' }]);
    await waitFor(() => f!.t.relay.dispatcher.inFlight() === 1 && smtp.attempts.length === 0, 'send in flight');
    const relay = f.t.relay;
    await relay.dispatcher.stop(5000);
    expect(relay.dispatcher.inFlight()).toBe(0);
    expect(relay.store.legacy.messages.get('s1')!.state).toBe('sent');
  });
});
