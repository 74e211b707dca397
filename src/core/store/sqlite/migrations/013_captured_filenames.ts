import type { Migration } from './migration.js';

/**
 * Attachment file names of captured mail, for `filename:` and free-text search (Mailpit indexes them
 * too). Messages with attachments are indexed again by the sink's indexer, which now records them.
 */
export const migration013: Migration = {
  version: 13,
  name: 'captured: attachment file names',
  up: (db) => {
    db.exec(`
      ALTER TABLE captured ADD COLUMN filenames TEXT NOT NULL DEFAULT '';
      DELETE FROM captured_fts WHERE rowid IN (SELECT id FROM captured WHERE attachments > 0 AND indexed = 1);
      UPDATE captured SET indexed = 0 WHERE attachments > 0;
    `);
  },
};
