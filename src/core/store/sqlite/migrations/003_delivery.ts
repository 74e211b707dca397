import type { Migration } from './migration.js';

/**
 * Delivery engine indexes.
 * - messages_queued_account: the claim takes the head of each account's queue (priority, FIFO), so
 *   an account held back by its concurrency limit never hides the work of other accounts behind it.
 * - send_log_ts: pruning the send log past the longest rate window without a scan.
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
