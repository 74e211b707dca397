import type { Migration } from './migration.js';

/**
 * Delivery engine indexes: the head of each account's queue (so an account held back never hides the
 * others' work behind it), and the send log by time (pruned without a scan).
 */
export const migration003: Migration = {
  version: 3,
  name: 'delivery engine',
  up: (db) => {
    db.exec(`
      CREATE INDEX messages_queued_account ON messages(account_id, priority, seq) WHERE state = 'queued';
      CREATE INDEX send_log_ts ON send_log(ts);
    `);
  },
};
