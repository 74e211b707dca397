import addressparser, { type Address } from 'nodemailer/lib/addressparser';
import { DEFAULT_TENANT } from '../store/records.js';
import { addressTextTooLong } from './validate.js';
import { PRIORITY_LABELS, type AttachmentSpec, type MessagePayload, type Priority } from './types.js';
import type { MessageInput } from './payload-schema.js';

/** Priority labels map case-insensitively; integers are clamped to 0..3. */
export function normalisePriority(value: number | string | null | undefined, fallback: Priority): Priority {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') {
    const label = value.toLowerCase() as keyof typeof PRIORITY_LABELS;
    if (label in PRIORITY_LABELS) return PRIORITY_LABELS[label];
    const n = Number(value);
    if (!Number.isInteger(n)) return 2;
    value = n;
  }
  return Math.min(3, Math.max(0, Math.trunc(value))) as Priority;
}

/** RFC 5322 atext and spaces: a display name that needs no quotes */
const BARE_NAME = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/;
const CRLF = /[\r\n]/;
/** what lets a comma belong to a mailbox or a group instead of separating two: quotes, comments, groups */
const MAY_HIDE_COMMA = /["(\\:]/;

const displayName = (name: string) => (BARE_NAME.test(name) ? name : `"${name.replace(/[\\"]/g, '\\$&')}"`);

/** one mailbox or group as header text that addressparser reads back as the same entry */
function entry(a: Address): string {
  if (a.group) return `${displayName(a.name)}: ${a.group.map(entry).join(', ')};`;
  if (!a.address) return a.name;
  return a.name ? `${displayName(a.name)} <${a.address}>` : a.address;
}

/**
 * A string is an address header, parsed (never split on commas: `"Smith, Ann" <ann@example.com>` is one
 * mailbox), one entry per mailbox or group; a list keeps its non-empty elements. A value with CR or LF
 * or too long to parse (addressTextTooLong) stays whole, for the validation to refuse.
 */
export function addressList(value: string | (string | null)[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string' && !addressTextTooLong(value) && !CRLF.test(value)) {
    // without quotes, comments or groups a comma can only separate mailboxes (and parsing costs ~6 µs)
    if (!MAY_HIDE_COMMA.test(value)) return value.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
    return addressparser(value).map(entry).filter((p) => p.length > 0);
  }
  const parts = typeof value === 'string' ? [value] : value;
  return parts.map((p) => (p ?? '').trim()).filter((p) => p.length > 0);
}

/**
 * A classic (genro-mail-proxy) message as the relay keeps it, in the tenant it was sent for (the
 * default tenant's messages carry no tenant_id); validated afterwards (validate.ts).
 */
export function toPayload(m: MessageInput, defaultPriority: Priority, tenantId: string = DEFAULT_TENANT): MessagePayload {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== null && v !== undefined) headers[k] = String(v);
  const attachments: AttachmentSpec[] | undefined = m.attachments?.map((a) => {
    const out: AttachmentSpec = {};
    if (a.filename) out.filename = a.filename;
    if (a.s3) out.s3 = { bucket: a.s3.bucket, key: a.s3.key };
    else if (a.url) out.url = a.url;
    else if (a.content) out.content = a.content;
    else if (a.storage_path) out.storage_path = a.storage_path;
    // opaque here: endpoint delivery reads them
    if (a.fetch_mode) out.fetch_mode = a.fetch_mode;
    if (a.content_md5) out.content_md5 = a.content_md5;
    const type = a.content_type ?? a.mime_type;
    if (type) out.content_type = type;
    if (a.cid) out.cid = a.cid;
    return out;
  });
  const p: MessagePayload = {
    id: m.id,
    ...(tenantId !== DEFAULT_TENANT ? { tenant_id: tenantId } : {}),
    from: m.from,
    to: addressList(m.to),
    subject: m.subject,
    body: m.body,
    content_type: m.content_type === 'html' ? 'html' : (m.content_type ?? 'plain'),
    priority: normalisePriority(m.priority, defaultPriority),
  };
  if (m.account_id) p.account_id = m.account_id;
  const cc = addressList(m.cc);
  if (cc.length) p.cc = cc;
  const bcc = addressList(m.bcc);
  if (bcc.length) p.bcc = bcc;
  if (m.reply_to) p.reply_to = m.reply_to;
  if (m.return_path) p.return_path = m.return_path;
  if (Object.keys(headers).length) p.headers = headers;
  if (m.message_id) p.message_id = m.message_id;
  if (attachments?.length) p.attachments = attachments;
  if (m.deferred_ts !== null && m.deferred_ts !== undefined) p.deferred_ts = m.deferred_ts;
  if (m.batch_code) p.batch_code = m.batch_code;
  return p;
}
