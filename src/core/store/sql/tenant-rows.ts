import type { SecretCodec } from '../../secrets.js';
import type { ClientAuth, Tenant, TenantConfig } from '../records.js';

/** A tenants row as both backends store it: flags as 0/1, JSON as text, client_auth encoded at rest. */
export interface TenantRow {
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
export const CONFIG_FIELDS = [
  'name',
  'client_auth',
  'client_base_url',
  'client_sync_path',
  'client_attachment_path',
  'rate_limits',
  'large_file_config',
  'active',
] as const satisfies readonly (keyof TenantConfig)[];


const json = (v: unknown): string | null => (v === null || v === undefined ? null : JSON.stringify(v));
const parsed = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

/** The configured fields as columns (client_auth holds the application's password: encoded). */
export function tenantColumns(c: TenantConfig, secrets: SecretCodec): Record<(typeof CONFIG_FIELDS)[number], string | number | null> {
  return {
    name: c.name,
    client_auth: c.client_auth ? secrets.encode(JSON.stringify(c.client_auth)) : null,
    client_base_url: c.client_base_url,
    client_sync_path: c.client_sync_path,
    client_attachment_path: c.client_attachment_path,
    rate_limits: json(c.rate_limits),
    large_file_config: json(c.large_file_config),
    active: c.active ? 1 : 0,
  };
}

export function tenantFromRow(r: TenantRow, secrets: SecretCodec): Tenant {
  return {
    id: r.id,
    name: r.name,
    client_auth: r.client_auth === null ? null : (JSON.parse(secrets.decode(r.client_auth)) as ClientAuth),
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
