import { openSqliteStore, type SqliteStore, type StoreOptions } from './sqlite/store.js';

export type { SqliteStore, StoreOptions };

/** Opens the SQLite database (migrations applied) behind the store's ports. */
export async function openStore(opts: StoreOptions): Promise<SqliteStore> {
  return openSqliteStore(opts);
}
