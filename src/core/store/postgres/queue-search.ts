import type { Params } from './params.js';
import { noNul } from './params.js';

/** The searchable text of a message, exactly the expression migration 006 indexes with pg_trgm. */
const HAYSTACK = `(id || E'\\n' || subject || E'\\n' || from_addr || E'\\n' || to_addrs || E'\\n' || coalesce(error, ''))`;

/**
 * `q=`: a case-insensitive literal substring of id, subject, sender, recipients or error text (ILIKE:
 * SQLite's LIKE ignores ASCII case). The ILIKE over the indexed expression lets the trigram index narrow
 * (3 characters and more); the one per column keeps a match from running across two fields.
 */
export function queueSearchCondition(q: string, p: Params): string {
  const like = p.add(`%${noNul(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const columns = ['id', 'subject', 'from_addr', 'to_addrs', 'error'].map((c) => `${c} ILIKE ${like}`).join(' OR ');
  return `${HAYSTACK} ILIKE ${like} AND (${columns})`;
}
