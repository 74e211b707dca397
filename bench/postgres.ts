/**
 * PostgreSQL (issue #19): add-messages ingest in batches of 1,000, then dispatch drains with 1, 2 and 3
 * relays on one database, beside one SQLite relay in the same run; then claim latency with a million
 * queued. Relays run as `relay serve` child processes, the SMTP peer in its own process, the database
 * on a throwaway cluster (initdb + pg_ctl on 127.0.0.1). Goals: ingest >= 5,000 msg/s; 3 relays
 * together >= 1.0x one SQLite relay; claim p99 <= 20 ms with 1,000,000 queued.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { toPayload } from '../src/core/messages/normalise.js';
import { openPostgresStore } from '../src/core/store/postgres/store.js';
import { findPgBin, startCluster, type PgCluster } from '../test/support/postgres/cluster.js';
import { spawnRelay, type RelayProcess } from '../test/support/reliability/relay-process.js';
import { removeTempDirs } from '../test/support/common/temp-dir.js';
import { arg, percentile, postJson, report, tempDir, BENCH_TOKEN } from './lib.js';
import { childrenOf, cpuWatch, postmasterPid } from './proc-cpu.js';
import { startPeerProcess } from './smtp-peers.js';

type Peer = Awaited<ReturnType<typeof startPeerProcess>>;

const DRAIN = arg('messages', 10_000);
const CLAIM_QUEUE = arg('claim-queue', 1_000_000);
const CLAIMS = arg('claims', 300);
/** `--profile N`: only a drain with N relays, then the statements that took the server's time (pg_stat_statements) */
const PROFILE = arg('profile', 0);
const BODY = 'PostgreSQL benchmark body line.\n'.repeat(20);

const message = (id: string) => ({ id, account_id: 'bench', from: 'bench@example.com', to: ['rcpt@example.com'], subject: `pg ${id}`, body: BODY });

