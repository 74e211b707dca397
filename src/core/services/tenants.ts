import type { ApiKeyAnswer, SuspensionAnswer, SyncStatusAnswer, TenantBody, TenantInfo, TenantPatchBody, TenantReportState } from '../../shared/api/index.js';
import { nowSec, type Clock } from '../clock.js';
import { notFound, RelayError } from '../errors.js';
import type { RelayBus } from '../events.js';
import type { RuntimeSettings } from '../settings/runtime-settings.js';
import { DEFAULT_TENANT, type MessagesPort, type Store, type Tenant, type TenantConfig, type TenantsPort } from '../store/ports.js';
import { apiKeyHash, newApiKey, sameSecret } from '../tenants/api-keys.js';
import { ADMIN, type Principal } from '../tenants/principal.js';
import { activateBatches, suspendBatches } from '../tenants/suspension.js';
import { scopeOf } from './scope.js';
import { droppedSecrets, originChange, secretFate, type DroppedSecrets } from './secret-scope.js';
import { sqlTimestamp, withoutNulls } from './views.js';

/** How each tenant's report loop stands (the reporter knows; without one, never synced). */
export interface TenantSyncClock {
  /** null: the tenant has no report loop (inactive, no client_base_url) */
  tenantReport(tenantId: string): TenantReportState | null;
}

/** genro-mail-proxy v0.6.10's tenants: registration, their API keys, their configuration and suspensions. */
export interface TenantsService {
  /** who a token belongs to: the configured (admin) token, a tenant's unexpired key, or nobody (null) */
  authenticate(token: string | undefined): Promise<Principal | null>;
  /** POST /tenant: insert or replace, and a new API key every time (the old one stops working) */
  register(body: TenantBody): Promise<ApiKeyAnswer>;
  get(caller: Principal, id: string): Promise<TenantInfo>;
  /**
   * PUT /tenant/{id}: the fields given change; a client_base_url with another origin drops the stored
   * client_auth unless the same patch gives one (the answer says so); 404 when unknown
   */
  update(caller: Principal, id: string, patch: TenantPatchBody): Promise<DroppedSecrets | null>;
  /** deletes the tenant with its accounts and messages; 404 when unknown */
  delete(id: string): Promise<void>;
  list(activeOnly: boolean): Promise<TenantInfo[]>;
  syncStatus(): Promise<SyncStatusAnswer>;
  /** a new key for the tenant (the old one stops working); 404 when unknown */
  createApiKey(id: string): Promise<ApiKeyAnswer>;
  revokeApiKey(id: string): Promise<void>;
  /** holds the batch (null: everything) back from dispatch; 400 for an unknown tenant */
  suspend(tenantId: string, batchCode: string | null): Promise<SuspensionAnswer>;
  /** releases the batch (null: every suspension); 400 for an unknown tenant, or one batch under '*' */
  activate(tenantId: string, batchCode: string | null): Promise<SuspensionAnswer>;
  /** 404 unless the tenant exists (the default tenant always does) */
  mustExist(tenantId: string): Promise<void>;
}

export interface TenantsServiceDeps {
  tenants: TenantsPort;
  messages: Pick<MessagesPort, 'countPending'>;
  store: Pick<Store, 'transaction'>;
  /** the configured API token: the admin token */
  adminToken: string;
  settings: Pick<RuntimeSettings, 'current'>;
  bus: Pick<RelayBus, 'emit'>;
  clock: Clock;
  sync?: TenantSyncClock;
}

const NEVER_SYNCED: TenantSyncClock = { tenantReport: () => null };

/** TenantInfo: the configuration, null fields left out (v0.6.10 answers exclude None). */
function tenantInfo(t: Tenant): TenantInfo {
  return withoutNulls({
    id: t.id,
    name: t.name,
    client_auth: t.client_auth ? withoutNulls(t.client_auth) : null,
    client_base_url: t.client_base_url,
    client_sync_path: t.client_sync_path,
    client_attachment_path: t.client_attachment_path,
    rate_limits: t.rate_limits,
    large_file_config: t.large_file_config,
    active: t.active,
    created_at: sqlTimestamp(t.created_ts),
    updated_at: sqlTimestamp(t.updated_ts),
  });
}

function configOf(body: Omit<TenantBody, 'id'>): TenantConfig {
  return {
    name: body.name ?? null,
    client_auth: body.client_auth ?? null,
    client_base_url: body.client_base_url || null,
    client_sync_path: body.client_sync_path || null,
    client_attachment_path: body.client_attachment_path || null,
    rate_limits: body.rate_limits ?? null,
    large_file_config: body.large_file_config ?? null,
    active: body.active ?? true,
  };
}

/** The fields a PUT gives (null means "not given", as v0.6.10 drops None before updating). */
function patchOf(body: TenantPatchBody): Partial<TenantConfig> {
  const full = configOf(body);
  const out: Partial<TenantConfig> = {};
  for (const k of Object.keys(full) as (keyof TenantConfig)[]) {
    if (body[k] !== null && body[k] !== undefined) Object.assign(out, { [k]: full[k] });
  }
  return out;
}

