import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/common/wait.js';
import { postJson, mailTo, recordingSmtp, startRelays, statesOf, withDb, useRelayFleet } from '../../support/multi-relay/relays.js';
import { pgTestsEnabled, usePgCluster } from '../../support/store/postgres.js';

const LEASE_SECONDS = 2;

/** A send slower than the lease keeps its lease: the other relay never sends it again (issue #19.2). */
describe.skipIf(!pgTestsEnabled())('lease renewal with two relays (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  const fleet = useRelayFleet();

  it('a 2-second lease renewed through 4-second sends: each message is sent once', async () => {
    const dbUrl = await cluster().createDatabase();
    const smtp = fleet.smtp(await recordingSmtp(4000));
    const relays = fleet.relays(await startRelays(2, dbUrl, { delivery: { leaseSeconds: LEASE_SECONDS } }));
    for (const r of relays) expect((await postJson(r.url, '/account', { id: 'slow', host: '127.0.0.1', port: smtp.port, use_tls: false, max_connections: 3 })).status).toBe(200);
    const claimedAt = Math.floor(Date.now() / 1000);
    expect((await postJson(relays[0].url, '/commands/add-messages', { messages: ['a', 'b', 'c'].map((id) => mailTo('slow', id)) })).status).toBe(200);
    // the other relay is awake too, looking for work and expired leases
    expect((await postJson(relays[1].url, '/commands/add-messages', { messages: [mailTo('slow', 'd')] })).status).toBe(200);

    // while the sends run, their leases move past the first expiry
    await waitFor(async () => {
      const { rows } = await withDb(dbUrl, (db) => db.query<{ until: string }>(`SELECT max(lease_until) AS until FROM messages WHERE state = 'sending'`));
      return Number(rows[0]?.until ?? 0) >= claimedAt + LEASE_SECONDS + 2;
    }, 'a lease renewed', 10_000);
    await waitFor(async () => (await statesOf(dbUrl)).sent === 4, 'all 4 sent', 30_000);
    expect(smtp.accepted.map((a) => a.id).sort()).toEqual(['a', 'b', 'c', 'd'].map((id) => `${id}@multi.test`));
  }, 60_000);
});
