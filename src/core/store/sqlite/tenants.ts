import type { SecretCodec } from '../../secrets.js';
import type { TenantsPort } from '../ports.js';
import type { Tenant, TenantConfig } from '../records.js';
import { CONFIG_FIELDS, tenantColumns, tenantFromRow, type TenantRow } from '../sql/tenant-rows.js';
import { accountChanged } from './accounts.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';

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
    return tenantColumns(c, this.secrets);
  }

  private fromRow(r: TenantRow): Tenant {
    return tenantFromRow(r, this.secrets);
  }
}
