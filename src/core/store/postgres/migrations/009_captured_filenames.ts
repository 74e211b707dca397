import type { PgMigration } from './migration.js';

/** SQLite's migration 013: attachment file names of captured mail; messages with attachments are indexed again. */
export const migration009: PgMigration = {
  version: 9,
  name: 'captured.filenames',
  sql: `ALTER TABLE captured ADD COLUMN filenames TEXT NOT NULL DEFAULT '';
    UPDATE captured SET indexed = 0, search = NULL WHERE attachments > 0;`,
};