/** The relay's additions to a sync-status row: how the tenant's report loop stands. */
function loopFields(r: TenantReportState) {
  return {
    last_ok_ts: r.last_ok_ts,
    last_attempt_ts: r.last_sync_ts,
    last_error: r.last_error,
    consecutive_failures: r.consecutive_failures,
    pending_reports: r.pending,
    syncing: r.in_flight,
    next_attempt_ts: r.next_due_ts,
  };
}

const badRequest = (text: string) => new RelayError(400, 'bad_request', text);

export function createTenantsService(deps: TenantsServiceDeps): TenantsService {
  const { tenants, clock } = deps;
  const sync = deps.sync ?? NEVER_SYNCED;
  const now = () => nowSec(clock);

  const mustGet = async (id: string): Promise<Tenant> => {
    const t = await tenants.get(id);
    if (!t) throw notFound('Tenant', id);
    return t;
  };

  const issueKey = async (id: string): Promise<ApiKeyAnswer> => {
    const key = newApiKey();
    if (!(await tenants.setApiKey(id, apiKeyHash(key), null, now()))) throw notFound('Tenant', id);
    return { ok: true, api_key: key };
  };

  /** One transaction: the decision reads the suspensions it replaces; the count sees the result. */
  const changeSuspension = async (tenantId: string, batchCode: string | null, suspend: boolean): Promise<SuspensionAnswer> => {
    const ts = now();
    const batches = await deps.store.transaction(async (tx) => {
      const t = await tx.tenants.get(tenantId);
      if (!t) return null;
      const change = suspend ? { ok: true as const, batches: suspendBatches(t.suspended_batches, batchCode) } : activateBatches(t.suspended_batches, batchCode);
      if (!change.ok) return null;
      await tx.tenants.setSuspendedBatches(tenantId, change.batches, ts);
      return { batches: change.batches, pending: await tx.messages.countPending(tenantId, batchCode) };
    });
    if (!batches) throw badRequest(suspend ? 'tenant not found' : 'tenant not found or cannot activate single batch from full suspension');
    if (!suspend) deps.bus.emit('dispatch.wake');
    return {
      ok: true,
      tenant_id: tenantId,
      ...(batchCode !== null ? { batch_code: batchCode } : {}),
      suspended_batches: batches.batches,
      pending_messages: batches.pending,
    };
  };

  return {
    async authenticate(token) {
      const given = token?.trim();
      if (!given) return null;
      if (sameSecret(given, deps.adminToken)) return ADMIN;
      const t = await tenants.byApiKeyHash(apiKeyHash(given));
      if (!t || (t.api_key_expires_at !== null && t.api_key_expires_at <= now())) return null;
      return { kind: 'tenant', tenantId: t.id };
    },

    async register(body) {
      const { id, ...config } = body;
      const key = newApiKey();
      const ts = now();
      await deps.store.transaction(async (tx) => {
        await tx.tenants.upsert(id, configOf(config), ts);
        await tx.tenants.setApiKey(id, apiKeyHash(key), null, ts);
      });
      return { ok: true, api_key: key };
    },

    async get(caller, id) {
      return tenantInfo(await mustGet(scopeOf(caller, id)));
    },

    async update(caller, id, patch) {
      const tenantId = scopeOf(caller, id);
      const changes = patchOf(patch);
      const dropped = await deps.store.transaction(async (tx) => {
        const before = await tx.tenants.get(tenantId);
        if (!before) return undefined;
        const fate = secretFate({
          given: changes.client_auth !== undefined,
          stored: before.client_auth !== null && before.client_auth.method !== 'none',
          serverChange: changes.client_base_url === undefined ? null : originChange(before.client_base_url, changes.client_base_url),
        });
        const applied = fate.kind === 'dropped' ? { ...changes, client_auth: null } : changes;
        await tx.tenants.update(tenantId, applied, now());
        return droppedSecrets({ client_auth: fate });
      });
      if (dropped === undefined) throw notFound('Tenant', id);
      return dropped;
    },

    async delete(id) {
      if (!(await tenants.delete(id))) throw notFound('Tenant', id);
    },

    list: async (activeOnly) => (await tenants.list({ activeOnly })).map(tenantInfo),

    async syncStatus() {
      const interval = deps.settings.current().report_interval_seconds;
      const t = now();
      const list = (await tenants.list()).map((tenant) => {
        const r = sync.tenantReport(tenant.id);
        // v0.6.10's last_sync_ts: the last acknowledged sync, or the end of a do-not-disturb period
        const last = r ? (r.quiet_until_ts ?? r.last_ok_ts) : null;
        return withoutNulls({
          id: tenant.id,
          name: tenant.name,
          active: tenant.active,
          client_base_url: tenant.client_base_url,
          last_sync_ts: last,
          next_sync_due: last === null || (last <= t && t - last >= interval),
          in_dnd: last !== null && last > t,
          ...(r ? loopFields(r) : {}),
        });
      });
      return { ok: true, tenants: list, sync_interval_seconds: interval };
    },

    createApiKey: (id) => issueKey(id),

    async revokeApiKey(id) {
      if (!(await tenants.clearApiKey(id, now()))) throw notFound('Tenant', id);
    },

    suspend: (tenantId, batchCode) => changeSuspension(tenantId, batchCode, true),
    activate: (tenantId, batchCode) => changeSuspension(tenantId, batchCode, false),

    async mustExist(tenantId) {
      if (tenantId !== DEFAULT_TENANT) await mustGet(tenantId);
    },
  };
}
