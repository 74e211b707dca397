import type { CapturedSearch, SearchColumn, SearchField } from '../store/ports.js';
import { parseSearchDate, parseSearchSize } from './search-values.js';

/** An operator the search could not use: the term is searched as text, or ignored (the message says which). */
export interface SearchWarning {
  operator: string;
  message: string;
}

export interface ParsedSearch {
  search: CapturedSearch;
  warnings: SearchWarning[];
}

const FIELDS: Record<string, SearchField> = {
  from: 'sender',
  to: 'recipients',
  subject: 'subject',
  body: 'body',
  text: 'body',
};

const COLUMNS: Record<string, SearchColumn> = {
  cc: 'cc',
  bcc: 'bcc',
  filename: 'filename',
  'message-id': 'message_id',
};

/** Mailpit operators this relay has no data for: said so rather than searched as text. */
const UNSUPPORTED: Record<string, string> = {
  'reply-to': 'Reply-To is not stored for captured mail',
  addressed: 'use from:, to:, cc: or bcc:',
};

export const KNOWN_OPERATORS = ['from:', 'to:', 'cc:', 'bcc:', 'subject:', 'body:', 'message-id:', 'filename:', 'mailbox:', 'tag:', 'tenant:', 'is:read', 'is:unread', 'has:attachment', 'before:', 'after:', 'larger:', 'smaller:'];

/** `-`/`!` (negation), then `op:"quoted value"`, `op:value`, `"a phrase"` or a word. */
const TOKEN = /([-!]?)(?:([A-Za-z][\w-]*):"([^"]*)"?|([A-Za-z][\w-]*):(\S+)|"([^"]*)"?|(\S+))/g;

const minOf = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));
const maxOf = (a: number | undefined, b: number) => (a === undefined ? b : Math.max(a, b));

/**
 * Parses the `q` of GET /api/captured with Mailpit's search syntax (v1.30.5, internal/storage/search.go):
 * free words match subject, addresses, text and attachment names (prefix match, all words required);
 * quoted text is a phrase; `-` or `!` before a term excludes it. Operators: `from:` `to:` `subject:`
 * `body:` (one field), `cc:` `bcc:` `message-id:` `filename:` (substring), `mailbox:` (SMTP username),
 * `tag:` (X-Tags or plus-address tag), `tenant:` (queue tenant), `is:read`
 * `is:unread`, `has:attachment`, `before:`/`after:` (received, a date or date-time, UTC unless it says
 * otherwise), `larger:`/`smaller:` (bytes, `kb`, `mb`). An unknown operator is searched as text and
 * reported; a bad date or size is ignored and reported.
 */
export function parseSearch(q: string, opts: { timeZone?: string } = {}): ParsedSearch {
  const search: CapturedSearch = { terms: [] };
  const warnings: SearchWarning[] = [];
  for (const m of q.matchAll(TOKEN)) {
    const [whole, neg, qKey, qValue, key, value, phrase, word] = m;
    const negate = neg !== '';
    const op = (qKey ?? key)?.toLowerCase();
    const arg = qValue ?? value;
    if (op === undefined || arg === undefined) {
      const text = phrase ?? word;
      if (text) search.terms.push(negate ? { field: 'any', text, negate } : { field: 'any', text });
      continue;
    }
    if (!applyOperator(search, warnings, op, arg.trim(), negate, opts.timeZone)) {
      const text = whole.slice(neg.length);
      search.terms.push(negate ? { field: 'any', text, negate } : { field: 'any', text });
    }
  }
  return { search, warnings };
}

/** Parses `q` and drops the warnings (the callers that have nowhere to show them). */
export function parseCapturedSearch(q: string, opts: { timeZone?: string } = {}): CapturedSearch {
  return parseSearch(q, opts).search;
}

/** Records one `op:arg`; false: not an operator, search the term as text. */
function applyOperator(search: CapturedSearch, warnings: SearchWarning[], op: string, arg: string, negate: boolean, timeZone: string | undefined): boolean {
  const warn = (message: string) => warnings.push({ operator: `${op}:`, message });
  const lower = arg.toLowerCase();
  if (op in FIELDS) {
    if (arg) search.terms.push(negate ? { field: FIELDS[op], text: arg, negate } : { field: FIELDS[op], text: arg });
    return true;
  }
  if (op in COLUMNS) {
    if (arg) (search.contains ??= []).push(negate ? { column: COLUMNS[op], text: arg, negate } : { column: COLUMNS[op], text: arg });
    return true;
  }
  switch (op) {
    case 'mailbox':
      if (negate) (search.not_mailboxes ??= []).push(arg);
      else search.mailbox = arg;
      return true;
    // Mailpit: a whole tag, case-insensitive; several tag: terms must all match
    case 'tag':
      if (arg) (negate ? (search.not_tags ??= []) : (search.tags ??= [])).push(arg);
      return true;
    case 'tenant':
      if (negate) (search.not_tenants ??= []).push(arg);
      else search.tenant = arg;
      return true;
    case 'is':
      if (lower === 'read' || lower === 'unread') {
        search.read = (lower === 'read') !== negate;
        return true;
      }
      warn(`is:${arg} is not known: use is:read or is:unread; ignored`);
      return true;
    case 'has':
      if (/^attachments?$/.test(lower)) {
        search.has_attachments = !negate;
        return true;
      }
      warn(`has:${arg} is not known: use has:attachment; ignored`);
      return true;
    case 'before':
    case 'after': {
      const ts = parseSearchDate(arg, timeZone);
      if (ts === null) {
        warn(`"${arg}" is not a date (e.g. 2026-05-31 or 2026-05-31T14:00Z); ignored`);
        return true;
      }
      // Mailpit: -before: is after:, -after: is before: (both inclusive)
      if ((op === 'before') !== negate) search.received_before = minOf(search.received_before, ts);
      else search.received_after = maxOf(search.received_after, ts);
      return true;
    }
    case 'larger':
    case 'smaller': {
      const bytes = parseSearchSize(arg);
      if (bytes === null) {
        warn(`"${arg}" is not a size (e.g. 500, 20kb, 1.5mb); ignored`);
        return true;
      }
      if ((op === 'larger') !== negate) search.larger_than = maxOf(search.larger_than, bytes);
      else search.smaller_than = minOf(search.smaller_than, bytes);
      return true;
    }
    default:
      if (op in UNSUPPORTED) {
        warn(`not supported here (${UNSUPPORTED[op]}); searched as text`);
        return false;
      }
      // a URL (https://…) is text, not an operator
      if (!arg.startsWith('//')) warn(`unknown operator, searched as text; the operators are ${KNOWN_OPERATORS.join(' ')}`);
      return false;
  }
}
