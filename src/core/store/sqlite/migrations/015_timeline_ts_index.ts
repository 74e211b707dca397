import type { Migration } from './migration.js';

/**
 * Every dispatch transition writes a timeline row, and each index of message_events is one more b-tree
 * insert per row. No statement reads message_events by ts alone (retention walks seq ranges, timelines
 * use message_events_message), so message_events_ts only cost writes.
 */
export const migration015: Migration = {
  version: 15,
  name: 'message_events: drop the unused ts index',
  up: (db) => {
    db.exec('DROP INDEX IF EXISTS message_events_ts');
  },
};
