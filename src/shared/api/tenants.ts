import { z } from 'zod';
import { hasControlChars } from './common.js';

/**
 * Tenants as genro-mail-proxy v0.6.10 defines them: the applications that share the relay, each with
 * its own accounts, messages and API key. POST /tenant, GET|PUT|DELETE /tenant/{id}, GET /tenants,
 * GET /tenants/sync-status, POST|DELETE /tenant/{id}/api-key, and the tenant form of suspend/activate.
 */

const int = z.number().int();

/** A tenant id: it appears in paths and query strings, so no control characters and no slash. */
export const tenantIdInput = z
  .string()
  .min(1, 'must not be empty')
  .max(200)
  .refine((s) => !hasControlChars(s) && !s.includes('/'), 'must not contain control characters or /');

export const AUTH_METHODS = ['none', 'bearer', 'basic'] as const;

/** How the relay authenticates to the application (proxy_sync, attachment fetches). */
export const clientAuth = z
  .object({
    method: z.enum(AUTH_METHODS).default('none'),
    token: z.string().nullish(),
    user: z.string().nullish(),
    password: z.string().nullish(),
  })
  .superRefine((a, ctx) => {
    if (a.method === 'bearer' && !a.token) ctx.addIssue({ code: 'custom', path: ['token'], message: "required when method is 'bearer'" });
    if (a.method === 'basic' && !a.user) ctx.addIssue({ code: 'custom', path: ['user'], message: "required when method is 'basic'" });
    if (a.method === 'basic' && !a.password) ctx.addIssue({ code: 'custom', path: ['password'], message: "required when method is 'basic'" });
  });
export type ClientAuth = z.output<typeof clientAuth>;

/** The stored form of client_auth (the answer of GET /tenant/{id}, password included as v0.6.10 shows it). */
export const clientAuthView = z
  .object({
    method: z.enum(AUTH_METHODS),
    token: z.string().optional(),
    user: z.string().optional(),
    password: z.string().optional(),
  })
  .strict()
  .meta({ id: 'ClientAuth' });

const jsonObject = z.record(z.string(), z.unknown());

const tenantFields = {
  name: z.string().max(500).nullish(),
  client_auth: clientAuth.nullish(),
  /** the application's base URL; client_sync_path and client_attachment_path are appended to it */
  client_base_url: z.string().max(2000).nullish(),
  client_sync_path: z.string().max(500).nullish(),
  client_attachment_path: z.string().max(500).nullish(),
  rate_limits: jsonObject.nullish(),
  large_file_config: jsonObject.nullish(),
  active: z.boolean().nullish(),
};

/** POST /tenant: insert or replace (every field not given becomes null, as v0.6.10 does). */
export const tenantBody = z.object({ id: tenantIdInput, ...tenantFields });
export type TenantBody = z.infer<typeof tenantBody>;

/** PUT /tenant/{id}: the fields given (not null) change, the others stay. */
export const tenantPatchBody = z.object(tenantFields).nullish().transform((v) => v ?? {});
export type TenantPatchBody = z.infer<typeof tenantPatchBody>;

/** GET /tenants?active_only=1 (1, true, yes, on). */
export const tenantsQuery = z.object({ active_only: z.string().optional() });

/** `?tenant_id=` of the classic routes: the tenant a call acts for (absent or empty: the token's, else the default). */
export const tenantQuery = z.object({ tenant_id: z.string().max(200).optional() });

/** `?tenant_id=&batch_code=` of /commands/suspend and /commands/activate. */
export const suspendQuery = z.object({ tenant_id: z.string().max(200).optional(), batch_code: z.string().max(200).optional() });

// ---- answers -------------------------------------------------------------------------------------

/** TenantInfo: a tenant's configuration, null fields left out ("YYYY-MM-DD HH:MM:SS" times, UTC). */
export const tenantInfo = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    client_auth: clientAuthView.optional(),
    client_base_url: z.string().optional(),
    client_sync_path: z.string().optional(),
    client_attachment_path: z.string().optional(),
    rate_limits: jsonObject.optional(),
    large_file_config: jsonObject.optional(),
    active: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .strict()
  .meta({ id: 'TenantInfo' });
export type TenantInfo = z.infer<typeof tenantInfo>;

export const tenantsAnswer = z.object({ ok: z.literal(true), tenants: z.array(tenantInfo) }).strict().meta({ id: 'TenantsAnswer' });
export type TenantsAnswer = z.infer<typeof tenantsAnswer>;

/** POST /tenant and POST /tenant/{id}/api-key: the new key, shown once (only its hash is kept). */
export const apiKeyAnswer = z.object({ ok: z.literal(true), api_key: z.string().min(1) }).strict().meta({ id: 'ApiKeyAnswer' });
export type ApiKeyAnswer = z.infer<typeof apiKeyAnswer>;

export const tenantSyncStatus = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    active: z.boolean(),
    client_base_url: z.string().optional(),
    /** epoch seconds of the last sync (in the future: do-not-disturb until then); absent: never */
    last_sync_ts: z.number().optional(),
    next_sync_due: z.boolean(),
    in_dnd: z.boolean(),
    // the relay's additions (absent for a tenant without a report loop: inactive, or no client_base_url)
    /** when the application last acknowledged a sync */
    last_ok_ts: int.optional(),
    /** when the last sync ended, acknowledged or not */
    last_attempt_ts: int.optional(),
    /** why the last sync was not acknowledged (one line, without upstream bodies or credentials) */
    last_error: z.string().optional(),
    consecutive_failures: int.optional(),
    /** final outcomes waiting to be reported, counted up to 10,000 */
    pending_reports: int.optional(),
    /** a sync POST is open now */
    syncing: z.boolean().optional(),
    /** the next planned sync */
    next_attempt_ts: int.optional(),
  })
  .strict()
  .meta({ id: 'TenantSyncStatus' });
export type TenantSyncStatus = z.infer<typeof tenantSyncStatus>;

export const syncStatusAnswer = z
  .object({ ok: z.literal(true), tenants: z.array(tenantSyncStatus), sync_interval_seconds: int })
  .strict()
  .meta({ id: 'SyncStatusAnswer' });
export type SyncStatusAnswer = z.infer<typeof syncStatusAnswer>;

/** /commands/suspend and /commands/activate for a tenant: what is held now, and how much still waits. */
export const suspensionAnswer = z
  .object({
    ok: z.literal(true),
    tenant_id: z.string(),
    batch_code: z.string().optional(),
    /** ['*'] when the whole tenant is suspended */
    suspended_batches: z.array(z.string()),
    /** messages not yet sent or failed (of the batch, when one is named) */
    pending_messages: int,
  })
  .strict()
  .meta({ id: 'SuspensionAnswer' });
export type SuspensionAnswer = z.infer<typeof suspensionAnswer>;
