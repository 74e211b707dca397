import Database from 'better-sqlite3';

export type DB = Database.Database;

/**
 * Runs fn on a connection of its own to a database file: fixtures and checks the store's ports have
 * no call for (a message put straight into a final state, a raw column, a dropped index). The store's
 * own connection is SqliteStore.withConnection.
 */
export function withSideDb<T>(dbPath: string, fn: (db: DB) => T): T {
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 5000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
