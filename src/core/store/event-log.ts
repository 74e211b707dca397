import { relaxedSync, type DB } from './db.js';
import type { MessageEvent } from '../messages/types.js';

export interface CommitAnnouncer {
  /** timeline rows of a committed transaction */
  messages(events: MessageEvent[]): void;
  /** account ids inserted, replaced or deleted by a committed transaction */
  accounts(ids: string[]): void;
}

/**
 * Writes message timeline rows inside the transaction of the transition they describe, and
 * announces them once that transaction has committed (never for a rolled-back one).
 */
export class EventLog {
  private readonly insert;
  private pending: MessageEvent[] = [];
  private pendingAccounts: string[] = [];
  private depth = 0;
  private readonly relaxed;
  /** one transaction wrapper for every call (better-sqlite3 builds a new one per db.transaction()) */
  private readonly runInTransaction;
  private readonly begin;
  private readonly commit;
  private readonly rollback;

  constructor(
    private readonly db: DB,
    private readonly announce: CommitAnnouncer,
    /** told after every commit (WAL checkpoints) */
    private readonly committed: () => void = () => undefined,
  ) {
    this.relaxed = relaxedSync(db);
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
    this.insert = db.prepare(
      'INSERT INTO message_events (message_id, ts, type, state, detail) VALUES (?, ?, ?, ?, ?)',
    );
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
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

  /** Announces a change of the account after commit. */
  accountChanged(id: string): void {
    this.pendingAccounts.push(id);
  }

  /** The open transaction changed this account: what it reads of it may still be rolled back. */
  accountChangedUncommitted(id: string): boolean {
    return this.pendingAccounts.includes(id);
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
      this.discard();
      throw err;
    } finally {
      this.depth--;
    }
    this.afterCommit();
    return result;
  }

  /**
   * The same for a function that awaits between its statements. The caller must keep every other
   * use of the connection out until it settles (AsyncSqliteStore's gate does).
   */
  async transactionAsync<T>(fn: () => Promise<T>, opts: { durable?: boolean } = {}): Promise<T> {
    if (this.depth > 0) throw new Error('an asynchronous transaction cannot be nested');
    const relaxed = opts.durable === false;
    if (relaxed) this.relaxed.enter();
    this.depth++;
    let result: T;
    try {
      this.begin.run();
      try {
        result = await fn();
        this.commit.run();
      } catch (err) {
        if (this.db.inTransaction) this.rollback.run();
        throw err;
      }
    } catch (err) {
      this.discard();
      throw err;
    } finally {
      this.depth--;
      if (relaxed) this.relaxed.leave();
    }
    this.afterCommit();
    return result;
  }

  private discard(): void {
    this.pending = [];
    this.pendingAccounts = [];
  }

  private afterCommit(): void {
    this.committed();
    const events = this.pending;
    const accounts = this.pendingAccounts;
    this.discard();
    if (events.length > 0) this.announce.messages(events);
    if (accounts.length > 0) this.announce.accounts([...new Set(accounts)]);
  }
}
