import fs from 'node:fs';
import type { DB } from './db.js';

/**
 * Durability for commits made with synchronous=NORMAL, off the event loop. Such a commit appends its
 * frames to the write-ahead log without an fsync; an fdatasync of the WAL file, run on libuv's thread
 * pool, then makes them as durable as a synchronous=FULL commit would have (SQLite itself syncs the WAL
 * before a checkpoint and the WAL header when the log is reused), while the main thread goes on
 * serving. One sync covers every commit made before it started.
 */
export class WalSync {
  private fd: number | null = null;

  constructor(private readonly db: DB) {}

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    let fd: number | null;
    try {
      fd = this.open();
    } catch (err) {
      return Promise.reject(err);
    }
    if (fd === null) return Promise.resolve();
    return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private open(): number | null {
    if (this.db.memory) return null;
    // the WAL exists from the first write until the connection closes
    this.fd ??= fs.openSync(`${this.db.name}-wal`, 'r+');
    return this.fd;
  }
}
