import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../../src/core/store/postgres/store.js';
import { NOW, payload } from '../../../support/store/fixtures.js';
import { openTempPgStore, pgTestsEnabled, usePgCluster } from '../../../support/store/postgres.js';

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

// where the binaries are missing every test below is reported skipped; CI sets GMR_REQUIRE_POSTGRES=1, which throws instead
describe.skipIf(!pgTestsEnabled())('PostgreSQL claims racing on two relays (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();

  it('a capped claim made while another relay holds its claim open takes the rows after those, not nothing', async () => {
    const { store: a, url, remove } = await openTempPgStore(cluster());
    const b = await openPostgresStore({ url });
    try {
      // odd ones through account x, even ones without an account
      await a.messages.enqueue(Array.from({ length: 60 }, (_, i) => payload(`m${i}`, i % 2 ? { account_id: 'x' } : {})), NOW);
      const caps = { perAccount: new Map([['x', 10]]), noAccount: 10, otherAccounts: 10 };
      const claim = (owner: string) => ({ now: NOW, leaseUntil: NOW + 120, limit: 15, caps, owner });
      let first: string[] = [];
      let second: string[] = [];
      await a.transaction(
        async (tx) => {
          first = ids(await tx.dispatch.claim(claim('relay-a')));
          // relay b claims while a's transaction (and its row locks) is still open
          second = ids(await b.dispatch.claim(claim('relay-b')));
        },
        { durable: false },
      );
      expect(first).toHaveLength(15);
      expect(second).toHaveLength(15);
      expect(second.filter((id) => first.includes(id))).toEqual([]);
      // b took the heads after what a held locked (a's 10 of x and 10 without account, of which it leased 15)
      expect(second).toEqual(Array.from({ length: 15 }, (_, k) => `m${20 + k}`));
      // the rows a locked but did not lease went back to the queue with its commit
      const third = ids(await b.dispatch.claim(claim('relay-b')));
      expect(third).toEqual(['m15', 'm16', 'm17', 'm18', 'm19', 'm35', 'm36', 'm37', 'm38', 'm39', 'm40', 'm41', 'm42', 'm43', 'm44']);
    } finally {
      await b.close();
      await remove();
    }
  });
});
