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

/** The search's part of a queue listing: the rows to read, the condition, and the order column. */
export interface QueueSearchSql {
  from: string;
  where: string;
  orderBy: string;
}

const RECHECK = `(id LIKE @q ESCAPE '\\' OR subject LIKE @q ESCAPE '\\' OR from_addr LIKE @q ESCAPE '\\' OR to_addrs LIKE @q ESCAPE '\\' OR error LIKE @q ESCAPE '\\')`;

/**
 * `q=`: a case-insensitive literal substring of id, subject, sender, recipients or error text. From 3
 * characters the trigram index walks its matches newest first (CROSS JOIN keeps it the outer loop, so a
 * page stops early) and the LIKE rechecks each; shorter text scans the rows newest first, as before.
 */
export function queueSearch(q: string, params: Record<string, unknown>): QueueSearchSql {
  params.q = likePattern(q);
  const fts = trigramQuery(q);
  if (fts === null) return { from: 'messages', where: RECHECK, orderBy: 'seq' };
  params.fts = fts;
  return {
    from: 'messages_search CROSS JOIN messages ON messages.seq = messages_search.rowid',
    where: `messages_search MATCH @fts AND ${RECHECK}`,
    orderBy: 'messages_search.rowid',
  };
}
