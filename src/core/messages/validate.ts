import { isBase64 } from '../../shared/base64.js';
import { DEFAULT_TENANT } from '../store/records.js';
import type { MessagePayload } from './types.js';

/**
 * The one validation of a message payload, whatever brought it (classic add-messages, /api/send,
 * a captured message released): each entry point normalises its input to a MessagePayload, asks
 * here, and words the answer its own way (a classic rejection reason, a 422 naming the field, a 404).
 */
export type PayloadRule =
  /** id, from or to (to, cc and bcc all) is empty; account_id for a tenant's message */
  | 'missing'
  /** more recipients (to, cc and bcc) than `[delivery] max_recipients` */
  | 'too_many_recipients'
  | 'account_not_found'
  /** no account_id where one is needed (classic protocol, real delivery) */
  | 'account_required'
  /** CR or LF in a field that ends up in a header: header injection */
  | 'crlf'
  | 'header_name'
  /** an attachment with neither content, url, s3 nor storage_path */
  | 'attachment_source'
  | 'base64'
  | 'url'
  /** an address list over MAX_ADDRESSES entries, or an entry beyond addressTextTooLong */
  | 'too_long';

export interface PayloadIssue {
  /** where, in the payload: ['subject'], ['to', 1], ['headers', 'X-Tag'], ['attachments', 0, 'content'] */
  path: (string | number)[];
  rule: PayloadRule;
}

export interface PayloadRules {
  /** the account exists in the tenant */
  accountExists(tenantId: string, id: string): boolean;
  accountRequired: boolean;
  /** recipients (to, cc and bcc) of one message; default DEFAULT_MAX_RECIPIENTS */
  maxRecipients?: number;
}

export const DEFAULT_MAX_RECIPIENTS = 1000;

const recipientCount = (p: MessagePayload) => p.to.length + (p.cc?.length ?? 0) + (p.bcc?.length ?? 0);

const CRLF = /[\r\n]/;
/**
 * The most address text parsed in one field (to, cc or bcc): parsing is linear but costs up to ~10 µs
 * a mailbox, so a 64 MB list would hold the event loop for minutes. /api/send allows 1,000 mailboxes.
 */
export const MAX_ADDRESS_TEXT = 100_000;
export const MAX_ADDRESSES = 2000;

/** over MAX_ADDRESS_TEXT characters, or more commas than MAX_ADDRESSES (counted without parsing) */
export function addressTextTooLong(s: string): boolean {
  if (s.length > MAX_ADDRESS_TEXT) return true;
  let commas = 0;
  for (let i = s.indexOf(','); i >= 0; i = s.indexOf(',', i + 1)) if (++commas >= MAX_ADDRESSES) return true;
  return false;
}
/** RFC 5322 field name: printable US-ASCII except the colon */
const HEADER_NAME = /^[!-9;-~]+$/;
const HTTP_URL = /^https?:\/\//i;

export const hasCrLf = (s: string): boolean => CRLF.test(s);

const SINGLE_FIELDS = ['id', 'from', 'subject', 'reply_to', 'return_path', 'message_id'] as const;
const LIST_FIELDS = ['to', 'cc', 'bcc'] as const;

/**
 * The first problem of a payload, in genro-mail-proxy's order (first failure wins), or null. A tenant's
 * message needs its account_id (v0.6.10); the default tenant keeps the classic default-account rule.
 */
export function payloadIssue(p: MessagePayload, rules: PayloadRules): PayloadIssue | null {
  const tenantId = p.tenant_id ?? DEFAULT_TENANT;
  if (!p.id) return { path: ['id'], rule: 'missing' };
  if (tenantId !== DEFAULT_TENANT && !p.account_id) return { path: ['account_id'], rule: 'missing' };
  if (!p.from) return { path: ['from'], rule: 'missing' };
  if (p.to.length === 0 && !p.cc?.length && !p.bcc?.length) return { path: ['to'], rule: 'missing' };
  if (recipientCount(p) > (rules.maxRecipients ?? DEFAULT_MAX_RECIPIENTS)) return { path: ['to'], rule: 'too_many_recipients' };
  if (p.account_id) {
    if (!rules.accountExists(tenantId, p.account_id)) return { path: ['account_id'], rule: 'account_not_found' };
  } else if (rules.accountRequired) {
    return { path: ['account_id'], rule: 'account_required' };
  }
  return headerSafetyIssue(p);
}

