import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/core/config/types.js';
import { TenantBook } from '../../../src/core/delivery/tenant-book.js';
import { AccountBook } from '../../../src/core/delivery/account-book.js';
import { ClaimPlanner, engineAccountState } from '../../../src/core/delivery/claim-planner.js';
import { DeliveryLedger, emptyPlan } from '../../../src/core/delivery/delivery.js';
import { RateLimiter } from '../../../src/core/delivery/rate-limiter.js';
import { openStore, type SqliteStore } from '../../../src/core/store/index.js';
import { accountWithDefaults, type AccountInput } from '../../../src/core/store/records.js';
import { payload } from '../../support/delivery/delivery-relay.js';
import { tempDir } from '../../support/common/temp-dir.js';
import { messageKey as key } from '../../../src/core/store/records.js';

const NOW = 1_800_000_000;

let store: SqliteStore;
let book: AccountBook;
let limiter: RateLimiter;
let ledger: DeliveryLedger;
let planner: ClaimPlanner;

beforeEach(async () => {
  store = await openStore({ path: path.join(tempDir(), 'mail_service.db') });
  book = new AccountBook();
  limiter = new RateLimiter();
  ledger = new DeliveryLedger(limiter);
  const config = defaultConfig(tempDir());
  const state = engineAccountState(book, limiter, ledger, config);
  planner = new ClaimPlanner({ ledger, book, tenants: new TenantBook(), limiter, state, config, random: () => 0, sandboxReady: () => true, owner: 'test-relay' });
});

afterEach(async () => {
  await store.close();
});

async function setup(acc: Partial<AccountInput>, ids: string[]): Promise<void> {
  await store.accounts.upsert(accountWithDefaults({ id: 'acc', host: '127.0.0.1', port: 25, ...acc }), NOW);
  await store.messages.enqueue(ids.map((id) => payload({ id, account_id: 'acc' })), NOW);
}

/** One claim round as the pump runs it: prepare and fill in one transaction. */
async function round() {
  const plan = emptyPlan();
  await store.transaction(async (tx) => {
    await planner.prepare(tx, NOW);
    await planner.fill(plan, tx, NOW, false);
  });
  return plan;
}

const states = async (ids: string[]) => Promise.all(ids.map(async (id) => (await store.messages.get(key(id)))!.state));
const ids = ['m0', 'm1', 'm2', 'm3', 'm4'];

describe('claim planner (on a real store, without a relay)', () => {
  it('claims up to the claim slots of the account and plans their sends in dispatch order', async () => {
    await setup({ max_connections: 1 }, ids);
    const plan = await round();
    expect(plan.claimed).toBe(2);
    expect(plan.starts.map((d) => d.row.id)).toEqual(['m0', 'm1']);
    expect([ledger.claimed(), ledger.claimedFor('acc')]).toEqual([2, 2]);
    expect(await states(ids)).toEqual(['sending', 'sending', 'queued', 'queued', 'queued']);
    // no slot left for the account: the next round claims nothing
    expect((await round()).claimed).toBe(0);
  });

  it('a round is not worth a transaction once every claim slot of the relay is taken', async () => {
    const many = Array.from({ length: 25 }, (_, i) => `q${i}`);
    await setup({ max_connections: 10 }, many);
    expect(planner.mayClaim(NOW, false)).toBe(true);
    expect((await round()).claimed).toBe(20);
    expect(planner.mayClaim(NOW, false)).toBe(false);
    // unless the account snapshot must be reloaded first
    book.markStale();
    expect(planner.mayClaim(NOW, false)).toBe(true);
  });

  it('defers what the rate limit does not allow, then claims the rest of a saturated account in bulk', async () => {
    await setup({ max_connections: 1, limit_per_minute: 1 }, ids);
    const first = await round();
    expect(first.starts.map((d) => d.row.id)).toEqual(['m0']);
    expect(first.attempts).toEqual([{ message_id: 'm1', account_id: 'acc', outcome: 'rate_limited', deferred: true }]);
    const second = await round();
    expect(second.claimed).toBe(3);
    expect(second.starts).toEqual([]);
    const deferred = await Promise.all(['m1', 'm2', 'm3', 'm4'].map(async (id) => (await store.messages.get(key(id)))!));
    expect(deferred.map((m) => [m.state, m.deferred_reason, m.deferred_ts])).toEqual([
      ['deferred', 'rate_limited', NOW + 60],
      ['deferred', 'rate_limited', NOW + 120],
      ['deferred', 'rate_limited', NOW + 180],
      ['deferred', 'rate_limited', NOW + 240],
    ]);
  });

  it('fails at claim time what has no account, and wakes the reporter', async () => {
    await setup({}, []);
    await store.messages.enqueue([payload({ id: 'orphan', account_id: 'ghost' })], NOW);
    const plan = await round();
    expect(plan.reportWake).toBe(true);
    expect(plan.attempts).toMatchObject([{ message_id: 'orphan', outcome: 'permanent' }]);
    expect(await store.messages.get(key('orphan'))).toMatchObject({ state: 'error', error: 'Missing SMTP account configuration' });
  });

  it('a rolled-back round leaves the queue and the bookkeeping as they were', async () => {
    await setup({ max_connections: 1, limit_per_minute: 5 }, ids);
    const plan = emptyPlan();
    await expect(
      store.transaction(async (tx) => {
        await planner.prepare(tx, NOW);
        await planner.fill(plan, tx, NOW, false);
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(plan.starts).toHaveLength(2);
    planner.undo(plan);
    expect([ledger.size(), ledger.claimed(), ledger.claimedFor('acc')]).toEqual([0, 0, 0]);
    expect(limiter.state((await store.accounts.get('', 'acc'))!, NOW, null)[0].used).toBe(0);
    expect(await states(ids)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued']);
  });

  it('reloads the account snapshot only when it is stale, seeding the rate windows from the send log', async () => {
    await setup({ limit_per_minute: 2 }, ['old']);
    const [row] = await store.dispatch.claim({ now: NOW - 30, leaseUntil: NOW + 90, limit: 1 });
    await store.dispatch.markSent(
      [{ seq: row.seq, tenant_id: '', account_id: 'acc', via_account: 'acc', sandbox: false, captured_id: null, smtp_message_id: null, recipients: null, detail: {} }],
      NOW - 30,
    );
    await planner.prepare(store, NOW);
    const acc = book.get('', 'acc')!;
    expect(limiter.tracks(acc)).toBe(true);
    expect(limiter.state(acc, NOW, null)[0]).toEqual({ window: 'minute', used: 1, limit: 2, next_free_ts: null });
    // no change announced: the snapshot stays as it is
    await store.accounts.upsert(accountWithDefaults({ id: 'other', host: 'h', port: 25 }), NOW);
    await planner.prepare(store, NOW);
    expect(book.list().map((a) => a.id)).toEqual(['acc']);
    book.markStale();
    await planner.prepare(store, NOW);
    expect(book.list().map((a) => a.id)).toEqual(['acc', 'other']);
  });
});
