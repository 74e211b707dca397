import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingSmtpServer } from '../support/smtp/counting-smtp.js';
import { tempDir } from '../support/common/temp-dir.js';
import { PROJECT_ROOT } from '../support/common/paths.js';

const TOKEN = 'crash-token';
const TOTAL = 3000;
const KILLS = 5;
const CONCURRENCY = 10;
/** the dispatcher leases up to twice its connections (CLAIM_AHEAD, src/core/delivery/delivery.ts) */
const MAX_LEASED = 2 * CONCURRENCY;

const smtp = new CountingSmtpServer(3);
let smtpPort = 0;

beforeAll(async () => {
  smtpPort = await smtp.listen();
});
afterAll(() => smtp.close());

function startRelay(dataDir: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', '--smtp-port', '0', '--data-dir', dataDir, '--api-token', TOKEN, '--delivery-mode', 'real', '--max-concurrency', String(CONCURRENCY), '--retry-delays', '1'],
    { cwd: PROJECT_ROOT, env: { ...process.env, GMP_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`relay exited early (${code})`)));
  });
  return { child, url };
}

const api = (url: string, p: string, json?: unknown) =>
  fetch(url + p, { method: json ? 'POST' : 'GET', headers: { 'X-API-Token': TOKEN, 'Content-Type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });

describe('crash recovery', () => {
  it(`kill -9 at random moments while dispatching ${TOTAL} messages, ${KILLS} times: nothing lost, duplicates bounded, database intact`, async () => {
    const dataDir = tempDir();
    let run = startRelay(dataDir);
    let url = await run.url;
    await api(url, '/account', { id: 'target', host: '127.0.0.1', port: smtpPort, max_connections: CONCURRENCY });
    // pause while queueing, so the kills land during dispatch
    await api(url, '/commands/suspend', {});
    for (let b = 0; b < TOTAL / 1000; b++) {
      const messages = Array.from({ length: 1000 }, (_, i) => {
        const id = `crash-${b * 1000 + i}`;
        return { id, account_id: 'target', from: 'a@example.com', to: ['b@example.com'], subject: id, body: 'x', message_id: `<${id}@relay.test>` };
      });
      const r = await api(url, '/commands/add-messages', { messages });
      expect(r.status).toBe(200);
    }
    await api(url, '/commands/activate', {});

    // messages in flight at each crash: leased (state 'sending') in the database the relay left behind
    let inFlightAtKills = 0;
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 400));
      run.child.kill('SIGKILL');
      await new Promise((r) => run.child.once('exit', r));
      const left = new Database(path.join(dataDir, 'mail_service.db'));
      const leased = (left.prepare(`SELECT COUNT(*) AS n FROM messages WHERE state = 'sending'`).get() as { n: number }).n;
      left.close();
      expect(leased).toBeLessThanOrEqual(MAX_LEASED);
      inFlightAtKills += leased;
      run = startRelay(dataDir);
      url = await run.url;
    }

    const deadline = Date.now() + 120_000;
    for (;;) {
      const stats = (await (await api(url, '/api/stats')).json()) as { counts: Record<string, number> };
      if (stats.counts.queued + stats.counts.deferred + stats.counts.sending === 0) break;
      if (Date.now() > deadline) throw new Error(`not drained: ${JSON.stringify(stats.counts)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const stats = (await (await api(url, '/api/stats')).json()) as { counts: Record<string, number> };
    run.child.kill('SIGTERM');
    await new Promise((r) => run.child.once('exit', r));

    expect(stats.counts.error).toBe(0);
    const missing = Array.from({ length: TOTAL }, (_, i) => `crash-${i}@relay.test`).filter((id) => !smtp.seen.has(id));
    expect(missing).toEqual([]);
    const duplicates = smtp.duplicates();
    console.log(`crash recovery: ${TOTAL} delivered, ${duplicates} duplicates after ${KILLS} kill -9 (${inFlightAtKills} in flight at the kills)`);
    // only a message leased when the relay died can have been sent without its outcome being recorded
    expect(duplicates).toBeLessThanOrEqual(inFlightAtKills);

    const db = new Database(path.join(dataDir, 'mail_service.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const sent = db.prepare(`SELECT COUNT(*) AS n FROM messages WHERE state IN ('sent','reported')`).get() as { n: number };
    expect(sent.n).toBe(TOTAL);
    db.close();
  });
});
