import type { CountingSmtpServer } from '../../support/smtp/counting-smtp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/common/wait.js';
import { tempDir } from '../../support/common/temp-dir.js';
import { addSpread, postJson, recordingSmtp, statesOf } from '../../support/multi-relay/relays.js';
import { spawnRelay, type RelayProcess } from '../../support/reliability/relay-process.js';
import { TEST_TOKEN } from '../../support/relay/test-relay.js';
import { pgTestsEnabled, usePgCluster } from '../../support/store/postgres.js';

/** connections per relay; each claims at most twice as many (CLAIM_AHEAD): the bound on duplicates */
const CONCURRENCY = 5;
const LEASE_SECONDS = 3;

/** A relay killed with -9 mid-dispatch: another one takes its leased messages once they expire (issue #19.2). */
describe.skipIf(!pgTestsEnabled())('kill -9 of one of two relays on one database (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  let children: RelayProcess[] = [];
  let smtp: CountingSmtpServer | null = null;
  afterEach(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await smtp?.close();
    children = [];
    smtp = null;
  });

  it('loses nothing, and sends twice at most what the dead relay had claimed', async () => {
    const dbUrl = await cluster().createDatabase();
    smtp = await recordingSmtp(100);
    const args = ['--db-url', dbUrl, '--lease-seconds', String(LEASE_SECONDS), '--delivery-mode', 'real', '--max-concurrency', String(CONCURRENCY)];
    children = [await spawnRelay(tempDir(), TEST_TOKEN, args), await spawnRelay(tempDir(), TEST_TOKEN, args)];
    const [doomed, survivor] = children;
    for (const c of children) expect((await postJson(c.url, '/account', { id: 'acc', host: '127.0.0.1', port: smtp.port, use_tls: false })).status).toBe(200);
    const ids = Array.from({ length: 300 }, (_, i) => `m${i}`);
    await addSpread([doomed.url, survivor.url], 'acc', ids, 150);

    await waitFor(() => smtp!.accepted.length >= 40, 'dispatch under way', 30_000);
    await doomed.kill9();
    const leasedAtKill = (await statesOf(dbUrl)).sending ?? 0;
    expect(leasedAtKill).toBeGreaterThan(0);

    await waitFor(async () => (await statesOf(dbUrl)).sent === 300, 'all 300 sent by the survivor', 60_000);
    expect(smtp.distinct()).toBe(300);
    expect(smtp.duplicates()).toBeLessThanOrEqual(CONCURRENCY * 2);
  }, 120_000);
});
