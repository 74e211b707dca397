import { afterEach, describe, expect, it } from 'vitest';
import { eventTypes, startDeliveryRelay, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { trackedTargets } from '../../support/smtp/smtp-target.js';

let f: DeliveryFixture | null = null;
const target = trackedTargets();

afterEach(async () => {
  await f?.stop();
  f = null;
});

describe('dispatch: sandbox mode', () => {
  it('delivers to the embedded sink over SMTP and links the captured message', async () => {
    const real = await target();
    f = await startDeliveryRelay({ deliveryMode: 'sandbox' });
    await f.addAccount({ id: 'acc', host: real.host, port: real.port });
    await f.enqueue([{ id: 'sb', account_id: 'acc', bcc: ['hidden@example.com'] }]);
    const m = await f.waitState('sb', 'sent');
    expect(m.sandbox).toBe(true);
    expect(m.captured_id).toBeGreaterThan(0);
    expect(real.attempts).toHaveLength(0);
    const captured = await f.t.relay.store.captured.get(m.captured_id!);
    expect(captured).not.toBeNull();
    const raw = (await f.t.relay.store.captured.raw(m.captured_id!))!.toString();
    expect(raw).toContain('Subject: subject sb');
    expect(raw).not.toContain('hidden@example.com');
    const sent = (await f.timeline('sb')).find((e) => e.type === 'sent');
    expect(sent?.detail).toMatchObject({ sandbox: true, captured_id: m.captured_id });
    expect(await eventTypes(f, 'sb')).toContain('captured');
  });

  it('switches between sandbox and real for the next message without a restart', async () => {
    const real = await target();
    f = await startDeliveryRelay({ deliveryMode: 'sandbox' });
    await f.addAccount({ id: 'acc', host: real.host, port: real.port });
    await f.enqueue([{ id: 'one', account_id: 'acc' }]);
    expect((await f.waitState('one', 'sent')).sandbox).toBe(true);
    await f.t.relay.ctx.settings.update({ delivery_mode: 'real' });
    await f.enqueue([{ id: 'two', account_id: 'acc' }]);
    expect((await f.waitState('two', 'sent')).sandbox).toBe(false);
    expect(real.messages).toHaveLength(1);
    await f.t.relay.ctx.settings.update({ delivery_mode: 'sandbox' });
    await f.enqueue([{ id: 'three', account_id: 'acc' }]);
    expect((await f.waitState('three', 'sent')).sandbox).toBe(true);
    expect(real.messages).toHaveLength(1);
  });

  it('holds messages in sandbox mode while there is no sink to deliver to', async () => {
    f = await startDeliveryRelay({ deliveryMode: 'sandbox' });
    const sinkAddr = f.t.relay.addresses().smtp;
    f.t.relay.dispatcher.setSandboxTarget(null);
    await f.enqueue([{ id: 'held' }]);
    await f.settle();
    expect((await f.msg('held')).state).toBe('queued');
    f.t.relay.dispatcher.setSandboxTarget(sinkAddr);
    expect((await f.waitState('held', 'sent')).sandbox).toBe(true);
  });

  it('delivers a released captured message for real, with its exact bytes, whatever the mode', async () => {
    const real = await target();
    f = await startDeliveryRelay({ deliveryMode: 'sandbox' });
    await f.addAccount({ id: 'acc', host: real.host, port: real.port });
    await f.enqueue([{ id: 'orig', account_id: 'acc', subject: 'release me' }]);
    const orig = await f.waitState('orig', 'sent');
    const raw = (await f.t.relay.store.captured.raw(orig.captured_id!))!;
    const r = await f.t.relay.store.messages.enqueue(
      [
        {
          id: 'released-1',
          account_id: 'acc',
          from: 'sender@example.com',
          to: ['final@example.com'],
          subject: 'release me',
          body: '',
          content_type: 'plain',
          priority: 1,
        },
      ],
      f.now(),
      { source_captured_id: orig.captured_id! },
    );
    expect(r.queued).toBe(1);
    f.t.relay.dispatcher.wake();
    const rel = await f.waitState('released-1', 'sent');
    expect(rel.sandbox).toBe(false);
    expect(real.messages).toHaveLength(1);
    expect(real.messages[0].to).toEqual(['final@example.com']);
    expect(real.messages[0].raw.replace(/\r\n$/, '')).toBe(raw.toString().replace(/\r\n$/, ''));
  });

  it('fails a release whose captured message no longer exists', async () => {
    const real = await target();
    f = await startDeliveryRelay({ deliveryMode: 'real' });
    await f.addAccount({ id: 'acc', host: real.host, port: real.port });
    await f.t.relay.store.messages.enqueue(
      [{ id: 'gone', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: '', body: '', content_type: 'plain', priority: 2 }],
      f.now(),
      { source_captured_id: 999_999 },
    );
    f.t.relay.dispatcher.wake();
    expect((await f.waitState('gone', 'error')).error).toBe('captured message 999999 is no longer available');
  });
});
