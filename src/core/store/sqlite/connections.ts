import fs from 'node:fs';
import path from 'node:path';
import Database, { type Database as DB } from 'better-sqlite3';
import { configureMainConnection, configureUnsyncedConnection } from './durability.js';
import { runMigrations } from './migrations/index.js';

export interface ConnectionOptions {
  /** path of the SQLite file; ':memory:' for a throwaway database */
  path: string;
  /** Electron-ABI build of better-sqlite3 (desktop app); default: the one npm built for Node */
  nativeBinding?: string;
}

/** The connections of one store to its database file. */
export interface Connections {
  /** every port's statements and transactions */
  main: DB;
  /** captured mail stored without waiting for the disk; null for an in-memory database (nothing to sync) */
  unsynced: DB | null;
}

function connect(file: string, nativeBinding: string | undefined): DB {
  return new Database(file, nativeBinding ? { nativeBinding } : {});
}

/** Opens the main connection, brings the schema up to date, then opens the captured-mail connection. */
export function openConnections(opts: ConnectionOptions): Connections {
  if (opts.path !== ':memory:') {
    fs.mkdirSync(path.dirname(path.resolve(opts.path)), { recursive: true, mode: 0o700 });
    // SQLite gives the -wal and -shm files the database file's mode: create it private
    fs.closeSync(fs.openSync(opts.path, 'a', 0o600));
  }
  const main = connect(opts.path, opts.nativeBinding);
  try {
    configureMainConnection(main);
    runMigrations(main);
    if (main.memory) return { main, unsynced: null };
    const unsynced = connect(main.name, opts.nativeBinding);
    try {
      configureUnsyncedConnection(unsynced);
    } catch (err) {
      unsynced.close();
      throw err;
    }
    return { main, unsynced };
  } catch (err) {
    main.close();
    throw err;
  }
}
