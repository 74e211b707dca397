import type { CapturedSearch, SearchField } from '../store/ports.js';

const FIELDS: Record<string, SearchField> = {
  from: 'sender',
  to: 'recipients',
  subject: 'subject',
  body: 'body',
  text: 'body',
};

const TOKEN = /(\w+):"([^"]*)"?|(\w+):(\S+)|"([^"]*)"?|(\S+)/g;

/**
 * Parses the `q` of GET /api/captured. Free words match subject, addresses and text (prefix match,
 * all words required); quoted text is a phrase; operators narrow it down:
 * `from:` `to:` `subject:` `body:` (search one field), `mailbox:` / `tag:` (the AUTH user that sent it),
 * `is:read` `is:unread`, `has:attachment`. Anything else is searched as typed.
 */
export function parseCapturedSearch(q: string): CapturedSearch {
  const search: CapturedSearch = { terms: [] };
  for (const m of q.matchAll(TOKEN)) {
    const [whole, qKey, qValue, key, value, phrase, word] = m;
    const op = (qKey ?? key)?.toLowerCase();
    const arg = qValue ?? value;
    if (op !== undefined && arg !== undefined) {
      const lower = arg.toLowerCase();
      if (op in FIELDS) {
        if (arg) search.terms.push({ field: FIELDS[op], text: arg });
        continue;
      }
      if (op === 'mailbox' || op === 'tag') {
        search.mailbox = arg;
        continue;
      }
      if (op === 'is' && (lower === 'read' || lower === 'unread')) {
        search.read = lower === 'read';
        continue;
      }
      if (op === 'has' && /^attachments?$/.test(lower)) {
        search.has_attachments = true;
        continue;
      }
      search.terms.push({ field: 'any', text: whole });
      continue;
    }
    const text = phrase ?? word;
    if (text) search.terms.push({ field: 'any', text });
  }
  return search;
}