async function call(url: string, method: 'PATCH' | 'GET', body?: unknown): Promise<unknown> {
  const r = await fetch(url, { method, headers: { 'X-API-Token': BENCH_TOKEN, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) throw new Error(`${method} ${url} answered ${r.status}`);
  return r.json();
}

/** Adds `n` messages in batches of 1,000 to the first relay; answers msg/s. */
async function ingest(agent: http.Agent, url: string, n: number, prefix: string): Promise<number> {
  const t0 = performance.now();
  for (let done = 0; done < n; done += 1000) {
    const messages = Array.from({ length: Math.min(1000, n - done) }, (_, k) => message(`${prefix}${done + k}`));
    const r = await postJson(agent, `${url}/commands/add-messages`, BENCH_TOKEN, { messages });
    if (r.status !== 200) throw new Error(`add-messages answered ${r.status}: ${r.body.slice(0, 200)}`);
  }
  return n / ((performance.now() - t0) / 1000);
}

interface Run {
  ingest: number;
  drain: number;
  /** CPU ms per message during the drain: the relays, the database server, the SMTP peer */
  cpu: Record<string, number>;
}

/** The SMTP peer's process (a child of this one running peer-process.ts). */
const peerPids = () => childrenOf(process.pid).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('peer-process'));

/** "relays 1.10 + database 0.40 + peer 0.30 = 1.80" */
const cpuColumns = (run: Run) => {
  const parts = Object.entries(run.cpu).filter(([, ms]) => ms > 0);
  return `${parts.map(([k, ms]) => `${k} ${ms.toFixed(2)}`).join(' + ')} = ${parts.reduce((s, [, ms]) => s + ms, 0).toFixed(2)}`;
};

/** `relays` relay processes on one database (or one SQLite relay): paused, fed `DRAIN` messages, then unpaused together. */
async function drainRun(peer: Peer, relays: number, dbUrl: string | null, postmaster: number | null): Promise<Run> {
  const smtpPort = peer.port;
  const args = ['--delivery-mode', 'real', '--max-concurrency', '10', '--log-level', 'error', ...(dbUrl ? ['--db-url', dbUrl] : [])];
  const children: RelayProcess[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < relays; i++) children.push(await spawnRelay(tempDir(), BENCH_TOKEN, args));
    for (const c of children) {
      await call(`${c.url}/api/settings`, 'PATCH', { paused: true });
      await postJson(agent, `${c.url}/account`, BENCH_TOKEN, { id: 'bench', host: '127.0.0.1', port: smtpPort, use_tls: false, max_connections: 10 });
    }
    const ingestRate = await ingest(agent, children[0].url, DRAIN, `r${relays}-`);
    const delivered = (await peer.count()) + DRAIN;
    const cpu = cpuWatch({
      relays: () => children.map((c) => c.child.pid ?? 0),
      database: () => (postmaster ? [postmaster, ...childrenOf(postmaster)] : []),
      peer: peerPids,
    });
    const t0 = performance.now();
    await Promise.all(children.map((c) => call(`${c.url}/api/settings`, 'PATCH', { paused: false })));
    // the peer's count is free; /api/stats counts the queue in the relay's store (a cost that would slow the drain)
    while ((await peer.count()) < delivered) await new Promise((r) => setTimeout(r, 50));
    for (;;) {
      const stats = (await call(`${children[0].url}/api/stats`, 'GET')) as { counts: Record<string, number> };
      if ((stats.counts.sent ?? 0) >= DRAIN) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const drain = DRAIN / ((performance.now() - t0) / 1000);
    const used = cpu.stop();
    return { ingest: ingestRate, drain, cpu: Object.fromEntries(Object.entries(used).map(([k, ms]) => [k, ms / DRAIN])) };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    agent.destroy();
  }
}

/** Claim latency as the engine claims (a transaction: shared backoffs, a capped claim of 50) with `queued` messages waiting. */
async function claimLatency(cluster: PgCluster, queued: number): Promise<{ p50: number; p99: number; max: number; fillSeconds: number }> {
  const url = await cluster.createDatabase();
  const store = await openPostgresStore({ url });
  const now = Math.floor(Date.now() / 1000);
  const t0 = performance.now();
  await store.messages.enqueue([toPayload(message('seed'), 2)], now);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO messages (tenant_id, id, account_id, priority, state, payload, subject, from_addr, to_addrs, created_ts, updated_ts)
       SELECT tenant_id, id || '-' || g, account_id, priority, state, payload, subject, from_addr, to_addrs, created_ts, updated_ts
       FROM messages m, generate_series(1, $1::int) g WHERE m.id = 'seed'`,
      [queued - 1],
    );
    await db.query('ANALYZE messages');
  } finally {
    await db.end();
  }
  const fillSeconds = (performance.now() - t0) / 1000;
  const caps = { perAccount: new Map([['bench', 50]]), noAccount: 50, otherAccounts: 50 };
  const lat: number[] = [];
  for (let i = 0; i < CLAIMS; i++) {
    const t = performance.now();
    await store.transaction(
      async (tx) => {
        await tx.dispatch.sharedBackoffs(now);
        await tx.dispatch.claim({ now, leaseUntil: now + 120, limit: 50, caps, owner: 'bench' });
      },
      { durable: false },
    );
    lat.push(performance.now() - t);
  }
  await store.close();
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), max: lat[lat.length - 1], fillSeconds };
}

/** Turns pg_stat_statements on for every database created from now on (a restart loads the library). */
async function enableStatementStats(cluster: PgCluster): Promise<void> {
  const admin = async (sql: string, database?: string) => {
    const db = new pg.Client({ connectionString: cluster.url(database) });
    await db.connect();
    try {
      return await db.query(sql);
    } finally {
      await db.end();
    }
  };
  await admin("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
  await cluster.pause();
  await cluster.resume();
  await admin('CREATE EXTENSION pg_stat_statements', 'template1');
}

/** The statements of the run by server time: calls, total and mean ms (round trips and client time not included). */
async function statementStats(cluster: PgCluster, top = 20): Promise<Record<string, string | number>[]> {
  const db = new pg.Client({ connectionString: cluster.url() });
  await db.connect();
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const { rows } = await db.query<{ query: string; calls: string; total: number; mean: number; rows: string }>(
      `SELECT query, calls, total_exec_time AS total, mean_exec_time AS mean, rows FROM pg_stat_statements
       WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'store_1') ORDER BY total_exec_time DESC LIMIT $1`,
      [top],
    );
    return rows.map((r) => ({ 'total ms': Math.round(r.total), calls: Number(r.calls), 'mean ms': r.mean.toFixed(3), rows: Number(r.rows), query: r.query.replace(/\s+/g, ' ').slice(0, 90) }));
  } finally {
    await db.end();
  }
}

async function profile(relays: number): Promise<void> {
  const cluster = await startCluster();
  const peer = await startPeerProcess();
  try {
    await enableStatementStats(cluster);
    const run = await drainRun(peer, relays, await cluster.createDatabase(), await postmasterPid(cluster.url()));
    report(`PostgreSQL, ${relays} relay(s), ${DRAIN} messages: the server's time by statement`, await statementStats(cluster), {
      'drain msg/s': Math.round(run.drain),
      'CPU ms per message': cpuColumns(run),
      'load average': readFileSync('/proc/loadavg', 'utf8').trim(),
    });
  } finally {
    await peer.close();
    await cluster.stop();
    removeTempDirs();
  }
}

