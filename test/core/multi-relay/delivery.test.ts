import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/common/wait.js';
import { addSpread, postJson, recordingSmtp, startRelays, withDb, useRelayFleet } from '../../support/multi-relay/relays.js';
import { pgTestsEnabled, usePgCluster } from '../../support/store/postgres.js';

/** Three relays on one PostgreSQL database share its queue (issue #19): everything goes out once. */
describe.skipIf(!pgTestsEnabled())('three relays on one database (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  const fleet = useRelayFleet();

  it('deliver 3,000 messages to a counting SMTP server, each exactly once, every relay taking a share', async () => {
    const dbUrl = await cluster().createDatabase();
    const smtp = fleet.smtp(await recordingSmtp());
    const relays = fleet.relays(await startRelays(3, dbUrl));
    for (const r of relays) expect((await postJson(r.url, '/account', { id: 'acc', host: '127.0.0.1', port: smtp.port, use_tls: false, max_connections: 10 })).status).toBe(200);
    const ids = Array.from({ length: 3000 }, (_, i) => `m${i}`);
    const started = Date.now();
    await addSpread(relays.map((r) => r.url), 'acc', ids);

    await waitFor(async () => (await relays[0].relay.store.messages.countByState()).sent === 3000, 'all 3,000 sent', 60_000);
    const seconds = (Date.now() - started) / 1000;
    expect(smtp.distinct()).toBe(3000);
    expect(smtp.duplicates()).toBe(0);
    expect(await relays[0].relay.store.dispatch.countLeased()).toBe(0);
    // the queue was shared, not drained by one: every relay's leases carried some of the messages
    const owners = await withDb(dbUrl, async (db) => (await db.query<{ o: string; n: string }>('SELECT lease_owner AS o, count(*) AS n FROM messages GROUP BY 1')).rows);
    expect(owners.map((o) => o.o).sort()).toEqual(relays.map((r) => r.relay.dispatcher.instanceId()).sort());
    process.stdout.write(`[multi-relay] 3 relays delivered 3,000 messages in ${seconds.toFixed(1)} s\n`);
  }, 90_000);
});
