import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database as DB } from 'better-sqlite3';
import { CHECKPOINTS } from './durability.js';

/**
 * The worker: its own connection running PASSIVE checkpoints (they never wait for nor block ours).
 * CommonJS given as source, so it runs unchanged under tsx, vitest, the built CLI and Electron; once
 * its connection is closed it says so in a shared flag, which close() waits for.
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
 * Moves WAL checkpoints off the event loop: SQLite's own runs inside the commit crossing 1,000 pages
 * (a copy and two fsyncs that stall every request). Commits call `wrote()`; a worker thread, started on
 * demand and stopped when idle, checkpoints soon after (see CHECKPOINTS for the bounds).
 */
function walIsSmall(dbFile: string): boolean {
  try {
    return fs.statSync(`${dbFile}-wal`).size < CHECKPOINTS.smallWalBytes;
  } catch {
    return true;
  }
}

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
    private readonly opts: {
      nativeBinding?: string;
      onError: (err: Error) => void;
      idleStopMs?: number;
      /** writes paused for idleStopMs (the worker, if any, stopped): a moment to give memory back */
      onIdle?: () => void;
    },
  ) {
    this.db = connections[0];
    for (const c of connections) c.pragma(`wal_autocheckpoint = ${CHECKPOINTS.walLimitPages}`);
  }

  /** Something was committed: a checkpoint follows within CHECKPOINTS.intervalMs. */
  wrote(): void {
    if (this.timer || this.stopped || !this.db.open) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer = setTimeout(this.checkpoint, CHECKPOINTS.intervalMs);
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
      for (const flag of this.closing) Atomics.wait(flag, 0, 0, CHECKPOINTS.closeWaitMs);
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
    // a WAL file is never smaller than the frames it holds, so a small one holds few: not worth a thread
    // (an empty one, after a restart's lease sweep that changed nothing, holds none)
    if (!this.worker && walIsSmall(this.db.name)) {
      this.armIdle();
      return;
    }
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

  /** After the last checkpoint (or a WAL too small for one), writes pausing idleStopMs make the store idle. */
  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.stopWorker();
      this.opts.onIdle?.();
    }, this.opts.idleStopMs ?? CHECKPOINTS.idleStopMs);
    this.idleTimer.unref();
  }

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
        this.armIdle();
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
    for (const c of this.connections) if (c.open) c.pragma(`wal_autocheckpoint = ${CHECKPOINTS.fallbackPages}`);
  }
}
