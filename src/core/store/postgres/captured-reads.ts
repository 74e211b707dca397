import type { CapturedSearch, CapturedSummary, ListCapturedQuery, Page } from '../records.js';
import { capturedMailboxes, mailboxQueries } from '../sql/captured-tags.js';
import { CAPTURED_COLUMNS, rowToCaptured, type CapturedRow } from '../sql/captured-rows.js';
import { decodeCursor, encodeCursor } from '../sql/cursor.js';
import { columnFilters, containsPattern, LIKE_COLUMN, splitTerms } from '../sql/search-like.js';
import { Params } from './params.js';
import { searchQuery } from './search-text.js';
import type { PgScope } from './transaction-runner.js';

const MAILBOX_SQL = mailboxQueries('COUNT(*) FILTER (WHERE is_read = 0)');

/** The WHERE of a search over the per-message tsvector and the summary columns. */
function searchWhere(s: CapturedSearch | undefined, p: Params): string[] {
  const where: string[] = [];
  if (!s) return where;
  const { positive, negated } = splitTerms(s);
  const match = searchQuery(positive);
  if (match) where.push(`c.search @@ ${p.add(match)}::tsquery`);
  for (const t of negated) {
    const not = searchQuery([t]);
    // a message not indexed yet (no vector) may hold the word: it does not qualify
    if (not) where.push(`c.search IS NOT NULL AND NOT (c.search @@ ${p.add(not)}::tsquery)`);
  }
  where.push(...columnFilters(s, (v) => p.add(v)));
  for (const f of s.contains ?? []) {
    const pattern = p.add(containsPattern(f.text));
    const expr =
      f.column === 'bcc'
        ? `EXISTS (SELECT 1 FROM json_array_elements_text(c.rcpt_to::json) r(v) WHERE r.v ILIKE ${pattern}
            AND position(lower(r.v) in lower(c.to_addrs || E'\\n' || c.cc_addrs)) = 0)`
        : `${LIKE_COLUMN[f.column]} ILIKE ${pattern}`;
    where.push(f.negate ? `NOT (${expr})` : expr);
  }
  return where;
}

const whereOf = (where: string[]) => (where.length ? `WHERE ${where.join(' AND ')}` : '');

/** The SQL of one page of a list or search, newest first, keyset-paginated on id. */
export function listSql(query: ListCapturedQuery): { sql: string; values: unknown[] } {
  const p = new Params();
  const where = searchWhere(query.search, p);
  const cursor = decodeCursor(query.cursor);
  if (cursor !== null) where.push(`c.id < ${p.add(cursor)}`);
  const sql = `SELECT ${CAPTURED_COLUMNS} FROM captured c ${whereOf(where)} ORDER BY c.id DESC LIMIT ${p.add(query.limit + 1)}`;
  return { sql, values: p.values };
}

/** The SQL counting what a search matches. */
export function countSql(search: CapturedSearch): { sql: string; values: unknown[] } {
  const p = new Params();
  const where = searchWhere(search, p);
  return { sql: `SELECT COUNT(*) AS n FROM captured c ${whereOf(where)}`, values: p.values };
}

/** What the inbox and the indexer read: summaries, sources, pages and searches, counts, the index backlog. */
export class PgCapturedReads {
  constructor(private readonly scope: PgScope) {}

  get(id: number) {
    return this.scope(async (db) => {
      const { rows } = await db.query<CapturedRow>(`SELECT ${CAPTURED_COLUMNS} FROM captured c WHERE c.id = $1`, [id]);
      return rows[0] ? rowToCaptured(rows[0]) : null;
    });
  }

  /** The RFC 822 source (to inspect it, and to release it to real delivery). */
  raw(id: number) {
    return this.scope(async (db) => (await db.query<{ source: Buffer }>('SELECT source FROM captured_raw WHERE id = $1', [id])).rows[0]?.source ?? null);
  }

  list(query: ListCapturedQuery) {
    return this.scope(async (db): Promise<Page<CapturedSummary>> => {
      const { sql, values } = listSql(query);
      const { rows } = await db.query<CapturedRow>(sql, values);
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      return { items: page.map(rowToCaptured), next_cursor: more ? encodeCursor(page[page.length - 1].id) : null };
    });
  }

  countMatching(search: CapturedSearch) {
    return this.scope(async (db) => {
      const { sql, values } = countSql(search);
      return Number((await db.query<{ n: number | string }>(sql, values)).rows[0]?.n ?? 0);
    });
  }

  counts() {
    return this.scope(async (db) => {
      const { rows } = await db.query<{ total: number; unread: number }>(
        'SELECT COUNT(*) AS total, COUNT(*) FILTER (WHERE is_read = 0) AS unread FROM captured',
      );
      return { total: rows[0]?.total ?? 0, unread: rows[0]?.unread ?? 0 };
    });
  }

  mailboxes() {
    return this.scope(async (db) => {
      const users = await db.query<{ mailbox: string | null; total: number; unread: number }>(MAILBOX_SQL.users);
      const tenants = await db.query<{ tenant: string; total: number; unread: number }>(MAILBOX_SQL.tenants);
      const tags = await db.query<{ tags: string; total: number; unread: number }>(MAILBOX_SQL.tags);
      return capturedMailboxes(users.rows, tenants.rows, tags.rows);
    });
  }

  unindexed(upToId: number, limit: number) {
    return this.scope(async (db) =>
      (await db.query<{ id: number }>('SELECT id FROM captured WHERE indexed = 0 AND id <= $1 ORDER BY id LIMIT $2', [upToId, limit])).rows.map((r) => r.id),
    );
  }

  lastId() {
    return this.scope(async (db) => (await db.query<{ id: number }>('SELECT id FROM captured ORDER BY id DESC LIMIT 1')).rows[0]?.id ?? 0);
  }

  countUnindexed(upToId = Number.MAX_SAFE_INTEGER) {
    return this.scope(async (db) => (await db.query<{ n: number }>('SELECT COUNT(*) AS n FROM captured WHERE indexed = 0 AND id <= $1', [upToId])).rows[0]?.n ?? 0);
  }
}
