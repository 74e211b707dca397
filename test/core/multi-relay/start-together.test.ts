import { describe, expect, it } from 'vitest';
import { PG_MIGRATIONS } from '../../../src/core/store/postgres/migrations/index.js';
import { waitFor } from '../../support/common/wait.js';
import { addSpread, postJson, recordingSmtp, statesOf, withDb, useRelayFleet } from '../../support/multi-relay/relays.js';
import { startTestRelay } from '../../support/relay/test-relay.js';
import { pgTestsEnabled, usePgCluster } from '../../support/store/postgres.js';

/** Relays starting at the same moment on an empty database: one migrates, the other waits, both work. */
describe.skipIf(!pgTestsEnabled())('two relays starting at once on an empty database (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  const fleet = useRelayFleet();

  it('both start, the schema is migrated once, and both deliver from the one queue', async () => {
    const dbUrl = await cluster().createDatabase();
    const relays = fleet.relays(await Promise.all([startTestRelay({ dbUrl, deliveryMode: 'real' }), startTestRelay({ dbUrl, deliveryMode: 'real' })]));
    const versions = await withDb(dbUrl, async (db) => (await db.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version')).rows);
    expect(versions.map((v) => v.version)).toEqual(PG_MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
    expect((await relays[0].relay.store.dispatch.liveRelays(0)).map((r) => r.id).sort()).toEqual(relays.map((r) => r.relay.dispatcher.instanceId()).sort());

    const smtp = fleet.smtp(await recordingSmtp());
    for (const r of relays) expect((await postJson(r.url, '/account', { id: 'acc', host: '127.0.0.1', port: smtp.port, use_tls: false })).status).toBe(200);
    await addSpread(relays.map((r) => r.url), 'acc', Array.from({ length: 40 }, (_, i) => `m${i}`), 10);
    await waitFor(async () => (await statesOf(dbUrl)).sent === 40, 'all 40 sent', 30_000);
    expect(smtp.distinct()).toBe(40);
    expect(smtp.duplicates()).toBe(0);
  }, 60_000);
});
