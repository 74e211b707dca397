import type { CapturedSearch, SearchField } from '../records.js';

/**
 * Captured-mail search over one weighted tsvector per message, built here rather than by a text
 * search configuration: the tokens are SQLite FTS5's unicode61 ones (letters and digits, case and
 * diacritics folded) whatever the server's locale, so both backends match the same words.
 */

type Field = Exclude<SearchField, 'any'>;
const WEIGHT: Record<Field, string> = { subject: 'A', sender: 'B', recipients: 'C', body: 'D' };
const FIELDS: Field[] = ['subject', 'sender', 'recipients', 'body'];
/** tsvector positions stop at 16383; a lexeme may not exceed 2047 bytes */
const MAX_POSITION = 16383;
const MAX_TOKEN = 200;
const WORD = /[\p{L}\p{N}]/u;

/** The words of a text, folded as FTS5's unicode61 tokenizer with remove_diacritics folds them. */
export function tokensOf(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((t) => t.slice(0, MAX_TOKEN));
}

/**
 * The tsvector literal of a message's four fields, each weighted (A-D) and positioned after the one
 * before with a gap, so that a phrase never runs from one field into the next.
 */
export function searchVector(cols: Record<Field, string>): string {
  const parts: string[] = [];
  let pos = 1;
  for (const f of FIELDS) {
    for (const t of tokensOf(cols[f])) parts.push(`'${t}':${Math.min(pos++, MAX_POSITION)}${WEIGHT[f]}`);
    pos += 2;
  }
  return parts.join(' ');
}

/**
 * The tsquery of a parsed search: every term must match; a term is a phrase of adjacent words, in its
 * field's weight, its last word a prefix when it has two letters or more (as FTS5's prefix index).
 * null: no term with a word.
 */
export function searchQuery(terms: CapturedSearch['terms']): string | null {
  const parts: string[] = [];
  for (const term of terms) {
    if (!WORD.test(term.text)) continue;
    const tokens = tokensOf(term.text);
    if (tokens.length === 0) continue;
    const raw = term.text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const prefix = [...(raw[raw.length - 1] ?? '')].length >= 2;
    const weight = term.field === 'any' ? '' : WEIGHT[term.field];
    const lexemes = tokens.map((t, i) => {
      const star = i === tokens.length - 1 && prefix ? '*' : '';
      return star || weight ? `'${t}':${star}${weight}` : `'${t}'`;
    });
    parts.push(lexemes.length > 1 ? `(${lexemes.join(' <-> ')})` : lexemes[0]);
  }
  return parts.length ? parts.join(' & ') : null;
}
