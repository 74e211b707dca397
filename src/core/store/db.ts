import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runMigrations } from './migrations/index.js';

export type DB = Database.Database;

export interface OpenDatabaseOptions {
  /** path of the SQLite file; ':memory:' for throwaway databases */
  path: string;
  /** Electron-ABI build of better-sqlite3 (desktop app); default: the one npm built for Node */
  nativeBinding?: string;
}

/**
 * Opens the database with the relay's pragmas and runs migrations.
 * WAL + synchronous=FULL: an accepted message is on disk before the API answers.
 */
export function openDatabase(opts: OpenDatabaseOptions): DB {
  if (opts.path !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(opts.path)), { recursive: true });
  const db = new Database(opts.path, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  // 32 MB of page cache keeps the id and timeline indexes of a million-message queue in memory
  db.pragma('cache_size = -32000');
  db.pragma('journal_size_limit = 67108864');
  runMigrations(db);
  return db;
}

/**
 * Runs fn with synchronous=NORMAL on this connection (its commits skip the fsync), then back to FULL.
 * The two pragmas are prepared once: parsing them for every transaction cost more than running them.
 */
export function relaxedSync(db: DB): <T>(fn: () => T) => T {
  const normal = db.prepare('PRAGMA synchronous = NORMAL');
  const full = db.prepare('PRAGMA synchronous = FULL');
  return (fn) => {
    normal.run();
    try {
      return fn();
    } finally {
      full.run();
    }
  };
}
