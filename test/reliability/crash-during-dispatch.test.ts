import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CountingSmtpServer } from '../support/smtp/counting-smtp.js';
import { tempDir } from '../support/common/temp-dir.js';
import { waitFor } from '../support/common/wait.js';
import { readDatabase, spawnRelay, type RelayProcess } from '../support/reliability/relay-process.js';

const TOKEN = 'crash-token-0123456789';
const TOTAL = 3000;
const KILLS = 5;
const CONCURRENCY = 10;
/** the dispatcher leases up to twice its connections (CLAIM_AHEAD, src/core/delivery/delivery.ts) */
const MAX_LEASED = 2 * CONCURRENCY;
/** each kill comes after this many deliveries (at most) since the relay came back: the queue never runs dry before the last one */
const MAX_DELIVERIES_BEFORE_KILL = 200;

const smtp = new CountingSmtpServer(3);
let smtpPort = 0;

beforeAll(async () => {
  smtpPort = await smtp.listen();
});
afterAll(() => smtp.close());

const start = (dataDir: string) => spawnRelay(dataDir, TOKEN, ['--delivery-mode', 'real', '--max-concurrency', String(CONCURRENCY), '--retry-delays', '1']);

const api = (url: string, p: string, json?: unknown) =>
  fetch(url + p, { method: json ? 'POST' : 'GET', headers: { 'X-API-Token': TOKEN, 'Content-Type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });

const delivered = () => [...smtp.seen.values()].reduce((n, c) => n + c, 0);

describe('crash recovery during dispatch', () => {
  it(`kill -9 while ${TOTAL} messages are being sent, ${KILLS} times, each with messages in flight: nothing lost, duplicates bounded, database intact`, async () => {
    expect(KILLS * MAX_DELIVERIES_BEFORE_KILL).toBeLessThan(TOTAL);
    const dataDir = tempDir();
    let run: RelayProcess = await start(dataDir);
    await api(run.url, '/account', { id: 'target', host: '127.0.0.1', port: smtpPort, max_connections: CONCURRENCY });
    // pause while queueing, so the kills land during dispatch
    await api(run.url, '/commands/suspend', {});
    for (let b = 0; b < TOTAL / 1000; b++) {
      const messages = Array.from({ length: 1000 }, (_, i) => {
        const id = `crash-${b * 1000 + i}`;
        return { id, account_id: 'target', from: 'a@example.com', to: ['b@example.com'], subject: id, body: 'x', message_id: `<${id}@relay.test>` };
      });
      const r = await api(run.url, '/commands/add-messages', { messages });
      expect(r.status).toBe(200);
    }
    await api(run.url, '/commands/activate', {});

    // messages in flight at each crash: leased (state 'sending') in the database the relay left behind
    const inFlightAtKills: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      // kill while sends are going on: after some deliveries by this process
      const target = delivered() + 20 + Math.floor(Math.random() * (MAX_DELIVERIES_BEFORE_KILL - 20));
      await waitFor(() => delivered() >= target, { timeoutMs: 60_000, intervalMs: 2 });
      await run.kill9();
      const leased = readDatabase(dataDir, (db) => (db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE state = 'sending'`).get() as { n: number }).n);
      expect(leased, `kill ${k + 1}: messages in flight`).toBeGreaterThan(0);
      expect(leased).toBeLessThanOrEqual(MAX_LEASED);
      inFlightAtKills.push(leased);
      run = await start(dataDir);
    }

    await vi.waitFor(
      async () => {
        const { counts } = (await (await api(run.url, '/api/stats')).json()) as { counts: Record<string, number> };
        expect(counts.queued + counts.deferred + counts.sending, `not drained: ${JSON.stringify(counts)}`).toBe(0);
      },
      { timeout: 120_000, interval: 200 },
    );
    const stats = (await (await api(run.url, '/api/stats')).json()) as { counts: Record<string, number> };
    await run.stop();

    expect(stats.counts.error).toBe(0);
    const missing = Array.from({ length: TOTAL }, (_, i) => `crash-${i}@relay.test`).filter((id) => !smtp.seen.has(id));
    expect(missing).toEqual([]);
    const duplicates = smtp.duplicates();
    const inFlight = inFlightAtKills.reduce((a, b) => a + b, 0);
    console.log(`crash during dispatch: ${TOTAL} delivered, ${duplicates} duplicates after ${KILLS} kill -9 (in flight at the kills: ${inFlightAtKills.join(', ')})`);
    // only a message leased when the relay died can have been sent without its outcome being recorded
    expect(duplicates).toBeLessThanOrEqual(inFlight);

    readDatabase(dataDir, (db) => {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const sent = db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE state = 'sent'`).get() as { n: number };
      expect(sent.n).toBe(TOTAL);
    });
  });
});
