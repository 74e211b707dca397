import fs from 'node:fs';
import path from 'node:path';
import { openStore, type SqliteStore, type StoreOptions } from '../../../src/core/store/index.js';
import { tempDir } from '../common/temp-dir.js';

/** A SQLite store in a fresh temp folder, and how to throw both away. */
export interface TempStore {
  store: SqliteStore;
  dir: string;
  /** the database file */
  file: string;
  /** closes the store (once) and removes the folder */
  remove(): Promise<void>;
}

export function tempStoreDir(): string {
  return tempDir('gmr-sqlite-');
}

export async function openTempStore(opts: Omit<StoreOptions, 'path'> = {}, dir = tempStoreDir()): Promise<TempStore> {
  const file = path.join(dir, 'relay.db');
  const store = await openStore({ ...opts, path: file });
  let closed = false;
  return {
    store,
    dir,
    file,
    async remove() {
      if (!closed) await store.close();
      closed = true;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** EXPLAIN QUERY PLAN of a statement, its steps joined by ' | '. */
export function planOf(db: { prepare(sql: string): { all(...args: unknown[]): unknown[] } }, sql: string, ...args: unknown[]): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((p) => p.detail).join(' | ');
}
