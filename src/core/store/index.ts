import type { PostgresStore } from './postgres/store.js';
import { openSqliteStore, type SqliteStore, type StoreOptions } from './sqlite/store.js';

export type { PostgresStore, SqliteStore, StoreOptions };

/** The store a relay runs on: SQLite (the embedded default) or PostgreSQL (`db_url`, issue #19). */
export type RelayStore = SqliteStore | PostgresStore;

/** Opens the SQLite database (migrations applied) behind the store's ports. */
export async function openStore(opts: StoreOptions): Promise<SqliteStore> {
  return openSqliteStore(opts);
}

/**
 * Opens the configured backend: PostgreSQL when `url` is given, else the SQLite file `path`. A
 * database that is down, or whose schema is newer than this code, fails here with a clear error.
 */
export async function openConfiguredStore(opts: StoreOptions & { url: string | null }): Promise<RelayStore> {
  if (opts.url === null) return openSqliteStore(opts);
  const { path: _path, nativeBinding: _binding, url, ...rest } = opts;
  // pg and its pool load only for a PostgreSQL relay: an SQLite one starts without them
  const { openPostgresStore } = await import('./postgres/store.js');
  return openPostgresStore({ ...rest, url });
}

/** Where the store keeps its data, fit for a log line (never a password). */
export function storeLocation(store: RelayStore): string {
  return 'backend' in store ? store.location : store.file;
}
