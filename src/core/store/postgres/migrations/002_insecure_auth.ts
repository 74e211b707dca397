import type { PgMigration } from './migration.js';

/** SQLite's migration 007: an account may allow AUTH without TLS to a remote host (off by default). */
export const migration002: PgMigration = {
  version: 2,
  name: 'accounts.allow_insecure_auth',
  sql: `ALTER TABLE accounts ADD COLUMN allow_insecure_auth SMALLINT NOT NULL DEFAULT 0;`,
};
