/** v0.6.10's paths when a tenant names none (Genropy registers `/proxy_sync` and `/proxy_get_attachments`). */
export const DEFAULT_SYNC_PATH = '/mail-proxy/sync';
export const DEFAULT_ATTACHMENT_PATH = '/mail-proxy/attachments';

/** A tenant's endpoint as v0.6.10 builds it: base URL (trailing `/` removed) + path (a `/` added if missing). */
export function tenantEndpointUrl(baseUrl: string, path: string | null | undefined, fallback: string): string {
  const p = path || fallback;
  return `${baseUrl.replace(/\/+$/, '')}${p.startsWith('/') ? p : `/${p}`}`;
}
