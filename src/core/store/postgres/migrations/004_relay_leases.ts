import type { PgMigration } from './migration.js';

/**
 * Several relays on one database (issue #19): the relays and their heartbeats, the owner of each
 * lease, rate slots of sends in flight in the send log (`seq` set until the outcome), shared backoffs.
 */
export const migration004: PgMigration = {
  version: 4,
  name: 'relays, lease owners, rate slots, shared backoffs',
  sql: `
    CREATE TABLE relays (
      id TEXT PRIMARY KEY,
      host TEXT NOT NULL,
      pid INTEGER NOT NULL,
      started_ts BIGINT NOT NULL,
      heartbeat_ts BIGINT NOT NULL
    );
    ALTER TABLE messages ADD COLUMN lease_owner TEXT;
    ALTER TABLE send_log ADD COLUMN seq BIGINT;
    ALTER TABLE send_log ADD COLUMN owner TEXT;
    CREATE INDEX send_log_slot ON send_log(seq) WHERE seq IS NOT NULL;
    CREATE TABLE account_backoffs (
      tenant_id TEXT NOT NULL,
      account_id TEXT NOT NULL,
      until_ts BIGINT NOT NULL,
      error TEXT NOT NULL,
      PRIMARY KEY (tenant_id, account_id)
    );
  `,
};
