import type { SecretCodec } from '../../secrets.js';
import type { AccountsPort } from '../ports.js';
import { accountKey, type Account, type AccountInput } from '../records.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';
import { guardOf } from '../sql/transitions.js';

interface AccountRow extends Omit<Account, 'use_tls' | 'fallbacks' | 'limit_behavior' | 'allow_insecure_auth'> {
  use_tls: number | null;
  allow_insecure_auth: number;
  fallbacks: string | null;
  limit_behavior: string;
}

function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    // INSERT OR REPLACE as genro-mail-proxy does (created_at resets)
    upsert: db.prepare(
      `INSERT OR REPLACE INTO accounts (tenant_id, id, host, port, user, password, ttl, limit_per_minute, limit_per_hour,
         limit_per_day, limit_behavior, use_tls, batch_size, timeout, max_connections, fallbacks, weight, allow_insecure_auth, updated_ts)
       VALUES (@tenant_id, @id, @host, @port, @user, @password, @ttl, @limit_per_minute, @limit_per_hour, @limit_per_day,
         @limit_behavior, @use_tls, @batch_size, @timeout, @max_connections, @fallbacks, @weight, @allow_insecure_auth, @updated_ts)`,
    ),
    get: db.prepare<[string, string], AccountRow>('SELECT * FROM accounts WHERE tenant_id = ? AND id = ?'),
    list: db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY tenant_id, id'),
    listOf: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE tenant_id = ? ORDER BY id'),
    deleteEvents: db.prepare<[string, string]>(
      `DELETE FROM message_events WHERE (tenant_id, message_id) IN
         (SELECT tenant_id, id FROM messages WHERE tenant_id = ? AND account_id = ? AND ${guardOf('delete')})`,
    ),
    deleteMessages: db.prepare<[string, string]>(`DELETE FROM messages WHERE tenant_id = ? AND account_id = ? AND ${guardOf('delete')}`),
    deleteSendLog: db.prepare<[string, string]>('DELETE FROM send_log WHERE tenant_id = ? AND account_id = ?'),
    delete: db.prepare<[string, string]>('DELETE FROM accounts WHERE tenant_id = ? AND id = ?'),
    /** decoded accounts by accountKey (decoding a password may cost a decryption); only what is committed */
    cache: new Map<string, Account>(),
  };
}

/** Announced after commit; the cached copy goes at once (a rollback leaves the cache without it). Call inside a write. */
export function accountChanged(runner: TransactionRunner, tenantId: string, id: string): void {
  const key = accountKey(tenantId, id);
  runner.once(prepare).cache.delete(key);
  runner.outbox.accountChanged(key, id);
}

/** SMTP accounts, unique per (tenant_id, id), their passwords encoded at rest by the codec. */
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
          allow_insecure_auth: a.allow_insecure_auth ? 1 : 0,
          updated_ts: now,
        });
        accountChanged(this.runner, a.tenant_id, a.id);
      }),
    );
  }

  get(tenantId: string, id: string) {
    return this.scope(() => {
      const key = accountKey(tenantId, id);
      const hit = this.st.cache.get(key);
      if (hit) return hit;
      const row = this.st.get.get(tenantId, id);
      if (!row) return null;
      const acc = this.fromRow(row);
      // never cache what a rollback could take back
      if (!this.runner.outbox.changedUncommitted(key)) this.st.cache.set(key, acc);
      return acc;
    });
  }

  list(tenantId?: string) {
    return this.scope(() => (tenantId === undefined ? this.st.list.all() : this.st.listOf.all(tenantId)).map((r) => this.fromRow(r)));
  }

  /** Deletes the account and, as genro-mail-proxy does, its messages, their events and its send log. */
  delete(tenantId: string, id: string) {
    return this.scope(() =>
      this.runner.write(() => {
        accountChanged(this.runner, tenantId, id);
        this.st.deleteEvents.run(tenantId, id);
        this.st.deleteMessages.run(tenantId, id);
        this.st.deleteSendLog.run(tenantId, id);
        return this.st.delete.run(tenantId, id).changes > 0;
      }),
    );
  }

  private fromRow(r: AccountRow): Account {
    return {
      ...r,
      password: r.password === null ? null : this.secrets.decode(r.password),
      use_tls: r.use_tls === null ? null : r.use_tls === 1,
      allow_insecure_auth: r.allow_insecure_auth === 1,
      fallbacks: r.fallbacks ? (JSON.parse(r.fallbacks) as string[]) : null,
      limit_behavior: r.limit_behavior === 'error' ? 'error' : 'defer',
    };
  }
}