function headerSafetyIssue(p: MessagePayload): PayloadIssue | null {
  for (const name of SINGLE_FIELDS) {
    const value = p[name];
    if (value && hasCrLf(value)) return { path: [name], rule: 'crlf' };
  }
  for (const name of LIST_FIELDS) {
    const list = p[name] ?? [];
    if (list.length > MAX_ADDRESSES) return { path: [name], rule: 'too_long' };
    const long = list.findIndex(addressTextTooLong);
    if (long >= 0) return { path: [name, long], rule: 'too_long' };
    const i = (p[name] ?? []).findIndex(hasCrLf);
    if (i >= 0) return { path: [name, i], rule: 'crlf' };
  }
  for (const [name, value] of Object.entries(p.headers ?? {})) {
    if (!HEADER_NAME.test(name)) return { path: ['headers', name], rule: 'header_name' };
    if (hasCrLf(value)) return { path: ['headers', name], rule: 'crlf' };
  }
  for (const [i, a] of (p.attachments ?? []).entries()) {
    if (!a.content && !a.url && !a.s3 && !a.storage_path) return { path: ['attachments', i], rule: 'attachment_source' };
    for (const name of ['filename', 'content_type', 'cid', 'storage_path'] as const) {
      const value = a[name];
      if (value && hasCrLf(value)) return { path: ['attachments', i, name], rule: 'crlf' };
    }
    // only the source delivery uses is checked: s3 wins over url, url over content
    if (a.content && !a.url && !a.s3 && !isBase64(a.content)) return { path: ['attachments', i, 'content'], rule: 'base64' };
    if (a.url && !a.s3 && !HTTP_URL.test(a.url)) return { path: ['attachments', i, 'url'], rule: 'url' };
  }
  return null;
}

const FIELD_TEXT: Record<PayloadRule, string> = {
  missing: 'is required',
  too_many_recipients: 'too many recipients (to, cc and bcc together; see [delivery] max_recipients)',
  account_not_found: 'account not found',
  account_required: 'required in real delivery mode',
  crlf: 'must not contain CR or LF',
  header_name: 'must be a header name',
  attachment_source: 'needs content, url or s3',
  base64: 'must be base64',
  url: 'must be an http(s) URL',
  too_long: `must hold at most ${MAX_ADDRESSES} addresses in ${MAX_ADDRESS_TEXT} characters`,
};

/** The issue as a field error: `{field: "headers.X-Tag", message: "must not contain CR or LF"}`. */
export function fieldError(issue: PayloadIssue, p: MessagePayload): { field: string; message: string } {
  const field = issue.path.join('.');
  if (issue.rule === 'account_not_found') return { field, message: `account '${p.account_id}' not found` };
  if (issue.rule === 'too_many_recipients') return { field, message: `${FIELD_TEXT[issue.rule]}: ${recipientCount(p)}` };
  return { field, message: FIELD_TEXT[issue.rule] };
}

/** The issue as genro-mail-proxy words a rejection (`rejected[].reason` of add-messages). */
export function classicReason(issue: PayloadIssue, p: MessagePayload): string {
  const [top, key, sub] = issue.path;
  switch (issue.rule) {
    case 'missing':
      return `missing ${String(top)}`;
    case 'too_many_recipients':
      return `too many recipients: ${recipientCount(p)} (to, cc and bcc together; see [delivery] max_recipients)`;
    case 'account_not_found':
      return (p.tenant_id ?? DEFAULT_TENANT) === DEFAULT_TENANT ? 'account not found' : 'account not found for tenant';
    case 'account_required':
      return 'missing account configuration';
    case 'header_name':
      return `invalid header name: ${JSON.stringify(String(key).slice(0, 60))}`;
    case 'crlf':
      if (top === 'headers') return `invalid header ${String(key)}: contains CR or LF`;
      if (top === 'attachments') return `${attachmentLabel(p, Number(key))}: ${String(sub)} contains CR or LF`;
      return `invalid ${String(top)}: contains CR or LF`;
    case 'attachment_source':
      return `${attachmentLabel(p, Number(key))}: needs content, url or s3`;
    case 'base64':
      return `${attachmentLabel(p, Number(key))}: content is not base64`;
    case 'url':
      return `${attachmentLabel(p, Number(key))}: url must be http or https`;
    case 'too_long':
      return `invalid ${String(top)}: more than ${MAX_ADDRESSES} addresses or ${MAX_ADDRESS_TEXT} characters`;
  }
}

function attachmentLabel(p: MessagePayload, i: number): string {
  const filename = p.attachments?.[i]?.filename;
  return `invalid attachment ${i}${filename ? ` (${filename})` : ''}`;
}
