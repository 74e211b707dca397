import { relaxedSync, type DB } from './db.js';
import type { MessageEvent } from '../queue/types.js';

/**
 * Writes message timeline rows inside the transaction of the transition they describe, and
 * announces them once that transaction has committed (never for a rolled-back one).
 */
export class EventLog {
  private readonly insert;
  private pending: MessageEvent[] = [];
  private depth = 0;
  private readonly relaxed;
  /** one transaction wrapper for every call (better-sqlite3 builds a new one per db.transaction()) */
  private readonly runInTransaction;

  constructor(
    db: DB,
    private readonly announce: (events: MessageEvent[]) => void,
    /** told after every commit (WAL checkpoints) */
    private readonly committed: () => void = () => undefined,
  ) {
    this.relaxed = relaxedSync(db);
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
    this.insert = db.prepare(
      'INSERT INTO message_events (message_id, ts, type, state, detail) VALUES (?, ?, ?, ?, ?)',
    );
  }

  /** Records one event; call only inside `transaction()`. */
  add(ev: MessageEvent): void {
    const info = this.insert.run(ev.message_id, ev.ts, ev.type, ev.state, ev.detail ? JSON.stringify(ev.detail) : null);
    ev.seq = Number(info.lastInsertRowid);
    this.pending.push(ev);
  }

  /** Announces an event after commit without keeping a row (e.g. the deletion of the message itself). */
  notify(ev: MessageEvent): void {
    this.pending.push(ev);
  }

  /**
   * Runs fn in one IMMEDIATE transaction (nested calls join the outer one), then announces its events.
   * `durable: false` commits without waiting for the disk (synchronous=NORMAL for this commit only):
   * the commit survives a crash of the process, and reaches the disk with the next durable commit or
   * checkpoint; only a power loss in between can undo it.
   */
  transaction<T>(fn: () => T, opts: { durable?: boolean } = {}): T {
    if (this.depth > 0) return fn();
    this.depth++;
    let result: T;
    try {
      const run = () => this.runInTransaction.immediate(fn) as T;
      result = opts.durable === false ? this.relaxed(run) : run();
    } catch (err) {
      this.pending = [];
      throw err;
    } finally {
      this.depth--;
    }
    this.committed();
    const events = this.pending;
    this.pending = [];
    if (events.length > 0) this.announce(events);
    return result;
  }
}
