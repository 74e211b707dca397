import { afterEach, describe, expect, it } from 'vitest';
import { startTestRelay } from '../../support/relay/test-relay.js';
import { eventTypes, startDeliveryRelay, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { slowDataProbe, trackedTargets } from '../../support/smtp/smtp-target.js';
import { waitFor } from '../../support/common/wait.js';
import { messageKey as key } from '../../../src/core/store/records.js';

let f: DeliveryFixture | null = null;
const target = trackedTargets();

afterEach(async () => {
  await f?.stop();
  f = null;
});

describe('dispatch: delivery, order, schedule, pause and stop', () => {
  it('delivers a message and records sent, the send log and the timeline', async () => {
    const smtp = await target();
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'm1', account_id: 'acc' }]);
    const m = await f.waitState('m1', 'sent');
    expect(m.sent_ts).toBe(f.now());
    expect(m.attempts).toBe(1);
    expect(m.sandbox).toBe(false);
    expect(m.smtp_message_id).toMatch(/^<.+>$/);
    expect(await eventTypes(f, 'm1')).toEqual(['queued', 'attempt', 'sent']);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].to).toEqual(['rcpt@example.com']);
    expect(await f.t.relay.store.dispatch.rateWindowCounts('', 'acc', f.now())).toEqual({ minute: 1, hour: 1, day: 1 });
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
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, max_connections: 1 });
    await f.t.relay.ctx.settings.update({ paused: true });
    await f.enqueue([
      { id: 'low-1', account_id: 'acc', priority: 3 },
      { id: 'med-1', account_id: 'acc', priority: 2 },
      { id: 'low-2', account_id: 'acc', priority: 3 },
      { id: 'high-1', account_id: 'acc', priority: 1 },
      { id: 'med-2', account_id: 'acc', priority: 2 },
    ]);
    await f.t.relay.ctx.settings.update({ paused: false });
    await waitFor(() => order.length >= 2, 'first sends');
    await f.enqueue([{ id: 'now-1', account_id: 'acc', priority: 0 }]);
    await waitFor(() => smtp.messages.length === 6, 'all six');
    expect(order.slice(0, 2)).toEqual(['high-1', 'med-1']);
    // the immediate message went out with the next free connection, before the remaining batch
    expect(order.indexOf('now-1')).toBeLessThanOrEqual(3);
    expect(order.filter((id) => id !== 'now-1')).toEqual(['high-1', 'med-1', 'med-2', 'low-1', 'low-2']);
  });

  it('keeps a scheduled message until its deferred_ts', async () => {
    const smtp = await target();
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([
      { id: 'later', account_id: 'acc', deferred_ts: f.now() + 120 },
      { id: 'now', account_id: 'acc' },
    ]);
    await f.waitState('now', 'sent');
    expect((await f.msg('later')).state).toBe('deferred');
    expect((await f.msg('later')).deferred_reason).toBe('scheduled');
    const due = (await f.msg('later')).deferred_ts!;
    f.advance(119);
    await f.settle();
    expect((await f.msg('later')).state).toBe('deferred');
    // the engine's timer is armed for the moment it becomes due, not later
    expect(f.nextWake()).toBeLessThanOrEqual(due);
    f.advance(1);
    const m = await f.waitState('later', 'sent');
    expect(m.sent_ts).toBe(f.now());
    expect(await eventTypes(f, 'later')).toEqual(['queued', 'due', 'attempt', 'sent']);
  });

  it('wakes itself with its timer when a scheduled message becomes due (real clock, no wake calls)', async () => {
    const smtp = await target();
    const t = await startTestRelay({ deliveryMode: 'real' });
    try {
      const { relay } = t;
      await relay.store.accounts.upsert(
        { tenant_id: '', id: 'acc', host: smtp.host, port: smtp.port, user: null, password: null, ttl: 300, limit_per_minute: null,
          limit_per_hour: null, limit_per_day: null, limit_behavior: 'defer', use_tls: false, batch_size: null,
          timeout: null, max_connections: null, fallbacks: null, weight: null },
        Math.floor(Date.now() / 1000),
      );
      const due = Math.floor(Date.now() / 1000) + 2;
      await relay.store.messages.enqueue(
        [{ id: 'timed', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 't', body: '', content_type: 'plain', priority: 2, deferred_ts: due }],
        Math.floor(Date.now() / 1000),
      );
      relay.dispatcher.wake(); // arms the timer; nothing else wakes the dispatcher from here
      const sent = await waitFor(async () => {
        const m = await relay.store.messages.get(key('timed'));
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
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.t.relay.ctx.settings.update({ paused: true });
    await f.enqueue([{ id: 'p1', account_id: 'acc' }, { id: 'p2', account_id: 'acc' }]);
    await f.settle();
    expect((await f.msg('p1')).state).toBe('queued');
    expect(smtp.messages).toHaveLength(0);
    await f.t.relay.ctx.settings.update({ paused: false });
    await f.waitState('p1', 'sent');
    await f.waitState('p2', 'sent');
  });

  it('claims ahead of its connections, and a pause returns what was claimed but not started', async () => {
    const probe = slowDataProbe(150);
    const smtp = await target(probe.script);
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port, max_connections: 1 });
    await f.enqueue(Array.from({ length: 4 }, (_, i) => ({ id: `a${i}`, account_id: 'acc' })));
    await waitFor(() => smtp.attempts.length === 1, 'first send under way');
    // one connection sends, one more message is leased and waits for it
    expect((await f.msg('a0')).state).toBe('sending');
    expect((await f.msg('a1')).state).toBe('sending');
    expect((await f.msg('a2')).state).toBe('queued');
    expect(f.t.relay.dispatcher.inFlight()).toBe(1);
    await f.t.relay.ctx.settings.update({ paused: true });
    await f.waitState('a0', 'sent');
    await waitFor(async () => (await f!.msg('a1')).state === 'queued', 'a1 back in the queue');
    expect((await f.msg('a1')).attempts).toBe(0);
    expect(await eventTypes(f, 'a1')).toEqual(['queued', 'lease_expired']);
    await f.settle();
    expect(smtp.attempts).toHaveLength(1);
    await f.t.relay.ctx.settings.update({ paused: false });
    for (let i = 1; i < 4; i++) await f.waitState(`a${i}`, 'sent');
    expect(probe.maxOpen()).toBe(1);
    expect((await f.msg('a3')).attempts).toBe(1);
    expect(await eventTypes(f, 'a3')).toEqual(['queued', 'attempt', 'sent']);
  });

  it('fails a message whose account does not exist, without stalling others', async () => {
    const smtp = await target();
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'orphan', account_id: 'ghost' }, { id: 'fine', account_id: 'acc' }]);
    const m = await f.waitState('orphan', 'error');
    expect(m.error).toBe('Missing SMTP account configuration');
    await f.waitState('fine', 'sent');
  });

  it('sends messages without an account through the "default" account', async () => {
    const smtp = await target();
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'default', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 'no-account' }]);
    await f.waitState('no-account', 'sent');
    expect(smtp.messages).toHaveLength(1);
  });

  it('stop() waits for in-flight sends before returning', async () => {
    const smtp = await target({ data: () => ({ delayMs: 300 }) });
    f = await startDeliveryRelay();
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    await f.enqueue([{ id: 's1', account_id: 'acc' }]);
    await waitFor(() => f!.t.relay.dispatcher.inFlight() === 1 && smtp.attempts.length === 0, 'send in flight');
    const relay = f.t.relay;
    await relay.dispatcher.stop(5000);
    expect(relay.dispatcher.inFlight()).toBe(0);
    expect((await relay.store.messages.get(key('s1')))!.state).toBe('sent');
  });
});
