import type { SecretCodec } from '../../secrets.js';
import type { TenantsPort } from '../ports.js';
import type { Tenant, TenantConfig } from '../records.js';
import { CONFIG_FIELDS, tenantColumns, tenantFromRow, type TenantRow } from '../sql/tenant-rows.js';
import { accountChanged } from './accounts.js';
import type { Db } from './connection.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

// $1: id, $2: now, $3...: the configured fields in CONFIG_FIELDS order
const INSERT = `INSERT INTO tenants (id, ${CONFIG_FIELDS.join(', ')}, created_ts, updated_ts)
  VALUES ($1, ${CONFIG_FIELDS.map((_, i) => `$${i + 3}`).join(', ')}, $2, $2)`;
const REPLACE = `UPDATE tenants SET ${CONFIG_FIELDS.map((f, i) => `${f} = $${i + 3}`).join(', ')}, updated_ts = $2 WHERE id = $1`;

/** The tenants of genro-mail-proxy v0.6.10; client_auth (it holds the application's password) is encoded at rest. */
export class PgTenants implements TenantsPort {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
    private readonly secrets: SecretCodec,
  ) {}

  upsert(id: string, config: TenantConfig, now: number) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        const created = (await tx.query('SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE', [id])).rowCount === 0;
        await tx.query(created ? INSERT : REPLACE, [id, now, ...this.columns(config)]);
        this.runner.outbox.tenantChanged(id);
        return { created };
      }),
    );
  }

  get(id: string) {
    return this.scope(async (db) => this.one(db, 'SELECT * FROM tenants WHERE id = $1', id));
  }

  list(opts: { activeOnly?: boolean } = {}) {
    return this.scope(async (db) => {
      const { rows } = await db.query<TenantRow>(`SELECT * FROM tenants ${opts.activeOnly ? 'WHERE active = 1' : ''} ORDER BY id`);
      return rows.map((r) => this.fromRow(r));
    });
  }

  update(id: string, patch: Partial<TenantConfig>, now: number) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        const current = await this.one(tx, 'SELECT * FROM tenants WHERE id = $1 FOR UPDATE', id);
        if (!current) return false;
        const merged: TenantConfig = { ...current, ...patch };
        await tx.query(REPLACE, [id, now, ...this.columns(merged)]);
        this.runner.outbox.tenantChanged(id);
        return true;
      }),
    );
  }

  /** The tenant's whole footprint: timelines (orphans included), messages, send log, accounts, itself. */
  delete(id: string) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        await tx.query('DELETE FROM message_events WHERE tenant_id = $1', [id]);
        await tx.query('DELETE FROM messages WHERE tenant_id = $1', [id]);
        await tx.query('DELETE FROM send_log WHERE tenant_id = $1', [id]);
        for (const a of (await tx.query<{ id: string }>('DELETE FROM accounts WHERE tenant_id = $1 RETURNING id', [id])).rows)
          accountChanged(this.runner.outbox, id, a.id);
        const deleted = ((await tx.query('DELETE FROM tenants WHERE id = $1', [id])).rowCount ?? 0) > 0;
        if (deleted) this.runner.outbox.tenantChanged(id);
        return deleted;
      }),
    );
  }

  setApiKey(id: string, hash: string, expiresAt: number | null, now: number) {
    return this.setKey(id, hash, expiresAt, now);
  }

  clearApiKey(id: string, now: number) {
    return this.setKey(id, null, null, now);
  }

  byApiKeyHash(hash: string) {
    return this.scope(async (db) => this.one(db, 'SELECT * FROM tenants WHERE api_key_hash = $1', hash));
  }

  setSuspendedBatches(id: string, batches: string[], now: number) {
    return this.changeRow(id, 'UPDATE tenants SET suspended_batches = $2, updated_ts = $3 WHERE id = $1', [batches.length ? JSON.stringify(batches) : null, now]);
  }

  private setKey(id: string, hash: string | null, expiresAt: number | null, now: number) {
    return this.changeRow(id, 'UPDATE tenants SET api_key_hash = $2, api_key_expires_at = $3, updated_ts = $4 WHERE id = $1', [hash, expiresAt, now]);
  }

  /** One update of the tenant's row, announced when it found the tenant. */
  private changeRow(id: string, sql: string, args: unknown[]): Promise<boolean> {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        if (((await tx.query(sql, [id, ...args])).rowCount ?? 0) === 0) return false;
        this.runner.outbox.tenantChanged(id);
        return true;
      }),
    );
  }

  private async one(db: Db, sql: string, arg: string): Promise<Tenant | null> {
    const { rows } = await db.query<TenantRow>(sql, [arg]);
    return rows[0] ? this.fromRow(rows[0]) : null;
  }

  private columns(c: TenantConfig): (string | number | null)[] {
    const cols = tenantColumns(c, this.secrets);
    return CONFIG_FIELDS.map((f) => cols[f]);
  }

  private fromRow(r: TenantRow): Tenant {
    return tenantFromRow(r, this.secrets);
  }
}
