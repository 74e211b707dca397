import { PG_MIGRATIONS } from '../../../../src/core/store/postgres/migrations/index.js';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPool, redactUrl } from '../../../../src/core/store/postgres/connection.js';
import { openPostgresStore } from '../../../../src/core/store/postgres/store.js';
import { pgTestsEnabled, usePgCluster } from '../../../support/store/postgres.js';

describe('redactUrl', () => {
  it('replaces the password, in the authority and in a query parameter, and keeps the rest', () => {
    expect(redactUrl('postgres://relay:pw@db:5432/q')).toBe('postgres://relay:***@db:5432/q');
    expect(redactUrl('postgres://db/q?user=relay&password=pw')).toBe('postgres://db/q?user=relay&password=***');
    expect(redactUrl('postgres://relay@db/q')).toBe('postgres://relay@db/q');
  });
});

// where the binaries are missing every test below is reported skipped; CI sets GMR_REQUIRE_POSTGRES=1, which throws instead
describe.skipIf(!pgTestsEnabled())('PostgreSQL store (needs initdb and pg_ctl)', () => {
  const { cluster } = usePgCluster();
  const query = async <R extends pg.QueryResultRow>(url: string, sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<R>(sql)).rows;
    } finally {
      await c.end();
    }
  };

  describe('PostgreSQL store: migrations and durability', () => {
    it('lets relays starting together migrate once, under the advisory lock', async () => {
      const url = await cluster().createDatabase();
      const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url })));
      try {
        expect(await query(url, 'SELECT version FROM schema_version ORDER BY version')).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version })));
        for (const s of stores) expect(await s.integrityCheck()).toBe('ok');
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('opens connections that commit synchronously even where the database defaults to asynchronous commits', async () => {
      const url = await cluster().createDatabase();
      await query(url, `ALTER DATABASE ${new URL(url).pathname.slice(1)} SET synchronous_commit = off`);
      const pool = createPool({ url });
      try {
        expect((await pool.query('SHOW synchronous_commit')).rows).toEqual([{ synchronous_commit: 'on' }]);
      } finally {
        await pool.end();
      }
      expect(await query(url, 'SHOW synchronous_commit')).toEqual([{ synchronous_commit: 'off' }]);
    });
  });
});
