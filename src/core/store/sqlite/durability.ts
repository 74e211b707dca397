import type { Database as DB } from 'better-sqlite3';

/**
 * Every durability choice of the SQLite store, with the reason for each. Accepted messages are on
 * disk before the API answers; what can be redone or re-sent after a crash commits without waiting
 * for the disk; nothing that copies or syncs the WAL runs on the event loop if it can run elsewhere.
 */

/** A WAL that grew past this is trimmed back to it when it starts over. */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

/** WAL checkpoints, run on a worker thread by WalCheckpointer. */
export const CHECKPOINTS = {
  /** a checkpoint follows this long after the first commit it covers: at most one per interval under load */
  intervalMs: 100,
  /**
   * Past this many WAL pages the committing connection checkpoints itself. Beside a steady writer the
   * worker never finishes the last frames, and a WAL only starts over once fully checkpointed: this
   * bounds it (~40 MB) under sustained writes.
   */
  walLimitPages: 10_000,
  /** the worker (a thread with its own V8 heap, ~10 MB) stops after this long without writes */
  idleStopMs: 10_000,
  /** how long close() waits for the worker to close its connection (it may be mid-checkpoint) */
  closeWaitMs: 10_000,
  /**
   * A WAL file smaller than this is left for later (the next burst's checkpoint, or the close): a first
   * start's schema (~350 KB) or an idle relay's heartbeats start no thread (~10 MB, ~50 ms of CPU) for it.
   */
  smallWalBytes: 512 * 1024,
  /** SQLite's own threshold, used again when checkpoints cannot run on the worker */
  fallbackPages: 1000,
} as const;

/** The main connection: every port but the captured-mail inserts made without waiting for the disk. */
export function configureMainConnection(db: DB): void {
  // readers never wait for the writer, and a commit appends to one file
  db.pragma('journal_mode = WAL');
  // an accepted message is on disk before the API answers (durable: false relaxes single commits)
  db.pragma('synchronous = FULL');
  // the checkpoint worker and the captured-mail connection take the write lock for moments
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  // 32 MB of page cache keeps the id and timeline indexes of a million-message queue in memory
  db.pragma('cache_size = -32000');
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
}

/**
 * The captured-mail connection: its commits never wait for the disk (synchronous=NORMAL); WalSync
 * makes them durable in the background. Switching the main connection's level around each capture
 * cost two statement preparations per commit (a PRAGMA takes effect when it is prepared).
 */
export function configureUnsyncedConnection(db: DB): void {
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // it only appends: the pages it needs are the last of each table and index
  db.pragma('cache_size = -2000');
  // it may be the connection that starts the WAL over, which then trims the file to this size
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
}

/** Switches a connection's commits to synchronous=NORMAL and back, around one transaction. */
export interface RelaxedCommits {
  enter(): void;
  leave(): void;
}

/**
 * `durable: false` transactions (dispatch bookkeeping, captured-mail prunes and index slices): the commit
 * survives a crash of the process and reaches the disk with the next durable commit or checkpoint; a power
 * loss can only make a few messages go out twice, bring back rows the next prune deletes, or leave rows to re-index. A PRAGMA acts when compiled: exec, not a prepared run.
 */
export function relaxedCommits(db: DB): RelaxedCommits {
  return { enter: () => db.exec('PRAGMA synchronous = NORMAL'), leave: () => db.exec('PRAGMA synchronous = FULL') };
}
