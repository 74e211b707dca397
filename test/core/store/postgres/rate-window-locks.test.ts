import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NOW, payload } from '../../../support/store/fixtures.js';
import { openTempPgStore, pgTestsEnabled, usePgCluster } from '../../../support/store/postgres.js';

async function advisoryLocks(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`);
    return Number(rows[0].n);
  } finally {
    await c.end();
  }
}

// where the binaries are missing every test below is reported skipped; CI sets GMR_REQUIRE_POSTGRES=1, which throws instead
describe.skipIf(!pgTestsEnabled())('PostgreSQL rate-window locks of a claim (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();

  it('locks only the accounts with limits that queued work may reach, and answers their windows', async () => {
    const { store, url, remove } = await openTempPgStore(cluster());
    try {
      const locks = [
        { tenant_id: '', id: 'busy', whenQueued: ['busy'] },
        // the failover of 'primary', and the default account's messages (no account) go through it
        { tenant_id: '', id: 'spare', whenQueued: ['spare', 'primary'] },
        { tenant_id: '', id: 'default', whenQueued: ['default', null] },
        { tenant_id: 'other', id: 'busy', whenQueued: ['busy'] },
      ];
      const lockNow = () =>
        store.transaction(async (tx) => {
          const windows = await tx.dispatch.lockRateWindows(locks, NOW - 100, 'relay-a');
          return { keys: [...(windows?.keys() ?? [])].sort(), held: await advisoryLocks(url) };
        });
      await store.messages.enqueue([payload('m1', { account_id: 'busy' })], NOW);
      expect(await lockNow()).toEqual({ keys: ['busy'], held: 1 });
      await store.messages.enqueue([payload('m2', { account_id: 'primary' }), payload('m3')], NOW);
      expect(await lockNow()).toEqual({ keys: ['busy', 'default', 'spare'], held: 3 });
      // the locks end with the transaction
      expect(await advisoryLocks(url)).toBe(0);
      // without whenQueued an account is locked whatever is queued (the contract's other callers)
      const all = await store.transaction((tx) => tx.dispatch.lockRateWindows([{ tenant_id: 'other', id: 'idle' }], NOW - 100, 'relay-a'));
      expect([...(all?.keys() ?? [])]).toEqual(['\u0000other\u0000idle']);
    } finally {
      await remove();
    }
  });
});
