import type { Migration } from './migration.js';

/** Accounts that may send AUTH without TLS to a remote host (off for every existing account). */
export const migration007: Migration = {
  version: 7,
  name: 'accounts: allow_insecure_auth',
  up: (db) => {
    db.exec(`ALTER TABLE accounts ADD COLUMN allow_insecure_auth INTEGER NOT NULL DEFAULT 0`);
  },
};
