import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runMigrations } from './migrations/index.js';

export type DB = Database.Database;

/** a WAL that grew past this is trimmed back to it when it starts over */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

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
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  runMigrations(db);
  return db;
}

/**
 * A second connection to the same database file whose commits never wait for the disk
 * (synchronous=NORMAL), for writes made durable in the background (captured mail, see WalSync).
 * Switching the main connection's level around each such commit cost two statement preparations per
 * commit (a PRAGMA takes effect when it is prepared). Null for an in-memory database, which has one
 * connection and nothing to sync. Call after migrations: it never changes the schema.
 */
export function openUnsyncedConnection(main: DB, nativeBinding?: string): DB | null {
  if (main.memory) return null;
  const db = new Database(main.name, nativeBinding ? { nativeBinding } : {});
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // it only appends: the pages it needs are the last of each table and index
  db.pragma('cache_size = -2000');
  // it may be the connection that starts the WAL over, which then trims the file to this size
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  return db;
}

/** A function run with synchronous=NORMAL on this connection (its commits skip the fsync), then back to FULL. */
export interface RelaxedSync {
  <T>(fn: () => T): T;
  /** the same in two steps, around an asynchronous transaction */
  enter(): void;
  leave(): void;
}

/**
 * Runs fn with synchronous=NORMAL on this connection (its commits skip the fsync), then back to FULL.
 * SQLite applies a PRAGMA while preparing it, so each run of these statements re-prepares them
 * (about 10 µs a pair); fine for the dispatcher's bookkeeping, too much per captured message (see
 * openUnsyncedConnection).
 */
export function relaxedSync(db: DB): RelaxedSync {
  const normal = db.prepare('PRAGMA synchronous = NORMAL');
  const full = db.prepare('PRAGMA synchronous = FULL');
  const relaxed = (<T>(fn: () => T): T => {
    normal.run();
    try {
      return fn();
    } finally {
      full.run();
    }
  }) as RelaxedSync;
  relaxed.enter = () => void normal.run();
  relaxed.leave = () => void full.run();
  return relaxed;
}
