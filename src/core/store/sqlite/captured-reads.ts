import type { CapturedSearch, ListCapturedQuery, Page, CapturedSummary } from '../records.js';
import { capturedMailboxes, mailboxQueries } from '../sql/captured-tags.js';
import { CAPTURED_COLUMNS, rowToCaptured, type CapturedRow } from '../sql/captured-rows.js';
import { decodeCursor, encodeCursor } from '../sql/cursor.js';
import { columnFilters, containsPattern, LIKE_COLUMN, splitTerms } from '../sql/search-like.js';
import { ftsQuery } from './fts-query.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';

const MAILBOX_SQL = mailboxQueries('SUM(is_read = 0)');

function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    one: db.prepare<[number], CapturedRow>(`SELECT ${CAPTURED_COLUMNS} FROM captured c WHERE c.id = ?`),
    raw: db.prepare<[number], { source: Buffer }>('SELECT source FROM captured_raw WHERE id = ?'),
    countAll: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM captured'),
    countUnread: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM captured WHERE is_read = 0'),
    mailboxes: db.prepare<[], { mailbox: string | null; total: number; unread: number }>(MAILBOX_SQL.users),
    tenantBoxes: db.prepare<[], { tenant: string; total: number; unread: number }>(MAILBOX_SQL.tenants),
    tagBoxes: db.prepare<[], { tags: string; total: number; unread: number }>(MAILBOX_SQL.tags),
    unindexed: db.prepare<[number, number], { id: number }>('SELECT id FROM captured WHERE indexed = 0 AND id <= ? ORDER BY id LIMIT ?'),
    lastId: db.prepare<[], { id: number }>('SELECT id FROM captured ORDER BY id DESC LIMIT 1'),
    countUnindexed: db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM captured WHERE indexed = 0 AND id <= ?'),
  };
}

/** The FROM and WHERE of a search: the FTS5 join when a positive term has a word, the table alone otherwise. */
function searchSql(s: CapturedSearch | undefined, params: Record<string, unknown>): { from: string; where: string[]; idCol: string } {
  const where: string[] = [];
  let n = 0;
  const param = (v: unknown) => {
    const name = `p${n++}`;
    params[name] = v;
    return `@${name}`;
  };
  if (!s) return { from: 'captured c', where, idCol: 'c.id' };
  const { positive, negated } = splitTerms(s);
  const match = ftsQuery(positive);
  if (match) where.push(`captured_fts MATCH ${param(match)}`);
  for (const t of negated) {
    const not = ftsQuery([t]);
    // a message not indexed yet may hold the word: it does not qualify
    if (not) where.push(`c.indexed = 1 AND c.id NOT IN (SELECT rowid FROM captured_fts WHERE captured_fts MATCH ${param(not)})`);
  }
  where.push(...columnFilters(s, param));
  for (const f of s.contains ?? []) {
    const pattern = param(containsPattern(f.text));
    const expr =
      f.column === 'bcc'
        ? `EXISTS (SELECT 1 FROM json_each(c.rcpt_to) r WHERE r.value LIKE ${pattern} ESCAPE '\\'
            AND instr(lower(c.to_addrs || char(10) || c.cc_addrs), lower(r.value)) = 0)`
        : `${LIKE_COLUMN[f.column]} LIKE ${pattern} ESCAPE '\\'`;
    where.push(f.negate ? `NOT (${expr})` : expr);
  }
  // FTS5 walks its matches in rowid order itself; the join only fetches the page's rows
  return match ? { from: 'captured_fts f JOIN captured c ON c.id = f.rowid', where, idCol: 'f.rowid' } : { from: 'captured c', where, idCol: 'c.id' };
}

const whereOf = (where: string[]) => (where.length ? `WHERE ${where.join(' AND ')}` : '');

/** The SQL of one page of a list or search, newest first, keyset-paginated on id. */
export function listSql(query: ListCapturedQuery): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { limit: query.limit + 1 };
  const { from, where, idCol } = searchSql(query.search, params);
  const cursor = decodeCursor(query.cursor);
  if (cursor !== null) {
    params.cursor = cursor;
    where.push(`${idCol} < @cursor`);
  }
  const sql = `SELECT ${CAPTURED_COLUMNS} FROM ${from} ${whereOf(where)} ORDER BY ${idCol} DESC LIMIT @limit`;
  return { sql, params };
}

/** The SQL counting what a search matches. */
export function countSql(search: CapturedSearch): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = {};
  const { from, where } = searchSql(search, params);
  return { sql: `SELECT COUNT(*) AS n FROM ${from} ${whereOf(where)}`, params };
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

  countMatching(search: CapturedSearch) {
    return this.scope(() => {
      const { sql, params } = countSql(search);
      return this.runner.db.prepare<Record<string, unknown>, { n: number }>(sql).get(params)?.n ?? 0;
    });
  }

  counts() {
    return this.scope(() => ({ total: this.st.countAll.get()?.n ?? 0, unread: this.st.countUnread.get()?.n ?? 0 }));
  }

  mailboxes() {
    return this.scope(() => capturedMailboxes(this.st.mailboxes.all(), this.st.tenantBoxes.all(), this.st.tagBoxes.all()));
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
