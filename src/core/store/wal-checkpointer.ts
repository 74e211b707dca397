import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { DB } from './db.js';

/** a checkpoint follows this long after the first commit it covers: at most one per interval under load */
const CHECKPOINT_INTERVAL_MS = 100;
/**
 * Past this many WAL pages the committing connection checkpoints itself, as SQLite does past 1,000.
 * A WAL only starts over from its beginning when a commit finds every frame checkpointed, which a
 * checkpoint running beside a steady writer never achieves; this bounds the WAL (~40 MB) under
 * sustained writes. By then the worker has copied all but the last interval's pages.
 */
const WAL_LIMIT_PAGES = 10_000;
/** the worker (a thread with its own V8 heap, ~10 MB) stops after this long without writes */
const IDLE_STOP_MS = 10_000;
/** how long close() waits for a worker to close its connection (it may be in the middle of a checkpoint) */
const CLOSE_WAIT_MS = 10_000;
/** SQLite's own threshold, used again when checkpoints cannot run on the worker */
const AUTOCHECKPOINT_PAGES = 1000;

/**
 * The worker: its own connection to the same database file, running PASSIVE checkpoints on request.
 * A passive checkpoint never waits for the main connection's readers or writer, nor blocks them.
 * Plain CommonJS given as source, so it runs unchanged under tsx, vitest, the built CLI and Electron.
 * Once its connection is closed it says so in a shared flag, which close() waits for synchronously.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const closed = new Int32Array(workerData.closed);
const sayClosed = () => {
  Atomics.store(closed, 0, 1);
  Atomics.notify(closed, 0);
};
// also when the thread dies (SQLite failed to load): close() must not wait for a flag nobody sets
process.on('exit', sayClosed);
const Database = require(workerData.module);
const db = new Database(workerData.path, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
parentPort.on('message', (cmd) => {
  if (cmd === 'close') {
    db.close();
    sayClosed();
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String((err && err.message) || err) });
  }
});
`;

/**
 * Moves WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that
 * crosses 1,000 WAL pages, on the committing thread: it copies those pages into the database file and
 * fsyncs twice, stalling every request and SMTP session for that long. Here commits call `wrote()`,
 * and a worker thread checkpoints at most every CHECKPOINT_INTERVAL_MS while writes go on (once more
 * after they stop); the connections checkpoint themselves only past WAL_LIMIT_PAGES, which under
 * sustained writes lets the WAL start over. The worker starts on the first checkpoint and stops after
 * IDLE_STOP_MS without writes, so an idle relay has no extra thread. If the worker cannot run, the
 * connections checkpoint as SQLite does by default.
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private timer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private running = false;
  /** a write arrived while a checkpoint was running: another one follows */
  private again = false;
  /** closed, or fallen back to SQLite's own checkpoints */
  private stopped = false;
  /** the closed-flags of workers asked to close (one may still be closing after an idle stop) */
  private closing: Int32Array[] = [];
  private closedFlag: Int32Array | null = null;

  private readonly db: DB;

  /** `connections`: every connection of this process to the database file, the main one first */
  constructor(
    private readonly connections: DB[],
    private readonly opts: { nativeBinding?: string; onError: (err: Error) => void; idleStopMs?: number },
  ) {
    this.db = connections[0];
    for (const c of connections) c.pragma(`wal_autocheckpoint = ${WAL_LIMIT_PAGES}`);
  }

  /** Something was committed: a checkpoint follows within CHECKPOINT_INTERVAL_MS. */
  wrote(): void {
    if (this.timer || this.stopped || !this.db.open) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer = setTimeout(this.checkpoint, CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  /** a worker thread is running (it stops when writes have paused for a while) */
  get workerRunning(): boolean {
    return this.worker !== null;
  }

  /**
   * Stops the worker and returns once its connection is closed (a checkpoint in progress finishes
   * first): afterwards nothing of this process touches the database files from another thread.
   */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopped = true;
    this.stopWorker();
    try {
      for (const flag of this.closing) Atomics.wait(flag, 0, 0, CLOSE_WAIT_MS);
    } catch {
      // a thread that may not block (not the case in Node or Electron's main process): the worker
      // still closes its connection, a moment later
    }
    this.closing = [];
  }

  private stopWorker(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    this.closing = this.closing.filter((flag) => Atomics.load(flag, 0) === 0);
    if (this.closedFlag) this.closing.push(this.closedFlag);
    this.closedFlag = null;
    w.postMessage('close');
  }

  private readonly checkpoint = (): void => {
    this.timer = null;
    if (this.stopped || !this.db.open) return;
    let worker: Worker;
    try {
      worker = this.worker ?? this.startWorker();
    } catch (err) {
      this.fallBack(err as Error);
      return;
    }
    this.running = true;
    worker.postMessage('checkpoint');
  };

  private startWorker(): Worker {
    const closed = new SharedArrayBuffer(4);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // it allocates next to nothing: a small heap keeps the thread's footprint small
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        path: this.db.name,
        nativeBinding: this.opts.nativeBinding,
        closed,
      },
    });
    // a checkpoint left undone is finished by the next one or when the database closes
    worker.unref();
    worker.on('message', (m: { ok: boolean; error?: string }) => {
      this.running = false;
      if (!m.ok) this.opts.onError(new Error(`WAL checkpoint failed: ${m.error}`));
      if (this.again) {
        this.again = false;
        this.wrote();
      } else if (!this.timer && !this.stopped) {
        this.idleTimer = setTimeout(() => this.stopWorker(), this.opts.idleStopMs ?? IDLE_STOP_MS);
        this.idleTimer.unref();
      }
    });
    worker.on('error', (err) => this.fallBack(err));
    this.closedFlag = new Int32Array(closed);
    this.worker = worker;
    return worker;
  }

  private fallBack(err: Error): void {
    this.running = false;
    if (this.stopped) return;
    this.stopped = true;
    this.opts.onError(new Error(`WAL checkpoints run on the main thread from now on: ${err.message}`));
    void this.worker?.terminate();
    this.worker = null;
    this.closedFlag = null;
    for (const c of this.connections) if (c.open) c.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
