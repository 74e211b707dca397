import type { SecretCodec } from '../../secrets.js';
import type { TenantsPort } from '../ports.js';
import type { ClientAuth, Tenant, TenantConfig } from '../records.js';
import { accountChanged } from './accounts.js';
import type { Db } from './connection.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

interface TenantRow {
  id: string;
  name: string | null;
  client_auth: string | null;
  client_base_url: string | null;
  client_sync_path: string | null;
  client_attachment_path: string | null;
  rate_limits: string | null;
  large_file_config: string | null;
  active: number;
  suspended_batches: string | null;
  api_key_hash: string | null;
  api_key_expires_at: number | null;
  created_ts: number;
  updated_ts: number;
}

/** The configured fields and their columns: what an upsert replaces and a patch may change. */
const CONFIG_FIELDS = [
  'name',
  'client_auth',
  'client_base_url',
  'client_sync_path',
  'client_attachment_path',
  'rate_limits',
  'large_file_config',
  'active',
] as const satisfies readonly (keyof TenantConfig)[];

// $1: id, $2: now, $3...: the configured fields in CONFIG_FIELDS order
const INSERT = `INSERT INTO tenants (id, ${CONFIG_FIELDS.join(', ')}, created_ts, updated_ts)
  VALUES ($1, ${CONFIG_FIELDS.map((_, i) => `$${i + 3}`).join(', ')}, $2, $2)`;
const REPLACE = `UPDATE tenants SET ${CONFIG_FIELDS.map((f, i) => `${f} = $${i + 3}`).join(', ')}, updated_ts = $2 WHERE id = $1`;

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));
const parsed = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

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
    return [
      c.name,
      c.client_auth ? this.secrets.encode(JSON.stringify(c.client_auth)) : null,
      c.client_base_url,
      c.client_sync_path,
      c.client_attachment_path,
      json(c.rate_limits),
      json(c.large_file_config),
      c.active ? 1 : 0,
    ];
  }

  private fromRow(r: TenantRow): Tenant {
    return {
      id: r.id,
      name: r.name,
      client_auth: r.client_auth === null ? null : (JSON.parse(this.secrets.decode(r.client_auth)) as ClientAuth),
      client_base_url: r.client_base_url,
      client_sync_path: r.client_sync_path,
      client_attachment_path: r.client_attachment_path,
      rate_limits: parsed(r.rate_limits),
      large_file_config: parsed(r.large_file_config),
      active: r.active === 1,
      suspended_batches: parsed<string[]>(r.suspended_batches) ?? [],
      api_key_hash: r.api_key_hash,
      api_key_expires_at: r.api_key_expires_at,
      created_ts: r.created_ts,
      updated_ts: r.updated_ts,
    };
  }
}
