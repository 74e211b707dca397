import type { SecretCodec } from '../../secrets.js';
import type { AccountsPort } from '../ports.js';
import type { Account, AccountInput } from '../records.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';
import { guardOf } from './transitions.js';

interface AccountRow extends Omit<Account, 'use_tls' | 'fallbacks' | 'limit_behavior'> {
  use_tls: number | null;
  fallbacks: string | null;
  limit_behavior: string;
}

function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    // INSERT OR REPLACE as genro-mail-proxy does (created_at resets)
    upsert: db.prepare(
      `INSERT OR REPLACE INTO accounts (id, host, port, user, password, ttl, limit_per_minute, limit_per_hour,
         limit_per_day, limit_behavior, use_tls, batch_size, timeout, max_connections, fallbacks, weight, updated_ts)
       VALUES (@id, @host, @port, @user, @password, @ttl, @limit_per_minute, @limit_per_hour, @limit_per_day,
         @limit_behavior, @use_tls, @batch_size, @timeout, @max_connections, @fallbacks, @weight, @updated_ts)`,
    ),
    get: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
    list: db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY id'),
    deleteEvents: db.prepare<[string]>(
      `DELETE FROM message_events WHERE message_id IN (SELECT id FROM messages WHERE account_id = ? AND ${guardOf('delete')})`,
    ),
    deleteMessages: db.prepare<[string]>(`DELETE FROM messages WHERE account_id = ? AND ${guardOf('delete')}`),
    deleteSendLog: db.prepare<[string]>('DELETE FROM send_log WHERE account_id = ?'),
    delete: db.prepare<[string]>('DELETE FROM accounts WHERE id = ?'),
    /** decoded accounts by id (decoding a password may cost a decryption); only what is committed */
    cache: new Map<string, Account>(),
  };
}

/** SMTP accounts, their passwords encoded at rest by the codec. */
export class SqliteAccounts implements AccountsPort {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
    private readonly secrets: SecretCodec,
  ) {
    this.st = runner.once(prepare);
  }

  upsert(a: AccountInput, now: number) {
    return this.scope(() =>
      this.runner.write(() => {
        this.st.upsert.run({
          ...a,
          password: a.password === null ? null : this.secrets.encode(a.password),
          use_tls: a.use_tls === null ? null : a.use_tls ? 1 : 0,
          fallbacks: a.fallbacks ? JSON.stringify(a.fallbacks) : null,
          updated_ts: now,
        });
        this.changed(a.id);
      }),
    );
  }

  get(id: string) {
    return this.scope(() => {
      const hit = this.st.cache.get(id);
      if (hit) return hit;
      const row = this.st.get.get(id);
      if (!row) return null;
      const acc = this.fromRow(row);
      // never cache what a rollback could take back
      if (!this.runner.outbox.changedUncommitted(id)) this.st.cache.set(id, acc);
      return acc;
    });
  }

  list() {
    return this.scope(() => this.st.list.all().map((r) => this.fromRow(r)));
  }

  /** Deletes the account and, as genro-mail-proxy does, its messages, their events and its send log. */
  delete(id: string) {
    return this.scope(() =>
      this.runner.write(() => {
        this.changed(id);
        this.st.deleteEvents.run(id);
        this.st.deleteMessages.run(id);
        this.st.deleteSendLog.run(id);
        return this.st.delete.run(id).changes > 0;
      }),
    );
  }

  /** Announced after commit; the cached copy goes at once (a rollback leaves the cache without it). */
  private changed(id: string): void {
    this.st.cache.delete(id);
    this.runner.outbox.accountChanged(id);
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
