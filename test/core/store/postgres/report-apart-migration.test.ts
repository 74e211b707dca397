import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PG_MIGRATIONS, runPgMigrations } from '../../../../src/core/store/postgres/migrations/index.js';
import { openPostgresStore } from '../../../../src/core/store/postgres/store.js';
import { messageKey as key } from '../../../../src/core/store/records.js';
import { NOW, payload } from '../../../support/store/fixtures.js';
import { pgTestsEnabled, usePgCluster } from '../../../support/store/postgres.js';

// where the binaries are missing every test below is reported skipped; CI sets GMR_REQUIRE_POSTGRES=1, which throws instead
describe.skipIf(!pgTestsEnabled())('PostgreSQL migration 003: the report apart from the outcome (#20.1)', () => {
  const { cluster } = usePgCluster();

  it('gives every reported message its outcome back, and reporting and retention work on the new indexes', async () => {
    const url = await cluster().createDatabase();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await runPgMigrations(pool, PG_MIGRATIONS.filter((m) => m.version <= 2));
      const insert = `INSERT INTO messages (tenant_id, id, priority, state, payload, subject, from_addr, to_addrs,
        created_ts, updated_ts, sent_ts, error_ts, error, reported_ts, attempts) VALUES ('', $1, 2, $2, $3, 's', 'a@example.com', 'b@example.com', $4, $5, $6, $7, $8, $9, 1)`;
      await pool.query(insert, ['delivered', 'reported', JSON.stringify(payload('delivered')), NOW - 50, NOW - 30, NOW - 40, null, null, NOW - 30]);
      await pool.query(insert, ['refused', 'reported', JSON.stringify(payload('refused')), NOW - 50, NOW - 30, null, NOW - 40, 'refused (SMTP 550)', NOW - 30]);
      await pool.query(insert, ['fresh-error', 'error', JSON.stringify(payload('fresh-error')), NOW - 50, NOW - 40, null, NOW - 40, 'limit reached', null]);
      const event = `INSERT INTO message_events (tenant_id, message_id, ts, type, state, detail) VALUES ('', $1, $2, $3, $4, $5)`;
      await pool.query(event, ['refused', NOW - 40, 'error', 'error', JSON.stringify({ error: 'refused (SMTP 550)' })]);
      await pool.query(event, ['refused', NOW - 30, 'reported', 'reported', JSON.stringify({ outcome: 'error' })]);
    } finally {
      await pool.end();
    }
    const store = await openPostgresStore({ url });
    try {
      expect(await store.messages.get(key('delivered'))).toMatchObject({ state: 'sent', reported_ts: NOW - 30 });
      expect(await store.messages.get(key('refused'))).toMatchObject({ state: 'error', error: 'refused (SMTP 550)', reported_ts: NOW - 30 });
      expect((await store.messages.timeline(key('refused'), null)).map((e) => `${e.type}:${e.state}`)).toEqual(['error:error', 'reported:error']);
      expect((await store.reports.pending('', 10)).map((r) => r.item.id)).toEqual(['fresh-error']);
      expect(await store.messages.countUnreported()).toBe(1);
      expect(await store.messages.purgeReported(NOW)).toBe(2);
    } finally {
      await store.close();
    }
  });
});
