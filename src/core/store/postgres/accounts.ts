import type { SecretCodec } from '../../secrets.js';
import type { AccountsPort } from '../ports.js';
import { accountKey, type Account, type AccountInput } from '../records.js';
import { guardOf } from '../sql/transitions.js';
import type { PgOutbox } from './outbox.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

interface AccountRow extends Omit<Account, 'use_tls' | 'fallbacks' | 'limit_behavior' | 'allow_insecure_auth'> {
  use_tls: number | null;
  allow_insecure_auth: number;
  fallbacks: string | null;
  limit_behavior: string;
}

const COLUMNS = ['tenant_id', 'id', 'host', 'port', 'user', 'password', 'ttl', 'limit_per_minute', 'limit_per_hour', 'limit_per_day',
  'limit_behavior', 'use_tls', 'batch_size', 'timeout', 'max_connections', 'fallbacks', 'weight', 'allow_insecure_auth', 'updated_ts'] as const;
const quoted = COLUMNS.map((c) => `"${c}"`);
// insert or replace as genro-mail-proxy does: every column, created_at included, starts over
const UPSERT = `INSERT INTO accounts (${quoted.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (tenant_id, id) DO UPDATE SET ${quoted.slice(2).map((c) => `${c} = excluded.${c}`).join(', ')},
    created_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`;

/** Announced after commit (call inside a write). */
export function accountChanged(outbox: PgOutbox, tenantId: string, id: string): void {
  outbox.accountChanged(accountKey(tenantId, id), id);
}

/** SMTP accounts, unique per (tenant_id, id), their passwords encoded at rest by the codec. */
export class PgAccounts implements AccountsPort {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
    private readonly secrets: SecretCodec,
  ) {}

  upsert(a: AccountInput, now: number) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        const row: Record<(typeof COLUMNS)[number], unknown> = {
          ...a,
          password: a.password === null ? null : this.secrets.encode(a.password),
          use_tls: a.use_tls === null ? null : a.use_tls ? 1 : 0,
          fallbacks: a.fallbacks ? JSON.stringify(a.fallbacks) : null,
          allow_insecure_auth: a.allow_insecure_auth ? 1 : 0,
          updated_ts: now,
        };
        await tx.query(UPSERT, COLUMNS.map((c) => row[c] ?? null));
        accountChanged(this.runner.outbox, a.tenant_id, a.id);
      }),
    );
  }

  get(tenantId: string, id: string) {
    return this.scope(async (db) => {
      const { rows } = await db.query<AccountRow>('SELECT * FROM accounts WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
      return rows[0] ? this.fromRow(rows[0]) : null;
    });
  }

  list(tenantId?: string) {
    return this.scope(async (db) => {
      const { rows } = tenantId === undefined
        ? await db.query<AccountRow>('SELECT * FROM accounts ORDER BY tenant_id, id')
        : await db.query<AccountRow>('SELECT * FROM accounts WHERE tenant_id = $1 ORDER BY id', [tenantId]);
      return rows.map((r) => this.fromRow(r));
    });
  }

  /** Deletes the account and, as genro-mail-proxy does, its messages, their events and its send log. */
  delete(tenantId: string, id: string) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        accountChanged(this.runner.outbox, tenantId, id);
        const args = [tenantId, id];
        await tx.query(
          `DELETE FROM message_events e USING messages m WHERE m.tenant_id = $1 AND m.account_id = $2 AND ${guardOf('delete', 'm')}
             AND e.tenant_id = m.tenant_id AND e.message_id = m.id`,
          args,
        );
        await tx.query(`DELETE FROM messages WHERE tenant_id = $1 AND account_id = $2 AND ${guardOf('delete')}`, args);
        await tx.query('DELETE FROM send_log WHERE tenant_id = $1 AND account_id = $2', args);
        return ((await tx.query('DELETE FROM accounts WHERE tenant_id = $1 AND id = $2', args)).rowCount ?? 0) > 0;
      }),
    );
  }

  private fromRow(r: AccountRow): Account {
    return {
      ...r,
      password: r.password === null ? null : this.secrets.decode(r.password),
      use_tls: r.use_tls === null ? null : r.use_tls === 1,
      fallbacks: r.fallbacks ? (JSON.parse(r.fallbacks) as string[]) : null,
      limit_behavior: r.limit_behavior === 'error' ? 'error' : 'defer',
      allow_insecure_auth: r.allow_insecure_auth === 1,
    };
  }
}