async function main() {
  if (PROFILE > 0) return profile(PROFILE);
  if (!findPgBin()) throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found: install postgresql (Debian) to run this bench');
  const cluster = await startCluster();
  const peer = await startPeerProcess();
  try {
    const postmaster = await postmasterPid(cluster.url());
    const sqlite = await drainRun(peer, 1, null, null);
    const runs: { relays: number; run: Run }[] = [];
    for (const relays of [1, 2, 3]) runs.push({ relays, run: await drainRun(peer, relays, await cluster.createDatabase(), postmaster) });
    const claims = await claimLatency(cluster, CLAIM_QUEUE);
    const three = runs.find((r) => r.relays === 3)!.run;
    report(
      `PostgreSQL: ingest and dispatch (${DRAIN} messages per run) beside SQLite`,
      [
        { run: 'SQLite, 1 relay', 'ingest msg/s': Math.round(sqlite.ingest), 'drain msg/s': Math.round(sqlite.drain), 'drain CPU ms/msg': cpuColumns(sqlite) },
        ...runs.map(({ relays, run }) => ({
          run: `PostgreSQL, ${relays} relay${relays > 1 ? 's' : ''}`,
          'ingest msg/s': Math.round(run.ingest),
          'drain msg/s': Math.round(run.drain),
          'drain CPU ms/msg': cpuColumns(run),
        })),
      ],
      {
        'PostgreSQL ingest (batches of 1,000, 1 relay)': `${Math.round(runs[0].run.ingest)} msg/s (goal >= 5,000)`,
        '3 PostgreSQL relays / 1 SQLite relay, drain': `${(three.drain / sqlite.drain).toFixed(2)} (goal >= 1.0)`,
        [`claim of 50 with ${CLAIM_QUEUE} queued, ${CLAIMS} claims`]: `p50 ${claims.p50.toFixed(2)} ms, p99 ${claims.p99.toFixed(2)} ms, max ${claims.max.toFixed(2)} ms (goal p99 <= 20 ms)`,
        'queue fill (SQL, once)': `${claims.fillSeconds.toFixed(1)} s`,
        'load average (end)': readFileSync('/proc/loadavg', 'utf8').trim(),
      },
    );
  } finally {
    await peer.close();
    await cluster.stop();
    removeTempDirs();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
