/** How many trigrams of a long query the index is asked for: enough to narrow, the LIKE decides. */
const MAX_TRIGRAMS = 12;

/** The LIKE pattern of a literal substring (SQLite's LIKE ignores ASCII case, as the scan always did). */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The FTS5 query of a substring for the trigram index (migration 010): each trigram of the text as a
 * quoted token, all required; null when the text is shorter than a trigram (then only the scan can tell).
 */
export function trigramQuery(q: string): string | null {
  const chars = [...q];
  if (chars.length < 3) return null;
  const all = [...new Set(chars.slice(0, -2).map((_, i) => chars.slice(i, i + 3).join('')))];
  const picked = all.length <= MAX_TRIGRAMS ? all : Array.from({ length: MAX_TRIGRAMS }, (_, i) => all[Math.round((i * (all.length - 1)) / (MAX_TRIGRAMS - 1))]);
  return [...new Set(picked)].map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ');
}

/** The text the index holds of a row (migration 010): the searched columns, one per line. */
export const HAYSTACK =
  "id || char(10) || coalesce(subject, '') || char(10) || coalesce(from_addr, '') || char(10) || " +
  "coalesce(to_addrs, '') || char(10) || coalesce(error, '')";

/** One part of a queue listing's search: the rows to read, the condition, and the order column. */
export interface QueueSearchSql {
  from: string;
  where: string;
  orderBy: string;
}

const RECHECK = `(id LIKE @q ESCAPE '\\' OR subject LIKE @q ESCAPE '\\' OR from_addr LIKE @q ESCAPE '\\' OR to_addrs LIKE @q ESCAPE '\\' OR error LIKE @q ESCAPE '\\')`;
const INDEXED = '(SELECT indexed_seq FROM messages_search_state)';
const DIRTY = '(SELECT seq FROM messages_search_dirty)';

/**
 * `q=`: a case-insensitive literal substring of id, subject, sender, recipients or error text, as parts whose
 * rows are disjoint and each come newest first (the caller merges them). From 3 characters: the trigram
 * index's hits among the rows it holds current (CROSS JOIN keeps it the outer loop, so a page stops early),
 * the rows the background indexer has not reached yet, and the indexed rows whose text changed since (dirty);
 * the LIKE rechecks each. Shorter text scans the rows newest first, as before.
 */
export function queueSearch(q: string, params: Record<string, unknown>): QueueSearchSql[] {
  params.q = likePattern(q);
  const fts = trigramQuery(q);
  if (fts === null) return [{ from: 'messages', where: RECHECK, orderBy: 'seq' }];
  params.fts = fts;
  return [
    {
      from: 'messages_search CROSS JOIN messages ON messages.seq = messages_search.rowid',
      where: `messages_search MATCH @fts AND messages_search.rowid <= ${INDEXED} AND messages_search.rowid NOT IN ${DIRTY} AND ${RECHECK}`,
      orderBy: 'messages_search.rowid',
    },
    { from: 'messages', where: `seq > ${INDEXED} AND ${RECHECK}`, orderBy: 'seq' },
    { from: 'messages', where: `seq IN ${DIRTY} AND ${RECHECK}`, orderBy: 'seq' },
  ];
}
