import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../../src/core/config/types.js';
import { AccountBook } from '../../../../src/core/delivery/account-book.js';
import { ClaimPlanner, engineAccountState } from '../../../../src/core/delivery/claim-planner.js';
import { DeliveryLedger, emptyPlan } from '../../../../src/core/delivery/delivery.js';
import { RateLimiter } from '../../../../src/core/delivery/rate-limiter.js';
import { TenantBook } from '../../../../src/core/delivery/tenant-book.js';
import { openPostgresStore, type PostgresStore } from '../../../../src/core/store/postgres/store.js';
import { accountWithDefaults, messageKey as key } from '../../../../src/core/store/records.js';
import { tempDir } from '../../../support/common/temp-dir.js';
import { payload } from '../../../support/delivery/delivery-relay.js';
import { sentOutcome } from '../../../support/store/fixtures.js';
import { withDb } from '../../../support/multi-relay/relays.js';
import { openTempPgStore, pgTestsEnabled, usePgCluster } from '../../../support/store/postgres.js';

const NOW = 1_800_000_000;

const advisoryLocks = (url: string) =>
  withDb(url, async (db) => Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted")).rows[0].n));

async function withStores<T>(cluster: Parameters<typeof openTempPgStore>[0], fn: (store: PostgresStore, other: PostgresStore, url: string) => Promise<T>): Promise<T> {
  const { store, url, remove } = await openTempPgStore(cluster);
  // "another relay": its own pool on the same database
  const other = await openPostgresStore({ url });
  try {
    return await fn(store, other, url);
  } finally {
    await other.close();
    await remove();
  }
}

/** A claim locks the rate windows of the accounts due work may use, not of every account with limits (issue #19). */
describe.skipIf(!pgTestsEnabled())('rate window locks on PostgreSQL (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();

  it('locks, in one statement, only the accounts whose sources have queued work, and those without sources always', async () => {
    await withStores(cluster(), async (store, other, url) => {
      await other.messages.enqueue([payload({ id: 'x', account_id: 'busy' }), payload({ id: 'u' }), payload({ id: 't', account_id: 'via' })], NOW);
      await other.messages.enqueue([{ ...payload({ id: 'o' }), tenant_id: 't2' }], NOW);
      const windows = await store.transaction(async (tx) => {
        const w = await tx.dispatch.lockRateWindows(
          [
            { tenant_id: '', id: 'busy', sources: ['busy'] },
            { tenant_id: '', id: 'idle', sources: ['idle', 'also-idle'] },
            { tenant_id: '', id: 'spare', sources: ['spare', 'via'] },
            { tenant_id: '', id: 'default', sources: ['default', null] },
            { tenant_id: 't2', id: 'idle', sources: ['idle'] },
            { tenant_id: 't2', id: 'default', sources: ['default', null] },
            { tenant_id: '', id: 'always' },
          ],
          NOW - 86400,
          'r1',
        );
        // held until the commit, seen from another session
        expect(await advisoryLocks(url)).toBe(5);
        return w;
      });
      expect([...(windows?.keys() ?? [])].sort()).toEqual(['always', 'busy', 'default', 'spare', '\u0000t2\u0000default'].sort());
      expect(await advisoryLocks(url)).toBe(0);
    });
  });

  it('a failover moves the slot of a send in flight: the account left behind counts it no more, the next one does', async () => {
    await withStores(cluster(), async (store) => {
      await store.messages.enqueue([payload({ id: 'm', account_id: 'a' })], NOW);
      const [row] = await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 1, owner: 'r1' });
      const windows = () =>
        store.transaction((tx) => tx.dispatch.lockRateWindows([{ tenant_id: '', id: 'a' }, { tenant_id: '', id: 'b' }], NOW - 60, 'r2'));
      await store.dispatch.takeRateSlots([{ seq: row.seq, tenant_id: '', account_id: 'a' }], NOW, 'r1');
      expect(Object.fromEntries((await windows()) ?? [])).toEqual({ a: [NOW], b: [] });
      await store.dispatch.takeRateSlots([{ seq: row.seq, tenant_id: '', account_id: 'b' }], NOW + 1, 'r1');
      expect(Object.fromEntries((await windows()) ?? [])).toEqual({ a: [], b: [NOW + 1] });
      await store.dispatch.markSent([sentOutcome(row.seq, { account_id: 'a', via_account: 'b' })], NOW + 2);
      expect(Object.fromEntries((await windows()) ?? [])).toEqual({ a: [], b: [NOW + 2] });
    });
  });

  it('a message due after the locks were taken, for an account the round did not lock, goes back to the queue; the next round sends it', async () => {
    await withStores(cluster(), async (store, other) => {
      await store.accounts.upsert(accountWithDefaults({ id: 'limited', host: '127.0.0.1', port: 25, limit_per_minute: 5 }), NOW);
      const book = new AccountBook();
      const limiter = new RateLimiter();
      const ledger = new DeliveryLedger(limiter);
      const config = defaultConfig(tempDir());
      const state = engineAccountState(book, limiter, ledger, config);
      const planner = new ClaimPlanner({ ledger, book, tenants: new TenantBook(), limiter, state, config, random: () => 0, sandboxReady: () => true, owner: 'r1' });
      const round = (between?: () => Promise<unknown>) => {
        const plan = emptyPlan();
        return store.transaction(async (tx) => {
          await planner.prepare(tx, NOW);
          await between?.();
          await planner.fill(plan, tx, NOW, false);
          return plan;
        });
      };

      // nothing due for `limited` when the round locks: it locks nothing, then the message arrives
      const first = await round(() => other.messages.enqueue([payload({ id: 'late', account_id: 'limited' })], NOW));
      expect(first.claimed).toBe(1);
      expect(first.starts).toEqual([]);
      expect((await store.messages.get(key('late')))?.state).toBe('queued');
      expect((await store.messages.timeline(key('late'), 'limited')).map((e) => e.type)).toEqual(['queued', 'lease_expired']);

      const second = await round();
      expect(second.starts.map((d) => d.row.id)).toEqual(['late']);
      expect(await store.dispatch.sendLogSince('', 'limited', 0)).toEqual([NOW]);
    });
  });
});
