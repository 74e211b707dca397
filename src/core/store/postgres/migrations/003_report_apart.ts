import type { PgMigration } from './migration.js';

/**
 * SQLite's migration 008: the report becomes a fact of its own (`reported_ts`) beside the outcome;
 * `reported` rows (and their report timeline rows) get their outcome back, the indexes key on reported_ts.
 */
export const migration003: PgMigration = {
  version: 3,
  name: 'messages: report apart from the outcome',
  sql: `
    UPDATE messages SET
      state = CASE WHEN sent_ts IS NOT NULL THEN 'sent' ELSE 'error' END,
      error_ts = CASE WHEN sent_ts IS NULL THEN COALESCE(error_ts, reported_ts) ELSE error_ts END
    WHERE state = 'reported';
    UPDATE message_events SET state = CASE WHEN detail LIKE '%"outcome":"error"%' THEN 'error' ELSE 'sent' END
    WHERE state = 'reported';
    DROP INDEX messages_unreported;
    CREATE INDEX messages_unreported ON messages(tenant_id, updated_ts, seq) WHERE state IN ('sent','error') AND reported_ts IS NULL;
    DROP INDEX messages_reported;
    CREATE INDEX messages_reported ON messages(reported_ts) WHERE reported_ts IS NOT NULL;
  `,
};
