import type { RuntimeSettingsValues } from '../../settings/runtime-settings.js';
import { DEFAULT_TENANT } from '../../store/records.js';
import { DEFAULT_ATTACHMENT_PATH, tenantEndpointUrl } from '../../tenants/endpoint-url.js';

/** How the relay authenticates to an application (v0.6.10's tenant `client_auth`). */
export type ClientAuth =
  | { method: 'none' }
  | { method: 'bearer'; token: string }
  | { method: 'basic'; user: string; password: string };

/** Where a tenant's `fetch_mode: "endpoint"` attachments are fetched, and with which credentials. */
export interface AttachmentEndpoint {
  url: string;
  auth: ClientAuth;
}

/** The narrow view the attachment resolver has of tenants: null when a tenant has no attachment endpoint. */
export interface AttachmentEndpoints {
  forTenant(tenantId: string): Promise<AttachmentEndpoint | null>;
}

const SYNC_SUFFIX = '/proxy_sync';
const ATTACHMENT_SUFFIX = '/proxy_get_attachments';

/** Genropy's attachment URL beside its sync URL: `…/proxy_sync` becomes `…/proxy_get_attachments`; else null. */
export function attachmentUrlFromSyncUrl(syncUrl: string): string | null {
  let u: URL;
  try {
    u = new URL(syncUrl);
  } catch {
    return null;
  }
  const path = u.pathname.replace(/\/+$/, '');
  if (!path.endsWith(SYNC_SUFFIX)) return null;
  u.pathname = path.slice(0, -SYNC_SUFFIX.length) + ATTACHMENT_SUFFIX;
  u.search = '';
  u.hash = '';
  return u.toString();
}

type SyncSettings = Pick<RuntimeSettingsValues, 'client_sync_url' | 'client_sync_user' | 'client_sync_password' | 'client_sync_token'>;

/**
 * The classic application's endpoint: `[client] client_attachment_url`, else the one beside the sync
 * URL, with the sync credentials (token, user, or those in the URL, as the reporter uses them).
 */
export function classicEndpoint(s: SyncSettings, attachmentUrl: string | null): AttachmentEndpoint | null {
  const raw = attachmentUrl ?? (s.client_sync_url ? attachmentUrlFromSyncUrl(s.client_sync_url) : null);
  if (!raw) return null;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  const urlUser = decodeURIComponent(u.username);
  const urlPassword = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  const auth: ClientAuth = s.client_sync_token
    ? { method: 'bearer', token: s.client_sync_token }
    : s.client_sync_user
      ? { method: 'basic', user: s.client_sync_user, password: s.client_sync_password ?? '' }
      : urlUser
        ? { method: 'basic', user: urlUser, password: urlPassword }
        : { method: 'none' };
  return { url: u.toString(), auth };
}

/**
 * The default tenant's endpoints from the runtime settings (read at each fetch: a changed sync URL
 * applies at once); other tenants have none here (tenantAttachmentEndpoints adds theirs).
 */
export function defaultTenantEndpoints(settings: { current(): Readonly<SyncSettings> }, attachmentUrl: string | null): AttachmentEndpoints {
  return {
    forTenant: async (tenantId) => (tenantId === DEFAULT_TENANT ? classicEndpoint(settings.current(), attachmentUrl) : null),
  };
}

/** What the resolver reads of a tenant record (v0.6.10's fields; the store may give more). */
export interface TenantEndpointFields {
  client_base_url?: string | null;
  client_attachment_path?: string | null;
  client_auth?: { method?: string | null; token?: string | null; user?: string | null; password?: string | null } | null;
}

/** A tenant's endpoint: base URL (trailing `/` removed) + attachment path, with its `client_auth`. */
export function tenantEndpoint(t: TenantEndpointFields): AttachmentEndpoint | null {
  if (!t.client_base_url) return null;
  const url = tenantEndpointUrl(t.client_base_url, t.client_attachment_path, DEFAULT_ATTACHMENT_PATH);
  const a = t.client_auth;
  const auth: ClientAuth =
    a?.method === 'bearer' ? { method: 'bearer', token: a.token ?? '' } : a?.method === 'basic' ? { method: 'basic', user: a.user ?? '', password: a.password ?? '' } : { method: 'none' };
  return { url, auth };
}

/** Every tenant's endpoint: the default tenant's from the [client] settings (`classic`), the others' from their records. */
export function tenantAttachmentEndpoints(
  tenants: { get(tenantId: string): Promise<TenantEndpointFields | null> },
  classic: AttachmentEndpoints,
): AttachmentEndpoints {
  return {
    async forTenant(tenantId) {
      if (tenantId === DEFAULT_TENANT) return classic.forTenant(tenantId);
      const t = await tenants.get(tenantId);
      return t ? tenantEndpoint(t) : null;
    },
  };
}

/** The Authorization header for an endpoint's credentials, or none. */
export function authorization(auth: ClientAuth): Record<string, string> {
  if (auth.method === 'bearer') return { Authorization: `Bearer ${auth.token}` };
  if (auth.method === 'basic') return { Authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}` };
  return {};
}
