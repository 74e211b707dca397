import Database from 'better-sqlite3';
import type { AsyncSqliteStore } from '../../../src/core/store/index.js';
import type { DB } from '../../../src/core/store/index.js';

/**
 * Runs fn on a connection of its own to a database file: fixtures and checks the store's ports have
 * no call for (a message put straight into a final state, a raw column, a dropped index).
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

/**
 * The store's own main connection, for per-connection pragmas that simulate a full or read-only
 * disk under it. The one place tests reach past the ports: it changes with the SQLite backend.
 */
export function storeConnection(store: AsyncSqliteStore): DB {
  return store.legacy.db;
}
