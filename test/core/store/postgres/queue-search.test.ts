import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../../src/core/store/postgres/store.js';
import { NOW, errorOutcome, payload, reach } from '../../../support/store/fixtures.js';
import { openTempPgStore, pgTestsEnabled, usePgCluster } from '../../../support/store/postgres.js';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

// where the binaries are missing every test below is reported skipped; CI sets GMR_REQUIRE_POSTGRES=1, which throws instead
describe.skipIf(!pgTestsEnabled())('PostgreSQL queue search (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();

  it('answers a substring from the pg_trgm index over the text it searches', async () => {
    const { store, url, remove } = await openTempPgStore(cluster());
    try {
      await store.messages.enqueue([payload('m1', { subject: 'Quarterly invoice' })], NOW);
      const plan = await withClient(url, async (c) => {
        await c.query('SET enable_seqscan = off');
        const like = '%invoice%';
        const sql = `EXPLAIN SELECT seq FROM messages WHERE (id || E'\\n' || subject || E'\\n' || from_addr || E'\\n' || to_addrs || E'\\n' || coalesce(error, '')) ILIKE $1`;
        return (await c.query<{ 'QUERY PLAN': string }>(sql, [like])).rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toContain('messages_search');
      expect((await store.messages.list({ limit: 5, q: 'ly INVOICE' })).items.map((m) => m.id)).toEqual(['m1']);
    } finally {
      await remove();
    }
  });

  it('migrates and searches by scanning where the server refuses the pg_trgm extension', async () => {
    const owner = await cluster().createDatabase();
    const db = new URL(owner).pathname.slice(1);
    await withClient(owner, async (c) => {
      await c.query('CREATE ROLE no_ext LOGIN');
      await c.query(`REVOKE CREATE ON DATABASE ${db} FROM PUBLIC`);
      await c.query('GRANT ALL ON SCHEMA public TO no_ext');
    });
    const limited = new URL(owner);
    limited.username = 'no_ext';
    const store = await openPostgresStore({ url: limited.toString() });
    try {
      expect(await withClient(owner, async (c) => (await c.query(`SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`)).rowCount)).toBe(0);
      const seq = await reach(store, 'bounced', 'sending');
      await store.dispatch.markError([errorOutcome(seq, { error: '554 relay access denied' })], NOW + 2);
      expect((await store.messages.list({ limit: 5, q: 'ACCESS den' })).items.map((m) => m.id)).toEqual(['bounced']);
      expect(await store.integrityCheck()).toBe('ok');
    } finally {
      await store.close();
      await cluster().dropDatabase(owner);
    }
  });
});
