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

/** A string is split on commas; a list keeps its non-empty elements. */
export function addressList(value: string | (string | null)[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const parts = typeof value === 'string' ? value.split(',') : value;
  return parts.map((p) => (p ?? '').trim()).filter((p) => p.length > 0);
}

const CRLF = /[\r\n]/;
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const HEADER_NAME = /^[!-9;-~]+$/;

/**
 * genro-mail-proxy per-message rules, in the original order (first failure wins), plus the relay's own:
 * CR/LF in a header-bound field and malformed attachments are rejections, not silent fixes.
 */
export function rejectionReason(
  m: MessageInput,
  accountExists: (id: string) => boolean,
  hasDefaultAccount: boolean,
): string | null {
  if (!m.id) return 'missing id';
  if (!m.from) return 'missing from';
  if (addressList(m.to).length === 0) return 'missing to';
  if (m.account_id) {
    if (!accountExists(m.account_id)) return 'account not found';
  } else if (!hasDefaultAccount) {
    return 'missing account configuration';
  }
  const headerFields: [string, string | null | undefined][] = [
    ['id', m.id],
    ['from', m.from],
    ['subject', m.subject],
    ['reply_to', m.reply_to],
    ['return_path', m.return_path],
    ['message_id', m.message_id],
    ['to', Array.isArray(m.to) ? m.to.join(',') : m.to],
    ['cc', Array.isArray(m.cc) ? m.cc.join(',') : m.cc],
    ['bcc', Array.isArray(m.bcc) ? m.bcc.join(',') : m.bcc],
  ];
  for (const [name, value] of headerFields) {
    if (value && CRLF.test(value)) return `invalid ${name}: contains CR or LF`;
  }
  for (const [name, value] of Object.entries(m.headers ?? {})) {
    if (!HEADER_NAME.test(name)) return `invalid header name: ${JSON.stringify(name.slice(0, 60))}`;
    if (value !== null && value !== undefined && CRLF.test(String(value))) return `invalid header ${name}: contains CR or LF`;
  }
  for (const [i, a] of (m.attachments ?? []).entries()) {
    const label = `invalid attachment ${i}${a.filename ? ` (${a.filename})` : ''}`;
    if (!a.content && !a.url && !a.s3) return `${label}: needs content, url or s3`;
    if (a.filename && CRLF.test(a.filename)) return `${label}: filename contains CR or LF`;
    if (a.content && !a.url && !a.s3 && !BASE64.test(a.content)) return `${label}: content is not base64`;
    if (a.url && !a.s3 && !/^https?:\/\//i.test(a.url)) return `${label}: url must be http or https`;
  }
  return null;
}

export function toPayload(m: MessageInput, defaultPriority: Priority): MessagePayload {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== null && v !== undefined) headers[k] = String(v);
  const attachments: AttachmentSpec[] | undefined = m.attachments?.map((a) => {
    const out: AttachmentSpec = {};
    if (a.filename) out.filename = a.filename;
    if (a.s3) out.s3 = { bucket: a.s3.bucket, key: a.s3.key };
    else if (a.url) out.url = a.url;
    else if (a.content) out.content = a.content;
    const type = a.content_type ?? a.mime_type;
    if (type) out.content_type = type;
    if (a.cid) out.cid = a.cid;
    return out;
  });
  const p: MessagePayload = {
    id: m.id,
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
  return p;
}
