/**
 * Queue search at scale on PostgreSQL: `q=` through the pg_trgm index (migration 006) and, in the same run
 * on the same database, the per-column ILIKE scan it replaced. N rows (default 1,000,000) are written by one
 * INSERT ... SELECT generate_series; a throwaway cluster on 127.0.0.1 (needs initdb and pg_ctl).
 */
import pg from 'pg';
import { openPostgresStore } from '../src/core/store/postgres/store.js';
import { startCluster } from '../test/support/postgres/cluster.js';
import { arg, percentile, report } from './lib.js';

const N = arg('messages', 1_000_000);
const SEARCHES = ['user4242@', 'confirmation', 'Order 12', 'no-such-text', 'r4'];

async function time(fn: () => Promise<unknown>, runs: number) {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { 'p50 ms': Number(percentile(t, 50).toFixed(2)), 'p95 ms': Number(percentile(t, 95).toFixed(2)) };
}

async function main() {
  const cluster = await startCluster();
  try {
    const url = await cluster.createDatabase();
    const store = await openPostgresStore({ url });
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const t0 = performance.now();
    await c.query(`INSERT INTO messages (tenant_id, id, account_id, priority, state, payload, subject, from_addr, to_addrs, created_ts, updated_ts)
      SELECT '', 'msg-' || k, 'acc', 2, 'queued', '{}', 'Order ' || k || ' confirmation', 'sender@example.com', 'user' || k || '@example.com', 1, 1
      FROM generate_series(0, ${N - 1}) k`);
    await c.query('ANALYZE messages');
    const fillSeconds = (performance.now() - t0) / 1000;
    const scan = (q: string) =>
      c.query(
        `SELECT seq, id FROM messages WHERE (id ILIKE $1 OR subject ILIKE $1 OR from_addr ILIKE $1 OR to_addrs ILIKE $1 OR error ILIKE $1)
         ORDER BY seq DESC LIMIT 51`,
        [`%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`],
      );
    const rows = [];
    for (const q of SEARCHES) {
      const found = (await store.messages.list({ limit: 50, q })).items.length;
      rows.push({ query: `q=${q} (${found} on page 1): index`, ...(await time(() => store.messages.list({ limit: 50, q }), 11)) });
      rows.push({ query: `q=${q}: scan (before)`, ...(await time(() => scan(q), 3)) });
    }
    await c.end();
    await store.close();
    report(`Queue search on PostgreSQL at ${N} queued`, rows, { [`fill (one INSERT ... SELECT, GIN index kept)`]: `${fillSeconds.toFixed(1)} s` });
  } finally {
    await cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
