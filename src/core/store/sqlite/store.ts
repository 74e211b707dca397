import type { Database as DB } from 'better-sqlite3';
import { plainSecretCodec, type SecretCodec } from '../../secrets.js';
import type { Store, StoreAnnouncements, TransactionOptions, TransactionPorts } from '../ports.js';
import { SqliteAccounts } from './accounts.js';
import { SqliteCaptured } from './captured.js';
import { UnsyncedCaptures } from './captured-writes.js';
import { openConnections } from './connections.js';
import { SqliteDispatch } from './dispatch.js';
import type { Scope } from './gate.js';
import { SqliteMessages } from './messages.js';
import { QueueIndexer } from './queue-indexer.js';
import { SqliteReports } from './reports.js';
import { SqliteSettings } from './settings.js';
import { SqliteTenants } from './tenants.js';
import { TransactionRunner } from './transaction-runner.js';
import { WalCheckpointer } from './wal-checkpointer.js';

export interface StoreOptions extends StoreAnnouncements {
  /** the database file (its folder is created); ':memory:' for a throwaway database */
  path: string;
  /** Electron-ABI build of better-sqlite3 (desktop app); default: the one npm built for Node */
  nativeBinding?: string;
  /** encodes account passwords at rest (desktop: safeStorage); default: plain */
  secrets?: SecretCodec;
  /** false: the queue search indexer runs only through `queueIndex.catchUp()` (tests, benches); default true */
  queueIndexing?: boolean;
  /** writes paused for a while and the store gave its page caches back: the process may trim too */
  onIdle?: () => void;
}

/** The store over SQLite: the ports, plus what tests and diagnostics need. */
export interface SqliteStore extends Store {
  /** the database file */
  readonly file: string;
  /**
   * Escape hatch for tests and diagnostics, never for relay code: runs fn on the main connection between
   * two store calls (never inside a transaction), for what no port offers (a pragma simulating a full or
   * read-only disk, raw rows, query plans). Whatever fn changes bypasses the outbox.
   */
  withConnection<T>(fn: (db: DB) => T): Promise<T>;
  /** the background indexer of the queue search (migration 010): searches are exact whether it caught up or not */
  readonly queueIndex: Pick<QueueIndexer, 'catchUp' | 'lag' | 'setAutomatic'>;
}

/** What the store closes besides its connections. */
interface Owned {
  checkpointer: WalCheckpointer | null;
  captures: UnsyncedCaptures | null;
  indexer: QueueIndexer | null;
}

/** Opens the database file (migrations applied) and its connections, and builds the ports over them. */
export function openSqliteStore(opts: StoreOptions): SqliteStore {
  const { main, unsynced } = openConnections(opts);
  const owned: Owned = { checkpointer: null, captures: null, indexer: null };
  try {
    const runner = new TransactionRunner(main, opts, () => {
      owned.checkpointer?.wrote();
      owned.indexer?.wrote();
    });
    const checkpointer = unsynced
      ? new WalCheckpointer([main, unsynced], {
          nativeBinding: opts.nativeBinding,
          onError: (err) => opts.onBackgroundError?.(err),
          onIdle: () => void releaseCaches(runner, [main, unsynced]).then(opts.onIdle, opts.onBackgroundError),
        })
      : null;
    owned.checkpointer = checkpointer;
    const indexer = new QueueIndexer(runner, { onError: (err) => opts.onBackgroundError?.(err), auto: opts.queueIndexing });
    owned.indexer = indexer;
    // rows left unindexed by the last run (or by a migration) are indexed soon after opening
    indexer.wrote();
    const captures = new UnsyncedCaptures(main, unsynced);
    owned.captures = captures;
    const secrets = opts.secrets ?? plainSecretCodec;
    const portsIn = (scope: Scope): TransactionPorts => ({
      messages: new SqliteMessages(runner, scope),
      dispatch: new SqliteDispatch(runner, scope),
      accounts: new SqliteAccounts(runner, scope, secrets),
      tenants: new SqliteTenants(runner, scope, secrets),
      settings: new SqliteSettings(runner, scope),
      captured: new SqliteCaptured(runner, scope, captures),
      reports: new SqliteReports(runner, scope),
    });
    const inside = portsIn(runner.inside);
    return {
      ...portsIn(runner.outside),
      file: main.name,
      transaction: <T>(fn: (tx: TransactionPorts) => Promise<T>, txOpts?: TransactionOptions) =>
        runner.transaction(() => fn(inside), txOpts),
      integrityCheck: () => runner.outside(() => String(main.pragma('integrity_check', { simple: true }))),
      withConnection: (fn) => runner.outside(() => fn(main)),
      queueIndex: indexer,
      close: () => runner.exclusive(async () => closeAll(main, unsynced, owned)),
    };
  } catch (err) {
    closeAll(main, unsynced, owned);
    throw err;
  }
}

/**
 * Idle: the page caches filled by a burst (up to 32 MB on the main connection) go back to the heap,
 * between two store calls. The next burst reads its pages from the OS's file cache again.
 */
function releaseCaches(runner: TransactionRunner, connections: DB[]): Promise<void> {
  return runner.outside(() => {
    for (const db of connections) if (db.open) db.pragma('shrink_memory');
  });
}

function closeAll(main: DB, unsynced: DB | null, owned: Owned): void {
  // the worker's connection first, so that the last of ours to close removes the WAL
  owned.indexer?.close();
  owned.checkpointer?.close();
  owned.captures?.close();
  if (unsynced?.open) unsynced.close();
  if (main.open) main.close();
}
