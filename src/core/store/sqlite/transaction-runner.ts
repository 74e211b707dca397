import type { Database as DB } from 'better-sqlite3';
import type { StoreAnnouncements, TransactionOptions } from '../ports.js';
import { relaxedCommits } from './durability.js';
import { Gate, settle, type Scope } from './gate.js';
import { Outbox } from './outbox.js';

/**
 * Runs the store's transactions on the main connection, one at a time, and has the outbox announce
 * what each committed. Port calls arrive through a Scope: `outside` waits at the gate while a
 * transaction is open; `inside` (the ports a transaction's function receives) joins that transaction.
 */
export class TransactionRunner {
  readonly outbox: Outbox;
  private readonly gate = new Gate();
  private depth = 0;
  private readonly relaxed;
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  private readonly shared = new Map<(runner: TransactionRunner) => unknown, unknown>();

  constructor(
    readonly db: DB,
    announce: Pick<StoreAnnouncements, 'onMessageEvents' | 'onAccountsChanged' | 'onTenantsChanged'>,
    /** told after every commit, on any connection to the file (WAL checkpoints) */
    private readonly committed: () => void = () => undefined,
  ) {
    this.outbox = new Outbox(db, announce);
    this.relaxed = relaxedCommits(db);
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  /** Calls from outside any transaction: now, or after the open one, in arrival order. */
  readonly outside: Scope = (work) => this.gate.run(work);

  /** Calls through the ports a transaction's function received: straight into that transaction. */
  readonly inside: Scope = (work) =>
    this.depth > 0 ? settle(work) : Promise.reject(new Error('a transaction port was used after its transaction ended'));

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** Runs fn in one IMMEDIATE transaction, or as part of the one already open (whose durability applies). */
  write<T>(fn: () => T, opts: TransactionOptions = {}): T {
    if (this.depth > 0) return fn();
    const durable = opts.durable !== false;
    this.enter(durable);
    let result: T;
    try {
      result = fn();
      this.commit.run();
    } catch (err) {
      this.abort();
      throw err;
    } finally {
      this.leave(durable);
    }
    this.afterCommit();
    return result;
  }

  /** Runs fn, which awaits the `inside` ports between its statements, in one transaction (Store.transaction). */
  transaction<T>(fn: () => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    return this.gate.hold(async () => {
      const durable = opts.durable !== false;
      this.enter(durable);
      let result: T;
      try {
        result = await fn();
        this.commit.run();
      } catch (err) {
        this.abort();
        throw err;
      } finally {
        this.leave(durable);
      }
      this.afterCommit();
      return result;
    });
  }

  /** Something was committed on another connection to the file (captured mail). */
  committedElsewhere(): void {
    this.committed();
  }

  /** Runs fn once the calls before it are done, keeping every later one out until it ends (closing). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.gate.hold(fn);
  }

  /** What a port module makes once per store and shares between its two scopes (statements, caches). */
  once<T>(make: (runner: TransactionRunner) => T): T {
    if (!this.shared.has(make)) this.shared.set(make, make(this));
    return this.shared.get(make) as T;
  }

  private enter(durable: boolean): void {
    if (!durable) this.relaxed.enter();
    try {
      this.begin.run();
    } catch (err) {
      if (!durable) this.relaxed.leave();
      throw err;
    }
    this.depth++;
  }

  private leave(durable: boolean): void {
    this.depth--;
    if (!durable) this.relaxed.leave();
  }

  private abort(): void {
    this.outbox.discard();
    // a failed COMMIT may leave the transaction open; some errors end it on their own
    if (this.db.inTransaction) this.rollback.run();
  }

  private afterCommit(): void {
    this.committed();
    this.outbox.flush();
  }
}
