import type { ClientAuth } from '../../../src/shared/api/tenants.js';
import type { TenantConfig } from '../../../src/core/store/ports.js';
import type { TestContext } from '../relay/context.js';
import { FakeUpstream } from './upstream.js';

/** The part of FakeUpstream's URL that Genropy registers as client_base_url (the sync path follows). */
export const UPSTREAM_SYNC_PATH = '/proxy_sync';

export function upstreamBase(upstream: FakeUpstream): string {
  return upstream.url.slice(0, -UPSTREAM_SYNC_PATH.length);
}

/** A tenant's configuration as Genropy registers it, pointing at a fake application. */
export function tenantConfig(upstream: FakeUpstream, auth: ClientAuth | null, patch: Partial<TenantConfig> = {}): TenantConfig {
  return {
    name: null,
    client_auth: auth,
    client_base_url: upstreamBase(upstream),
    client_sync_path: UPSTREAM_SYNC_PATH,
    client_attachment_path: '/proxy_get_attachments',
    rate_limits: null,
    large_file_config: null,
    active: true,
    ...patch,
  };
}

/** Registers (inserts or replaces) a tenant in the store; the store announces it on the bus. */
export async function registerTenant(t: Pick<TestContext, 'store'>, id: string, config: TenantConfig, now: number): Promise<void> {
  await t.store.tenants.upsert(id, config, now);
}

export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
