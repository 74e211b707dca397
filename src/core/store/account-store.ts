import type { DB } from './db.js';
import type { SecretCodec } from '../secrets.js';
import type { EventLog } from './event-log.js';
import type { Account, AccountInput } from './records.js';
export type { LimitBehavior, Account, AccountInput } from './records.js';

interface AccountRow extends Omit<Account, 'use_tls' | 'fallbacks' | 'limit_behavior'> {
  use_tls: number | null;
  fallbacks: string | null;
  limit_behavior: string;
}

export class AccountStore {
  private readonly upsertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly cache = new Map<string, Account>();
  private version = 0;

  constructor(
    private readonly db: DB,
    private readonly secrets: SecretCodec,
    private readonly events: EventLog,
  ) {
    // INSERT OR REPLACE as genro-mail-proxy does (created_at resets).
    this.upsertStmt = db.prepare(
      `INSERT OR REPLACE INTO accounts (id, host, port, user, password, ttl, limit_per_minute, limit_per_hour,
         limit_per_day, limit_behavior, use_tls, batch_size, timeout, max_connections, fallbacks, weight, updated_ts)
       VALUES (@id, @host, @port, @user, @password, @ttl, @limit_per_minute, @limit_per_hour, @limit_per_day,
         @limit_behavior, @use_tls, @batch_size, @timeout, @max_connections, @fallbacks, @weight, @updated_ts)`,
    );
    this.getStmt = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?');
    this.listStmt = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY id');
  }

  /** Bumped on every change, so pools and caches know to rebuild. */
  get changeVersion(): number {
    return this.version;
  }

  upsert(a: AccountInput, now: number): void {
    this.events.transaction(() => {
      this.upsertStmt.run({
      ...a,
      password: a.password === null ? null : this.secrets.encode(a.password),
      use_tls: a.use_tls === null ? null : a.use_tls ? 1 : 0,
      fallbacks: a.fallbacks ? JSON.stringify(a.fallbacks) : null,
      updated_ts: now,
      });
      this.events.accountChanged(a.id);
    });
    this.cache.delete(a.id);
    this.version++;
  }

  get(id: string): Account | null {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const row = this.getStmt.get(id);
    if (!row) return null;
    const acc = this.fromRow(row);
    // never cache what a rollback could take back
    if (!this.events.accountChangedUncommitted(id)) this.cache.set(id, acc);
    return acc;
  }

  exists(id: string): boolean {
    return this.get(id) !== null;
  }

  list(): Account[] {
    return this.listStmt.all().map((r) => this.fromRow(r));
  }

  /** Deletes the account and, as genro-mail-proxy does, its messages, their events and its send log. */
  delete(id: string): boolean {
    const removed = this.events.transaction(() => {
      this.events.accountChanged(id);
      this.db.prepare('DELETE FROM message_events WHERE message_id IN (SELECT id FROM messages WHERE account_id = ?)').run(id);
      this.db.prepare('DELETE FROM messages WHERE account_id = ?').run(id);
      this.db.prepare('DELETE FROM send_log WHERE account_id = ?').run(id);
      return this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id).changes > 0;
    });
    this.cache.delete(id);
    this.version++;
    return removed;
  }

  private fromRow(r: AccountRow): Account {
    return {
      ...r,
      password: r.password === null ? null : this.secrets.decode(r.password),
      use_tls: r.use_tls === null ? null : r.use_tls === 1,
      fallbacks: r.fallbacks ? (JSON.parse(r.fallbacks) as string[]) : null,
      limit_behavior: r.limit_behavior === 'error' ? 'error' : 'defer',
    };
  }
}
