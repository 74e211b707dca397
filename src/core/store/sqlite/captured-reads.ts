import type { ListCapturedQuery, Page, CapturedSummary } from '../records.js';
import { CAPTURED_COLUMNS, rowToCaptured, type CapturedRow } from '../sql/captured-rows.js';
import { decodeCursor, encodeCursor } from '../sql/cursor.js';
import { ftsQuery } from './fts-query.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';

function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    one: db.prepare<[number], CapturedRow>(`SELECT ${CAPTURED_COLUMNS} FROM captured c WHERE c.id = ?`),
    raw: db.prepare<[number], { source: Buffer }>('SELECT source FROM captured_raw WHERE id = ?'),
    countAll: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM captured'),
    countUnread: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM captured WHERE is_read = 0'),
    mailboxes: db.prepare<[], { mailbox: string | null; total: number; unread: number }>(
      'SELECT mailbox, COUNT(*) AS total, SUM(is_read = 0) AS unread FROM captured GROUP BY mailbox ORDER BY mailbox IS NULL, mailbox',
    ),
    unindexed: db.prepare<[number, number], { id: number }>('SELECT id FROM captured WHERE indexed = 0 AND id <= ? ORDER BY id LIMIT ?'),
    lastId: db.prepare<[], { id: number }>('SELECT id FROM captured ORDER BY id DESC LIMIT 1'),
    countUnindexed: db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM captured WHERE indexed = 0 AND id <= ?'),
  };
}

/** The SQL of one page of a list or search, newest first, keyset-paginated on id. */
export function listSql(query: ListCapturedQuery): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: query.limit + 1 };
  const s = query.search;
  const match = s ? ftsQuery(s.terms) : null;
  if (s?.mailbox !== undefined) {
    where.push('c.mailbox = @mailbox');
    params.mailbox = s.mailbox;
  }
  // a literal, not a parameter: the planner can then use the partial index of unread rows
  if (s?.read !== undefined) where.push(`c.is_read = ${s.read ? 1 : 0}`);
  if (s?.has_attachments !== undefined) where.push(s.has_attachments ? 'c.attachments > 0' : 'c.attachments = 0');
  const cursor = decodeCursor(query.cursor);
  if (cursor !== null) params.cursor = cursor;
  if (match) {
    params.match = match;
    if (cursor !== null) where.push('f.rowid < @cursor');
    // FTS5 walks its matches in rowid order itself; the join only fetches the page's rows
    const sql = `SELECT ${CAPTURED_COLUMNS} FROM captured_fts f JOIN captured c ON c.id = f.rowid
      WHERE captured_fts MATCH @match ${where.length ? `AND ${where.join(' AND ')}` : ''}
      ORDER BY f.rowid DESC LIMIT @limit`;
    return { sql, params };
  }
  if (cursor !== null) where.push('c.id < @cursor');
  const sql = `SELECT ${CAPTURED_COLUMNS} FROM captured c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY c.id DESC LIMIT @limit`;
  return { sql, params };
}

/** What the inbox and the indexer read: summaries, sources, pages and searches, counts, the index backlog. */
export class CapturedReads {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
  ) {
    this.st = runner.once(prepare);
  }

  get(id: number) {
    return this.scope(() => {
      const row = this.st.one.get(id);
      return row ? rowToCaptured(row) : null;
    });
  }

  /** The RFC 822 source (to inspect it, and to release it to real delivery). */
  raw(id: number) {
    return this.scope(() => this.st.raw.get(id)?.source ?? null);
  }

  list(query: ListCapturedQuery) {
    return this.scope((): Page<CapturedSummary> => {
      const { sql, params } = listSql(query);
      const rows = this.runner.db.prepare<Record<string, unknown>, CapturedRow>(sql).all(params);
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      return { items: page.map(rowToCaptured), next_cursor: more ? encodeCursor(page[page.length - 1].id) : null };
    });
  }

  counts() {
    return this.scope(() => ({ total: this.st.countAll.get()?.n ?? 0, unread: this.st.countUnread.get()?.n ?? 0 }));
  }

  mailboxes() {
    return this.scope(() => this.st.mailboxes.all());
  }

  unindexed(upToId: number, limit: number) {
    return this.scope(() => this.st.unindexed.all(upToId, limit).map((r) => r.id));
  }

  lastId() {
    return this.scope(() => this.st.lastId.get()?.id ?? 0);
  }

  countUnindexed(upToId = Number.MAX_SAFE_INTEGER) {
    return this.scope(() => this.st.countUnindexed.get(upToId)?.n ?? 0);
  }
}
