import { openDatabase, type DB } from './db.js';
import { SyncStore, type StoreOptions } from './sync-store.js';
import { asyncStoreOver, type AsyncSqliteStore } from './async-store.js';

export { SyncStore, type StoreOptions };

export function openSyncStore(opts: StoreOptions): SyncStore {
  return new SyncStore(openDatabase({ path: opts.path, nativeBinding: opts.nativeBinding }), opts);
}

/** Opens the SQLite database (migrations applied) behind the store's async ports. */
export async function openStore(opts: StoreOptions): Promise<AsyncSqliteStore> {
  return asyncStoreOver(openSyncStore(opts));
}

export type { DB, AsyncSqliteStore };
