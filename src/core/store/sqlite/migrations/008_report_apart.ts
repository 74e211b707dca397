import type { Migration } from './migration.js';

/**
 * The report becomes a fact of its own (`reported_ts`) beside the outcome: every `reported` row
 * gets its outcome back (sent when delivered, error otherwise), and so do the timeline rows of
 * its reports; the partial indexes of reporting and retention now key on `reported_ts`.
 */
export const migration008: Migration = {
  version: 8,
  name: 'messages: report apart from the outcome',
  up: (db) => {
    db.exec(`
      UPDATE messages SET
        state = CASE WHEN sent_ts IS NOT NULL THEN 'sent' ELSE 'error' END,
        error_ts = CASE WHEN sent_ts IS NULL THEN COALESCE(error_ts, reported_ts) ELSE error_ts END
      WHERE state = 'reported';
      -- a report's row says which outcome it reported (detail {"outcome": ...})
      UPDATE message_events SET state = CASE WHEN detail LIKE '%"outcome":"error"%' THEN 'error' ELSE 'sent' END
      WHERE state = 'reported';
      DROP INDEX messages_unreported;
      -- final outcomes waiting to be reported, per tenant
      CREATE INDEX messages_unreported ON messages(tenant_id, updated_ts, seq) WHERE state IN ('sent','error') AND reported_ts IS NULL;
      DROP INDEX messages_reported;
      -- retention purge of reported outcomes
      CREATE INDEX messages_reported ON messages(reported_ts) WHERE reported_ts IS NOT NULL;
    `);
  },
};
