import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/common/wait.js';
import { mailTo, postJson, recordingSmtp, startRelays, statesOf, useRelayFleet } from '../../support/multi-relay/relays.js';
import { pgTestsEnabled, usePgCluster } from '../../support/store/postgres.js';

/** An account's rate limits hold over every relay sharing the database (issue #19.3). */
describe.skipIf(!pgTestsEnabled())('a shared rate limit over three relays (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  const fleet = useRelayFleet();

  it('limit_per_minute is never exceeded when three relays race for the last slots', async () => {
    const dbUrl = await cluster().createDatabase();
    // a slow server: the sends are still in flight while the other relays claim
    const smtp = fleet.smtp(await recordingSmtp(300));
    const relays = fleet.relays(await startRelays(3, dbUrl));
    const account = { id: 'limited', host: '127.0.0.1', port: smtp.port, use_tls: false, limit_per_minute: 7, max_connections: 10 };
    for (const r of relays) expect((await postJson(r.url, '/account', account)).status).toBe(200);

    const batches = relays.map((_, i) => Array.from({ length: 10 }, (_, j) => mailTo('limited', `r${i}-${j}`)));
    const added = await Promise.all(relays.map((r, i) => postJson(r.url, '/commands/add-messages', { messages: batches[i] })));
    for (const a of added) expect(a.status).toBe(200);

    // settled: nothing queued or in flight, 7 sent, the rest waiting for the next minute
    await waitFor(async () => {
      const s = await statesOf(dbUrl);
      return (s.sent ?? 0) === 7 && (s.deferred ?? 0) === 23;
    }, '7 sent and 23 deferred', 30_000);
    expect(smtp.accepted).toHaveLength(7);
    expect(smtp.duplicates()).toBe(0);
  }, 60_000);
});
