/**
 * Genropy's email tables as the mail-proxy code reads them (email/model/*.py): the account record
 * and its §1.3 payload, the outgoing message record, and the address and header normalisations.
 */
import { pyInt, truthy } from './py.js';

/** email.account columns the mail proxy reads (account.py). */
export interface GenropyAccount {
  id: string;
  account_name?: string | null;
  smtp_host?: string | null;
  smtp_port?: number | string | null;
  smtp_username?: string | null;
  smtp_password?: string | null;
  smtp_tls?: boolean | null;
  /** stored but never sent to the proxy (§1.3) */
  smtp_ssl?: boolean | null;
  smtp_timeout?: number | null;
  smtp_from_address?: string | null;
  system_bcc?: string | null;
  /** column default 300 */
  proxy_ttl?: number | null;
  proxy_limit_per_minute?: number | null;
  proxy_limit_per_hour?: number | null;
  proxy_limit_per_day?: number | null;
  /** column default "defer" */
  proxy_limit_behavior?: string | null;
  proxy_batch_size?: number | null;
  save_output_message?: boolean | null;
}

/** A new account row gets the column defaults for the fields it does not set. */
export function withAccountDefaults(a: GenropyAccount): GenropyAccount {
  return { proxy_ttl: 300, proxy_limit_behavior: 'defer', ...a };
}

/** _resolve_account_payload (mailproxy.py:278-312): null and "" dropped, no smtp_ssl. */
export function accountPayload(a: GenropyAccount, tenantId: string): Record<string, unknown> {
  const safeInt = (v: unknown) => (v === null || v === undefined || v === '' ? null : pyInt(v));
  const payload: Record<string, unknown> = {
    id: a.id,
    name: a.account_name,
    tenant_id: tenantId,
    host: a.smtp_host,
    port: safeInt(a.smtp_port),
    user: a.smtp_username,
    password: a.smtp_password,
    use_tls: a.smtp_tls === null || a.smtp_tls === undefined ? null : truthy(a.smtp_tls),
    ttl: safeInt(a.proxy_ttl),
    limit_per_minute: safeInt(a.proxy_limit_per_minute),
    limit_per_hour: safeInt(a.proxy_limit_per_hour),
    limit_per_day: safeInt(a.proxy_limit_per_day),
    limit_behavior: a.proxy_limit_behavior,
    batch_size: safeInt(a.proxy_batch_size),
  };
  if (truthy(a.smtp_timeout)) payload.timeout = safeInt(a.smtp_timeout);
  return Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== null && v !== undefined && v !== ''));
}

/** One transient retry, as the sending_attempt bag records it. */
export interface SendingAttempt {
  ts: number;
  error: string;
}

/** The email.message columns the mail proxy reads and writes; timestamps are epoch seconds. */
export interface OutboxMessage {
  /** 22 characters */
  id: string;
  account_id: string | null;
  from_address: string | null;
  /** the raw column: free text with display names, or a list */
  to_address: string | string[] | null;
  cc_address: string | string[] | null;
  bcc_address: string | string[] | null;
  subject: string | null;
  body: string | null;
  html: boolean;
  /** 0-3, or null (sent as null, counted as 2 for the queue order) */
  proxy_priority: number | null;
  deferred_ts: number | null;
  extra_headers: Record<string, unknown>;
  batch_code: string | null;
  /** storage paths `volume:path` (message_atc and weak_attachments) */
  attachments: string[];
  /** handed to the proxy */
  proxy_ts: number | null;
  /** sent, from a delivery report */
  send_date: number | null;
  error_ts: number | null;
  /** whatever the relay gave as reason or error */
  error_msg: unknown;
  sending_attempt: SendingAttempt[];
}

/** Where a message stands, derived from its columns and the message_to_send queue. */
export type OutboxStatus = 'sent' | 'queued' | 'error' | 'at_proxy' | 'idle';

/** Message.extractAddresses: bare addresses, lower-cased, de-duplicated in order. */
export function extractAddresses(value: string | null | undefined): string[] {
  if (!value) return [];
  const seen = new Set<string>();
  for (const m of value.matchAll(/([\p{L}\p{N}_\-.]+@(?:[\p{L}\p{N}_][\p{L}\p{N}_-]+\.)+[\p{L}\p{N}_-]+)/gu)) {
    seen.add(m[1].toLowerCase());
  }
  return [...seen];
}

/** _address_list (mp_endpoint.py): a list is kept (falsy entries dropped), text is extracted. */
export function addressList(value: string | string[] | null | undefined): string[] {
  if (!value || (Array.isArray(value) && value.length === 0)) return [];
  if (Array.isArray(value)) return value.filter((a) => truthy(a));
  return extractAddresses(value);
}

/** _extra_headers: None, "", False and 0 dropped (0 == False in Python); numbers and true kept. */
export function normaliseHeaders(headers: Record<string, unknown> | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === null || v === undefined || v === '' || v === false || v === 0) continue;
    out[k] = typeof v === 'string' || typeof v === 'number' || v === true ? v : String(v);
  }
  return out;
}
