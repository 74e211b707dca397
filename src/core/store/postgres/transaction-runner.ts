import pg from 'pg';
import type { StoreAnnouncements, TransactionOptions } from '../ports.js';
import type { Db } from './connection.js';
import { FifoLock } from './lock.js';
import { PgOutbox } from './outbox.js';

/** Runs a port call with a connection: now or once the store is free (outside), or in the open transaction (inside). */
export type PgScope = <T>(work: (db: Db) => Promise<T>) => Promise<T>;

/**
 * Runs the store's work one call at a time (lock.ts) on pooled connections; a transaction holds one
 * connection from BEGIN to COMMIT, and the outbox announces what it committed. `durable: false`
 * commits with `SET LOCAL synchronous_commit = off` (see syncCommitted for when that is on disk).
 */
export class PgTransactionRunner {
  readonly outbox: PgOutbox;
  private readonly lock = new FifoLock();
  private tx: pg.PoolClient | null = null;
  /** a commit made without waiting for the disk since the last durable one */
  private unsynced = false;

  constructor(
    private readonly pool: pg.Pool,
    announce: Pick<StoreAnnouncements, 'onMessageEvents' | 'onAccountsChanged' | 'onTenantsChanged'>,
    origin: string | null = null,
  ) {
    this.outbox = new PgOutbox(announce, origin);
  }

  /** Calls from outside any transaction: now, or after the work before them, in arrival order. */
  readonly outside: PgScope = (work) => this.lock.run(() => this.withClient(work));

  /** Calls through the ports a transaction's function received: straight into that transaction. */
  readonly inside: PgScope = (work) =>
    this.tx ? work(this.tx) : Promise.reject(new Error('a transaction port was used after its transaction ended'));

  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** Runs fn's statements in one transaction on db, or as part of the one already open (whose durability applies). */
  write<T>(db: Db, fn: (db: Db) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    if (this.tx) return fn(db);
    return this.inTx(db as pg.PoolClient, () => fn(db), opts);
  }

  /** Runs fn, which awaits the `inside` ports between its statements, in one transaction (Store.transaction). */
  transaction<T>(fn: () => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    return this.lock.run(() => this.withClient((client) => this.inTx(client as pg.PoolClient, fn, opts)));
  }

  /** Makes every commit so far durable: a synchronous commit flushes the WAL up to itself. */
  async syncCommitted(): Promise<void> {
    if (!this.unsynced) return;
    this.unsynced = false;
    // on a connection of its own: it may be called from inside a transaction without waiting for it
    await this.pool.query('UPDATE store_sync SET n = n + 1');
  }

  /** Runs fn once the calls before it are done, keeping every later one out (closing). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  private async inTx<T>(client: pg.PoolClient, fn: () => Promise<T>, opts: TransactionOptions): Promise<T> {
    const durable = opts.durable !== false;
    await client.query(durable ? 'BEGIN' : 'BEGIN; SET LOCAL synchronous_commit = off');
    this.tx = client;
    let result: T;
    try {
      result = await fn();
      // the notices and the COMMIT in one round trip (a simple query answers each statement's result)
      const done: pg.QueryResult | pg.QueryResult[] = await client.query(this.outbox.commitSql());
      // a statement that failed inside, its error caught, leaves PostgreSQL nothing to commit
      if ((Array.isArray(done) ? done[done.length - 1] : done).command === 'ROLLBACK') throw new Error('the transaction was aborted by an earlier error');
    } catch (err) {
      this.outbox.discard();
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.tx = null;
    }
    if (!durable) this.unsynced = true;
    this.outbox.flush();
    return result;
  }

  private async withClient<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // the server may end a checked-out connection between statements (shutdown): an unheard 'error' would kill the process
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      return await work(client);
    } catch (err) {
      // an error the server answered leaves the connection usable; anything else may not
      if (!(err instanceof pg.DatabaseError)) broken = err as Error;
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}
