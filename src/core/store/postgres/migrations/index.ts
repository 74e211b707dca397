import type pg from 'pg';
import { migration001 } from './001_schema.js';
import { migration002 } from './002_insecure_auth.js';
import { migration003 } from './003_report_apart.js';
import { migration004 } from './004_relay_leases.js';
import { migration005 } from './005_notify_triggers.js';
import { migration006 } from './006_queue_search.js';
import { migration007 } from './007_captured_tags.js';
import { migration009 } from './009_captured_filenames.js';
import type { PgMigration } from './migration.js';

export type { PgMigration };

export const PG_MIGRATIONS: PgMigration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration009];

/** Any fixed number: the advisory lock every relay takes while it migrates this database. */
const MIGRATION_LOCK = 0x676d7231;

/** The database was migrated by a newer relay: this one refuses to start rather than misread it. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`the database schema is version ${found}, newer than this relay knows (${known}): upgrade the relay`);
    this.name = 'SchemaTooNewError';
  }
}

/**
 * Applies every migration newer than the database's, each in its own transaction, holding a session
 * advisory lock: relays starting together wait for each other instead of racing. Returns how many ran.
 */
export async function runPgMigrations(pool: pg.Pool, migrations: PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      const found = Number((await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version')).rows[0].v ?? 0);
      const sorted = [...migrations].sort((a, b) => a.version - b.version);
      const known = sorted.at(-1)?.version ?? 0;
      if (found > known) throw new SchemaTooNewError(found, known);
      let applied = 0;
      for (const m of sorted) {
        if (m.version <= found) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_version (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
        applied++;
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
