import pg from 'pg';
import type { ExclusivePort, ExclusiveRun } from '../ports.js';

/** The first key of every lock taken here (the second is hashtext(name)); migrations use another number. */
const LOCK_SPACE = 0x676d7232;

/**
 * Session advisory locks on a connection of their own (not the pool's): a lock lives as long as this
 * relay's session, so a relay that dies frees what it held. Lost connection: every lock is gone
 * with it, and the next call opens a new one.
 */
export class PgSessionLocks implements ExclusivePort {
  private pending: Promise<pg.Client> | null = null;
  private live: pg.Client | null = null;
  private readonly held = new Set<string>();
  private closed = false;

  constructor(private readonly connect: () => pg.Client) {}

  async runExclusive<T>(name: string, fn: () => Promise<T>): Promise<ExclusiveRun<T>> {
    if (this.held.has(name)) return { ran: false, reason: 'held elsewhere' };
    let client: pg.Client;
    try {
      client = await this.session();
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_SPACE, name]);
      if (!rows[0].ok) return { ran: false, reason: 'held elsewhere' };
    } catch {
      this.drop();
      return { ran: false, reason: 'unavailable' };
    }
    this.held.add(name);
    try {
      return { ran: true, value: await fn() };
    } finally {
      this.held.delete(name);
      // a session lost meanwhile took the lock with it
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_SPACE, name]).catch(() => this.drop(client));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.live;
    this.live = null;
    this.pending = null;
    if (c) await c.end().catch(() => undefined);
  }

  private session(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    if (!this.pending) {
      const client = this.connect();
      client.on('error', () => this.drop(client));
      client.on('end', () => this.drop(client));
      this.live = client;
      this.pending = client.connect().then(() => client);
      this.pending.catch(() => undefined);
    }
    return this.pending;
  }

  /** Forgets the session (the current one, or `client` if it still is): the next call opens a new one. */
  private drop(client: pg.Client | null = this.live): void {
    if (!client || client !== this.live) return;
    this.live = null;
    this.pending = null;
    client.end().catch(() => undefined);
  }
}
