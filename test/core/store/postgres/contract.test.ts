import pg from 'pg';
import { describe } from 'vitest';
import { describeStoreContract, recordAnnouncements } from '../../../support/store/contract.js';
import { openTempPgStore, pgTestsEnabled, usePgCluster } from '../../../support/store/postgres.js';

// where the binaries are missing every test below is reported skipped; CI sets GMR_REQUIRE_POSTGRES=1, which throws instead
describe.skipIf(!pgTestsEnabled())('store contract on PostgreSQL (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  describeStoreContract('postgres', async () => {
    const { announced, hooks } = recordAnnouncements();
    const { store, url, remove } = await openTempPgStore(cluster(), hooks);
    return {
      store,
      announced,
      plantOrphanEvent: async (messageId, ts) => {
        const side = new pg.Client({ connectionString: url });
        await side.connect();
        try {
          await side.query(`INSERT INTO message_events (message_id, ts, type, state) VALUES ($1, $2, 'queued', 'queued')`, [messageId, ts]);
        } finally {
          await side.end();
        }
      },
      cleanup: remove,
    };
  });
});
