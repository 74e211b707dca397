import { afterEach, describe, expect, it } from 'vitest';
import { nowSec } from '../../../src/core/clock.js';
import { openSyncStore as openStore } from '../../../src/core/store/index.js';
import { tempDir } from '../../helpers/relay.js';
import { T0, eventTypes, startDeliveryRelay, type DeliveryFixture } from './helpers/fixture.js';
import { waitFor, trackedTargets } from './helpers/smtp-target.js';
import { accountWithDefaults } from '../../../src/core/store/records.js';

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
    f.addAccount({ id: 'acc', host: real.host, port: real.port });
    f.enqueue([{ id: 'sb', account_id: 'acc', bcc: ['hidden@example.com'] }]);
    const m = await f.waitState('sb', 'sent');
    expect(m.sandbox).toBe(true);
    expect(m.captured_id).toBeGreaterThan(0);
    expect(real.attempts).toHaveLength(0);
    const captured = f.t.relay.store.legacy.captured.get(m.captured_id!);
    expect(captured).not.toBeNull();
    const raw = f.t.relay.store.legacy.captured.raw(m.captured_id!)!.toString();
    expect(raw).toContain('Subject: subject sb');
    expect(raw).not.toContain('hidden@example.com');
    const sent = f.t.relay.store.legacy.messages.timeline('sb', null).find((e) => e.type === 'sent');
    expect(sent?.detail).toMatchObject({ sandbox: true, captured_id: m.captured_id });
    expect(eventTypes(f, 'sb')).toContain('captured');
  });

  it('switches between sandbox and real for the next message without a restart', async () => {
    const real = await target();
    f = await startDeliveryRelay({ deliveryMode: 'sandbox' });
    f.addAccount({ id: 'acc', host: real.host, port: real.port });
    f.enqueue([{ id: 'one', account_id: 'acc' }]);
    expect((await f.waitState('one', 'sent')).sandbox).toBe(true);
    f.t.relay.ctx.settings.update({ delivery_mode: 'real' });
    f.enqueue([{ id: 'two', account_id: 'acc' }]);
    expect((await f.waitState('two', 'sent')).sandbox).toBe(false);
    expect(real.messages).toHaveLength(1);
    f.t.relay.ctx.settings.update({ delivery_mode: 'sandbox' });
    f.enqueue([{ id: 'three', account_id: 'acc' }]);
    expect((await f.waitState('three', 'sent')).sandbox).toBe(true);
    expect(real.messages).toHaveLength(1);
  });

  it('holds messages in sandbox mode while there is no sink to deliver to', async () => {
    f = await startDeliveryRelay({ deliveryMode: 'sandbox' });
    const sinkAddr = f.t.relay.addresses().smtp;
    f.t.relay.dispatcher.setSandboxTarget(null);
    f.enqueue([{ id: 'held' }]);
    await new Promise((r) => setTimeout(r, 150));
    expect(f.msg('held').state).toBe('queued');
    f.t.relay.dispatcher.setSandboxTarget(sinkAddr);
    expect((await f.waitState('held', 'sent')).sandbox).toBe(true);
  });

  it('delivers a released captured message for real, with its exact bytes, whatever the mode', async () => {
    const real = await target();
    f = await startDeliveryRelay({ deliveryMode: 'sandbox' });
    f.addAccount({ id: 'acc', host: real.host, port: real.port });
    f.enqueue([{ id: 'orig', account_id: 'acc', subject: 'release me' }]);
    const orig = await f.waitState('orig', 'sent');
    const raw = f.t.relay.store.legacy.captured.raw(orig.captured_id!)!;
    const r = f.t.relay.store.legacy.messages.enqueueBatch(
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
    f.addAccount({ id: 'acc', host: real.host, port: real.port });
    f.t.relay.store.legacy.messages.enqueueBatch(
      [{ id: 'gone', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: '', body: '', content_type: 'plain', priority: 2 }],
      f.now(),
      { source_captured_id: 999_999 },
    );
    f.t.relay.dispatcher.wake();
    expect((await f.waitState('gone', 'error')).error).toBe('captured message 999999 is no longer available');
  });
});

describe('dispatch: crash recovery', () => {
  it('returns messages leased by a previous run to the queue on start-up and delivers them', async () => {
    const dataDir = tempDir();
    const store = openStore({ path: `${dataDir}/mail_service.db` });
    const now = nowSec({ nowMs: () => T0 });
    store.accounts.upsert(
      accountWithDefaults({ id: 'acc', host: '127.0.0.1', port: 1, use_tls: false }),
      now,
    );
    store.messages.enqueueBatch(
      ['x1', 'x2', 'x3'].map((id) => ({
        id,
        account_id: 'acc',
        from: 'a@example.com',
        to: ['b@example.com'],
        subject: id,
        body: '',
        content_type: 'plain',
        priority: 2 as const,
      })),
      now,
    );
    // a run that claimed two messages and then died (lease still valid)
    const claimed = store.dispatch.claimDue({ now, leaseUntil: now + 120, limit: 2 });
    expect(claimed.map((c) => c.id)).toEqual(['x1', 'x2']);
    expect(store.dispatch.countLeased()).toBe(2);
    store.close();

    const smtp = await target();
    f = await startDeliveryRelay({}, dataDir);
    f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    f.t.relay.dispatcher.wake();
    for (const id of ['x1', 'x2', 'x3']) await f.waitState(id, 'sent');
    expect(eventTypes(f, 'x1')).toEqual(['queued', 'lease_expired', 'attempt', 'sent']);
    expect(smtp.messages.map((m) => /Subject: (\S+)/.exec(m.raw)![1]).sort()).toEqual(['x1', 'x2', 'x3']);
  });

  it('releases a lease that expired while its holder is gone, without touching sends in progress', async () => {
    const slow = await target({ data: () => ({ delayMs: 400 }) });
    f = await startDeliveryRelay({ delivery: { leaseSeconds: 30 } });
    f.addAccount({ id: 'acc', host: slow.host, port: slow.port });
    const store = f.t.relay.store.legacy;
    f.enqueue([{ id: 'mine', account_id: 'acc' }]);
    await waitFor(() => f!.t.relay.dispatcher.inFlight() === 1, 'in flight');
    // another (dead) holder's lease on a second message
    store.messages.enqueueBatch(
      [{ id: 'orphan', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: '', content_type: 'plain', priority: 2 }],
      f.now(),
    );
    f.t.relay.ctx.settings.update({ paused: true });
    store.dispatch.claimDue({ now: f.now(), leaseUntil: f.now() + 10, limit: 5 });
    expect(f.msg('orphan').state).toBe('sending');
    f.t.relay.ctx.settings.update({ paused: false });
    f.advance(10);
    await f.waitState('orphan', 'sent');
    await f.waitState('mine', 'sent');
    expect(eventTypes(f, 'mine')).not.toContain('lease_expired');
    expect(eventTypes(f, 'orphan')).toContain('lease_expired');
    expect(slow.messages).toHaveLength(2);
  });
});
