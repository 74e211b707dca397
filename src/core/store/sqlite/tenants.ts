import type { SecretCodec } from '../../secrets.js';
import type { TenantsPort } from '../ports.js';
import type { ClientAuth, Tenant, TenantConfig } from '../records.js';
import { accountChanged } from './accounts.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';

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

function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  const assignments = CONFIG_FIELDS.map((f) => `${f} = @${f}`).join(', ');
  return {
    exists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM tenants WHERE id = ?'),
    insert: db.prepare(
      `INSERT INTO tenants (id, ${CONFIG_FIELDS.join(', ')}, created_ts, updated_ts)
       VALUES (@id, ${CONFIG_FIELDS.map((f) => `@${f}`).join(', ')}, @now, @now)`,
    ),
    replace: db.prepare(`UPDATE tenants SET ${assignments}, updated_ts = @now WHERE id = @id`),
    get: db.prepare<[string], TenantRow>('SELECT * FROM tenants WHERE id = ?'),
    list: db.prepare<[], TenantRow>('SELECT * FROM tenants ORDER BY id'),
    listActive: db.prepare<[], TenantRow>('SELECT * FROM tenants WHERE active = 1 ORDER BY id'),
    byKey: db.prepare<[string], TenantRow>('SELECT * FROM tenants WHERE api_key_hash = ?'),
    setKey: db.prepare<[string | null, number | null, number, string]>(
      'UPDATE tenants SET api_key_hash = ?, api_key_expires_at = ?, updated_ts = ? WHERE id = ?',
    ),
    setSuspended: db.prepare<[string | null, number, string]>('UPDATE tenants SET suspended_batches = ?, updated_ts = ? WHERE id = ?'),
    // the tenant's whole footprint: timelines (orphans included), messages, send log, accounts, itself
    deleteEvents: db.prepare<[string]>('DELETE FROM message_events WHERE tenant_id = ?'),
    deleteMessages: db.prepare<[string]>('DELETE FROM messages WHERE tenant_id = ?'),
    deleteSendLog: db.prepare<[string]>('DELETE FROM send_log WHERE tenant_id = ?'),
    deleteAccounts: db.prepare<[string], { id: string }>('DELETE FROM accounts WHERE tenant_id = ? RETURNING id'),
    delete: db.prepare<[string]>('DELETE FROM tenants WHERE id = ?'),
  };
}

const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));
const parsed = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

/** The tenants of genro-mail-proxy v0.6.10; client_auth (it holds the application's password) is encoded at rest. */
export class SqliteTenants implements TenantsPort {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
    private readonly secrets: SecretCodec,
  ) {
    this.st = runner.once(prepare);
  }

  upsert(id: string, config: TenantConfig, now: number) {
    return this.scope(() =>
      this.runner.write(() => {
        const created = !this.st.exists.get(id);
        (created ? this.st.insert : this.st.replace).run({ id, now, ...this.columns(config) });
        this.runner.outbox.tenantChanged(id);
        return { created };
      }),
    );
  }

  get(id: string) {
    return this.scope(() => {
      const row = this.st.get.get(id);
      return row ? this.fromRow(row) : null;
    });
  }

  list(opts: { activeOnly?: boolean } = {}) {
    return this.scope(() => (opts.activeOnly ? this.st.listActive : this.st.list).all().map((r) => this.fromRow(r)));
  }

  update(id: string, patch: Partial<TenantConfig>, now: number) {
    return this.scope(() =>
      this.runner.write(() => {
        const row = this.st.get.get(id);
        if (!row) return false;
        const merged: TenantConfig = { ...this.fromRow(row), ...patch };
        this.st.replace.run({ id, now, ...this.columns(merged) });
        this.runner.outbox.tenantChanged(id);
        return true;
      }),
    );
  }

  delete(id: string) {
    return this.scope(() =>
      this.runner.write(() => {
        this.st.deleteEvents.run(id);
        this.st.deleteMessages.run(id);
        this.st.deleteSendLog.run(id);
        for (const a of this.st.deleteAccounts.all(id)) accountChanged(this.runner, id, a.id);
        const deleted = this.st.delete.run(id).changes > 0;
        if (deleted) this.runner.outbox.tenantChanged(id);
        return deleted;
      }),
    );
  }

  setApiKey(id: string, hash: string, expiresAt: number | null, now: number) {
    return this.scope(() => this.runner.write(() => this.changed(id, this.st.setKey.run(hash, expiresAt, now, id).changes)));
  }

  clearApiKey(id: string, now: number) {
    return this.scope(() => this.runner.write(() => this.changed(id, this.st.setKey.run(null, null, now, id).changes)));
  }

  byApiKeyHash(hash: string) {
    return this.scope(() => {
      const row = this.st.byKey.get(hash);
      return row ? this.fromRow(row) : null;
    });
  }

  setSuspendedBatches(id: string, batches: string[], now: number) {
    return this.scope(() =>
      this.runner.write(() => this.changed(id, this.st.setSuspended.run(batches.length ? JSON.stringify(batches) : null, now, id).changes)),
    );
  }

  private changed(id: string, changes: number): boolean {
    if (changes === 0) return false;
    this.runner.outbox.tenantChanged(id);
    return true;
  }

  private columns(c: TenantConfig): Record<(typeof CONFIG_FIELDS)[number], string | number | null> {
    return {
      name: c.name,
      client_auth: c.client_auth ? this.secrets.encode(JSON.stringify(c.client_auth)) : null,
      client_base_url: c.client_base_url,
      client_sync_path: c.client_sync_path,
      client_attachment_path: c.client_attachment_path,
      rate_limits: json(c.rate_limits),
      large_file_config: json(c.large_file_config),
      active: c.active ? 1 : 0,
    };
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
