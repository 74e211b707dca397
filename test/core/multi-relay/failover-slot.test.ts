import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/common/wait.js';
import { mailTo, postJson, recordingSmtp, startRelays, statesOf, useRelayFleet } from '../../support/multi-relay/relays.js';
import { trackedTargets } from '../../support/smtp/smtp-target.js';
import { pgTestsEnabled, usePgCluster } from '../../support/store/postgres.js';

/** A send that fails over takes a slot of the next account that every relay counts (issue #19, known gap). */
describe.skipIf(!pgTestsEnabled())('failover over three relays (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  // before the fleet: the relays stop before their targets close
  const target = trackedTargets();
  const fleet = useRelayFleet();

  it("a failover never exceeds the next account's limit_per_minute across relays", async () => {
    const dbUrl = await cluster().createDatabase();
    const refusing = await target({ connect: () => ({ code: 421, message: 'try again later' }) });
    // slow: the failover sends are still in flight while the other relays fail over theirs
    const b = fleet.smtp(await recordingSmtp(300));
    const relays = fleet.relays(await startRelays(3, dbUrl));
    const accountB = { id: 'b', host: '127.0.0.1', port: b.port, use_tls: false, limit_per_minute: 5, max_connections: 10 };
    const accountA = { id: 'a', host: '127.0.0.1', port: refusing.port, use_tls: false, max_connections: 10, fallbacks: ['b'] };
    for (const account of [accountB, accountA]) expect((await postJson(relays[0].url, '/account', account)).status).toBe(200);

    const added = await Promise.all(
      relays.map((r, i) => postJson(r.url, '/commands/add-messages', { messages: Array.from({ length: 10 }, (_, j) => mailTo('a', `r${i}-${j}`)) })),
    );
    for (const a of added) expect(a.status).toBe(200);

    // settled: nothing queued or in flight; what B did not take waits for a retry or B's next minute
    await waitFor(async () => {
      const s = await statesOf(dbUrl);
      return (s.queued ?? 0) === 0 && (s.sending ?? 0) === 0 && (s.sent ?? 0) + (s.deferred ?? 0) === 30;
    }, 'every message sent or deferred', 30_000);
    expect(refusing.connections()).toBeGreaterThan(0);
    const s = await statesOf(dbUrl);
    expect(b.accepted.length).toBe(s.sent ?? 0);
    expect(b.accepted.length).toBeGreaterThan(0);
    expect(b.accepted.length).toBeLessThanOrEqual(5);
    expect(b.duplicates()).toBe(0);
  }, 60_000);
});
