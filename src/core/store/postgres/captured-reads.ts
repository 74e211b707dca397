import type { CapturedSummary, ListCapturedQuery, Page } from '../records.js';
import { CAPTURED_COLUMNS, rowToCaptured, type CapturedRow } from '../sql/captured-rows.js';
import { decodeCursor, encodeCursor } from '../sql/cursor.js';
import { Params } from './params.js';
import { searchQuery } from './search-text.js';
import type { PgScope } from './transaction-runner.js';

/** The SQL of one page of a list or search, newest first, keyset-paginated on id. */
export function listSql(query: ListCapturedQuery): { sql: string; values: unknown[] } {
  const p = new Params();
  const where: string[] = [];
  const s = query.search;
  const match = s ? searchQuery(s.terms) : null;
  if (match) where.push(`c.search @@ ${p.add(match)}::tsquery`);
  if (s?.mailbox !== undefined) where.push(`c.mailbox = ${p.add(s.mailbox)}`);
  // a literal, not a parameter: the planner can then use the partial index of unread rows
  if (s?.read !== undefined) where.push(`c.is_read = ${s.read ? 1 : 0}`);
  if (s?.has_attachments !== undefined) where.push(s.has_attachments ? 'c.attachments > 0' : 'c.attachments = 0');
  const cursor = decodeCursor(query.cursor);
  if (cursor !== null) where.push(`c.id < ${p.add(cursor)}`);
  const sql = `SELECT ${CAPTURED_COLUMNS} FROM captured c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY c.id DESC LIMIT ${p.add(query.limit + 1)}`;
  return { sql, values: p.values };
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
      const { rows } = await db.query<{ mailbox: string | null; total: number; unread: number }>(
        'SELECT mailbox, COUNT(*)::int AS total, (COUNT(*) FILTER (WHERE is_read = 0))::int AS unread FROM captured GROUP BY mailbox ORDER BY mailbox IS NULL, mailbox',
      );
      return rows;
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
