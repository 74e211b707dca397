import type { CapturedSearch, SearchField } from '../records.js';

const WORD = /[\p{L}\p{N}]/u;
const FTS_COLUMN: Record<Exclude<SearchField, 'any'>, string> = {
  subject: 'subject',
  sender: 'sender',
  recipients: 'recipients',
  body: 'body',
};

/**
 * One user term as an FTS5 phrase: quoted (so punctuation only separates tokens: an address becomes
 * the phrase "bob example com"), prefix-matched on its last token when that token is long enough for
 * the prefix index.
 */
function ftsPhrase(text: string): string | null {
  if (!WORD.test(text)) return null;
  const tokens = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const last = tokens[tokens.length - 1] ?? '';
  return `"${text.replace(/"/g, '""')}"${[...last].length >= 2 ? '*' : ''}`;
}

/** The MATCH expression of a parsed search (every term must match, in its column); null: no term with a word. */
export function ftsQuery(terms: CapturedSearch['terms']): string | null {
  const parts: string[] = [];
  for (const t of terms) {
    const phrase = ftsPhrase(t.text);
    if (!phrase) continue;
    parts.push(t.field === 'any' ? phrase : `${FTS_COLUMN[t.field]} : ${phrase}`);
  }
  return parts.length ? parts.join(' AND ') : null;
}
