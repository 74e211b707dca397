import { describe, expect, it } from 'vitest';
import { payload } from '../../../support/delivery/delivery-relay.js';
import { sentOutcome } from '../../../support/store/fixtures.js';
import { openTempPgStore, pgTestsEnabled, usePgCluster } from '../../../support/store/postgres.js';

const NOW = 1_800_000_000;

/** A failover moves the rate slot of its send in flight to the next account (issue #19). */
describe.skipIf(!pgTestsEnabled())('rate slots moved by a failover on PostgreSQL (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();

  it('the account left behind counts the send no more, the next one does, until the send replaces its slot', async () => {
    const { store, remove } = await openTempPgStore(cluster());
    try {
      await store.messages.enqueue([payload({ id: 'm', account_id: 'a' })], NOW);
      const [row] = await store.dispatch.claim({ now: NOW, leaseUntil: NOW + 60, limit: 1, owner: 'r1' });
      // as another relay counts them
      const windows = async () =>
        Object.fromEntries(
          (await store.transaction((tx) => tx.dispatch.lockRateWindows([{ tenant_id: '', id: 'a' }, { tenant_id: '', id: 'b' }], NOW - 60, 'r2'))) ?? [],
        );
      await store.dispatch.takeRateSlots([{ seq: row.seq, tenant_id: '', account_id: 'a' }], NOW, 'r1');
      expect(await windows()).toEqual({ a: [NOW], b: [] });
      await store.dispatch.takeRateSlots([{ seq: row.seq, tenant_id: '', account_id: 'b' }], NOW + 1, 'r1');
      expect(await windows()).toEqual({ a: [], b: [NOW + 1] });
      await store.dispatch.markSent([sentOutcome(row.seq, { account_id: 'a', via_account: 'b' })], NOW + 2);
      expect(await windows()).toEqual({ a: [], b: [NOW + 2] });
    } finally {
      await remove();
    }
  });
});
