import type { PgMigration } from './migration.js';

/** SQLite's migration 011: tags of captured mail as `|a|b|` (#18.4). */
export const migration007: PgMigration = {
  version: 7,
  name: 'captured.tags',
  sql: 'ALTER TABLE captured ADD COLUMN tags TEXT',
};
