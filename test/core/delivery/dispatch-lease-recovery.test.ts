import { afterEach, describe, expect, it } from 'vitest';
import { nowSec } from '../../../src/core/clock.js';
import { openStore } from '../../../src/core/store/index.js';
import { accountWithDefaults } from '../../../src/core/store/records.js';
import { T0, eventTypes, startDeliveryRelay, type DeliveryFixture } from '../../support/delivery/delivery-relay.js';
import { trackedTargets } from '../../support/smtp/smtp-target.js';
import { waitFor } from '../../support/common/wait.js';
import { tempDir } from '../../support/common/temp-dir.js';

let f: DeliveryFixture | null = null;
const target = trackedTargets();

afterEach(async () => {
  await f?.stop();
  f = null;
});

describe('dispatch: leases left by a run that died', () => {
  it('returns messages leased by a previous run to the queue on start-up and delivers them', async () => {
    const dataDir = tempDir();
    const store = await openStore({ path: `${dataDir}/mail_service.db` });
    const now = nowSec({ nowMs: () => T0 });
    await store.accounts.upsert(
      accountWithDefaults({ id: 'acc', host: '127.0.0.1', port: 1, use_tls: false }),
      now,
    );
    await store.messages.enqueue(
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
    const claimed = await store.dispatch.claim({ now, leaseUntil: now + 120, limit: 2 });
    expect(claimed.map((c) => c.id)).toEqual(['x1', 'x2']);
    expect(await store.dispatch.countLeased()).toBe(2);
    await store.close();

    const smtp = await target();
    f = await startDeliveryRelay({}, dataDir);
    await f.addAccount({ id: 'acc', host: smtp.host, port: smtp.port });
    f.t.relay.dispatcher.wake();
    for (const id of ['x1', 'x2', 'x3']) await f.waitState(id, 'sent');
    expect(await eventTypes(f, 'x1')).toEqual(['queued', 'lease_expired', 'attempt', 'sent']);
    expect(smtp.messages.map((m) => /Subject: (\S+)/.exec(m.raw)![1]).sort()).toEqual(['x1', 'x2', 'x3']);
  });

  it('releases a lease that expired while its holder is gone, without touching sends in progress', async () => {
    const slow = await target({ data: () => ({ delayMs: 400 }) });
    f = await startDeliveryRelay({ delivery: { leaseSeconds: 30 } });
    await f.addAccount({ id: 'acc', host: slow.host, port: slow.port });
    const store = f.t.relay.store;
    await f.enqueue([{ id: 'mine', account_id: 'acc' }]);
    await waitFor(() => f!.t.relay.dispatcher.inFlight() === 1, 'in flight');
    // another (dead) holder's lease on a second message; paused first, so this relay does not claim it
    await f.t.relay.ctx.settings.update({ paused: true });
    await store.messages.enqueue(
      [{ id: 'orphan', account_id: 'acc', from: 'a@example.com', to: ['b@example.com'], subject: 's', body: '', content_type: 'plain', priority: 2 }],
      f.now(),
    );
    await store.dispatch.claim({ now: f.now(), leaseUntil: f.now() + 10, limit: 5 });
    expect((await f.msg('orphan')).state).toBe('sending');
    await f.t.relay.ctx.settings.update({ paused: false });
    f.advance(10);
    await f.waitState('orphan', 'sent');
    await f.waitState('mine', 'sent');
    expect(await eventTypes(f, 'mine')).not.toContain('lease_expired');
    expect(await eventTypes(f, 'orphan')).toContain('lease_expired');
    expect(slow.messages).toHaveLength(2);
  });
});
