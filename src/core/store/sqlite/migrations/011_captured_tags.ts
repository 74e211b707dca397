import type { Migration } from './migration.js';

/** Tags of captured mail (X-Tags, plus-address tags) as `|a|b|`, for `tag:` and the tag mailboxes (#18.4). */
export const migration011: Migration = {
  version: 11,
  name: 'captured: tags',
  up: (db) => {
    db.exec('ALTER TABLE captured ADD COLUMN tags TEXT');
  },
};
