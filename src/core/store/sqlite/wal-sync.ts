import fs from 'node:fs';
import type { Database as DB } from 'better-sqlite3';

/**
 * Makes commits made with synchronous=NORMAL durable off the event loop: an fdatasync of the WAL on
 * libuv's thread pool, as durable as a FULL commit (SQLite syncs the WAL itself before a checkpoint and
 * when the log is reused). One sync covers every commit made before it started.
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
