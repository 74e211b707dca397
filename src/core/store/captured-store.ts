import type { Statement } from 'better-sqlite3';
import type { DB } from './db.js';
import type { EventLog } from './event-log.js';
import type { MessageState } from '../messages/types.js';
import { decodeCursor, encodeCursor, type Page } from './message-store.js';
import { WalSync } from './wal-sync.js';
import type { NewCaptured, CapturedIndexEntry, CapturedSummary, SearchField, CapturedSearch, ListCapturedQuery, RetentionLimits } from './records.js';
export type { NewCaptured, CapturedIndexEntry, CapturedSummary, SearchField, CapturedSearch, ListCapturedQuery, RetentionLimits } from './records.js';

interface SummaryRow {
  id: number;
  received_ts: number;
  mail_from: string;
  rcpt_to: string;
  from_addr: string;
  to_addrs: string;
  cc_addrs: string;
  subject: string;
  date_ts: number | null;
  size: number;
  attachments: number;
  mailbox: string | null;
  is_read: number;
  message_id: string | null;
  relay_message_id: string | null;
  preview: string;
  remote_address: string | null;
  helo: string | null;
  tls: number;
}

const COLUMNS = `c.id, c.received_ts, c.mail_from, c.rcpt_to, c.from_addr, c.to_addrs, c.cc_addrs, c.subject,
  c.date_ts, c.size, c.attachments, c.mailbox, c.is_read, c.message_id, c.relay_message_id, c.preview,
  c.remote_address, c.helo, c.tls`;

/** Address lists are stored newline-separated: display names may contain commas. */
const joinList = (xs: string[]) => xs.join('\n');
const splitList = (s: string) => (s ? s.split('\n') : []);

function rowToSummary(r: SummaryRow): CapturedSummary {
  return {
    id: r.id,
    received_ts: r.received_ts,
    mail_from: r.mail_from,
    rcpt_to: JSON.parse(r.rcpt_to) as string[],
    from: r.from_addr,
    to: splitList(r.to_addrs),
    cc: splitList(r.cc_addrs),
    subject: r.subject,
    date_ts: r.date_ts,
    size: r.size,
    attachments: r.attachments,
    mailbox: r.mailbox,
    read: r.is_read === 1,
    message_id: r.message_id,
    relay_message_id: r.relay_message_id,
    preview: r.preview,
    remote_address: r.remote_address,
    helo: r.helo,
    tls: r.tls === 1,
  };
}

const WORD = /[\p{L}\p{N}]/u;
const FTS_COLUMN: Record<Exclude<SearchField, 'any'>, string> = {
  subject: 'subject',
  sender: 'sender',
  recipients: 'recipients',
  body: 'body',
};

/**
 * One user term as an FTS5 phrase: quoted (so punctuation only separates tokens, e.g. an address
 * becomes the phrase "bob example com"), prefix-matched on its last token when that token is long
 * enough for the prefix index.
 */
function ftsPhrase(text: string): string | null {
  if (!WORD.test(text)) return null;
  const tokens = text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const last = tokens[tokens.length - 1] ?? '';
  return `"${text.replace(/"/g, '""')}"${[...last].length >= 2 ? '*' : ''}`;
}

export function ftsQuery(terms: CapturedSearch['terms']): string | null {
  const parts: string[] = [];
  for (const t of terms) {
    const phrase = ftsPhrase(t.text);
    if (!phrase) continue;
    parts.push(t.field === 'any' ? phrase : `${FTS_COLUMN[t.field]} : ${phrase}`);
  }
  return parts.length ? parts.join(' AND ') : null;
}

interface IndexedFieldsRow {
  subject: string;
  from_addr: string;
  mail_from: string;
  to_addrs: string;
  cc_addrs: string;
  rcpt_to: string;
}

/** The search index columns besides the body: who sent it and to whom, as one text each. */
function ftsHeaderColumns(m: { subject: string; from: string; mail_from: string; to: string[]; cc: string[]; rcpt_to: string[] }) {
  return { subject: m.subject, sender: `${m.from} ${m.mail_from}`, recipients: [...m.to, ...m.cc, ...m.rcpt_to].join(' ') };
}

/** The statements that store one captured message, prepared on one connection. */
interface InsertStatements {
  row: Statement;
  raw: Statement;
  fts: Statement;
}

/** A transaction storing captured messages on `db`: all of them or none; their summaries in order. */
function insertTransaction(db: DB) {
  const st: InsertStatements = {
    row: db.prepare(
      `INSERT INTO captured (received_ts, mail_from, rcpt_to, from_addr, to_addrs, cc_addrs, subject, date_ts, size,
         attachments, mailbox, message_id, preview, remote_address, helo, tls, indexed)
       VALUES (@received_ts, @mail_from, @rcpt_to, @from_addr, @to_addrs, @cc_addrs, @subject, @date_ts, @size,
         @attachments, @mailbox, @message_id, @preview, @remote_address, @helo, @tls, @indexed)`,
    ),
    raw: db.prepare('INSERT INTO captured_raw (id, source) VALUES (?, ?)'),
    fts: db.prepare('INSERT INTO captured_fts (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)'),
  };
  return db.transaction((items: { m: NewCaptured; raw: Buffer }[]) => items.map((it) => insertOne(st, it.m, it.raw)));
}

function insertOne(st: InsertStatements, m: NewCaptured, raw: Buffer): CapturedSummary {
  const indexed = m.search_text !== undefined;
  const info = st.row.run({
    received_ts: m.received_ts,
    mail_from: m.mail_from,
    rcpt_to: JSON.stringify(m.rcpt_to),
    from_addr: m.from,
    to_addrs: joinList(m.to),
    cc_addrs: joinList(m.cc),
    subject: m.subject,
    date_ts: m.date_ts,
    size: m.size,
    attachments: m.attachments,
    mailbox: m.mailbox,
    message_id: m.message_id,
    preview: m.preview,
    remote_address: m.remote_address,
    helo: m.helo,
    tls: m.tls ? 1 : 0,
    indexed: indexed ? 1 : 0,
  });
  const id = Number(info.lastInsertRowid);
  st.raw.run(id, raw);
  if (indexed) {
    const fts = ftsHeaderColumns(m);
    st.fts.run(id, fts.subject, fts.sender, fts.recipients, m.search_text);
  }
  return {
    id,
    received_ts: m.received_ts,
    mail_from: m.mail_from,
    rcpt_to: m.rcpt_to,
    from: m.from,
    to: m.to,
    cc: m.cc,
    subject: m.subject,
    date_ts: m.date_ts,
    size: m.size,
    attachments: m.attachments,
    mailbox: m.mailbox,
    read: false,
    message_id: m.message_id,
    relay_message_id: null,
    preview: m.preview,
    remote_address: m.remote_address,
    helo: m.helo,
    tls: m.tls,
  };
}

/** Mail captured by the sandbox sink: raw source once, summary columns, full-text index. */
export class CapturedStore {
  private readonly selectOne;
  private readonly selectRaw;
  private readonly updateLink;
  private readonly selectMessage;
  private readonly updateRead;
  private readonly deleteRow;
  private readonly deleteRaw;
  private readonly deleteFts;
  private readonly selectNthNewest;
  private readonly selectOlderThan;
  private readonly selectUpTo;
  private readonly countAll;
  private readonly countUnread;
  private readonly selectUnindexed;
  private readonly selectLastId;
  private readonly countUnindexedUpTo;
  private readonly selectIndexedFields;
  private readonly updateIndexed;
  private readonly insertAll;
  private readonly insertAllUnsynced;
  private readonly insertFts;
  private readonly indexAll;
  private readonly walSync;

  constructor(
    private readonly db: DB,
    private readonly events: EventLog,
    /** told after every commit of this store's own transactions (WAL checkpoints) */
    private readonly committed: () => void = () => undefined,
    /** a connection to the same file at synchronous=NORMAL for insertManyUnsynced (null: use `db`) */
    unsyncedDb: DB | null = null,
  ) {
    this.selectOne = db.prepare<[number], SummaryRow>(`SELECT ${COLUMNS} FROM captured c WHERE c.id = ?`);
    this.selectRaw = db.prepare<[number], { source: Buffer }>('SELECT source FROM captured_raw WHERE id = ?');
    this.updateLink = db.prepare('UPDATE captured SET relay_message_id = ? WHERE id = ?');
    this.selectMessage = db.prepare<[string], { state: MessageState; account_id: string | null; updated_ts: number }>(
      'SELECT state, account_id, updated_ts FROM messages WHERE id = ?',
    );
    this.updateRead = db.prepare('UPDATE captured SET is_read = ? WHERE id = ?');
    this.deleteRow = db.prepare('DELETE FROM captured WHERE id = ?');
    this.deleteRaw = db.prepare('DELETE FROM captured_raw WHERE id = ?');
    this.deleteFts = db.prepare('DELETE FROM captured_fts WHERE rowid = ?');
    this.selectNthNewest = db.prepare<[number], { id: number }>(
      'SELECT id FROM captured ORDER BY id DESC LIMIT 1 OFFSET ?',
    );
    this.selectOlderThan = db.prepare<[number, number], { id: number }>(
      'SELECT id FROM captured WHERE received_ts < ? ORDER BY received_ts LIMIT ?',
    );
    this.selectUpTo = db.prepare<[number, number], { id: number }>(
      'SELECT id FROM captured WHERE id <= ? ORDER BY id LIMIT ?',
    );
    this.countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM captured');
    this.countUnread = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM captured WHERE is_read = 0');
    this.selectUnindexed = db.prepare<[number, number], { id: number }>(
      'SELECT id FROM captured WHERE indexed = 0 AND id <= ? ORDER BY id LIMIT ?',
    );
    this.selectLastId = db.prepare<[], { id: number }>('SELECT id FROM captured ORDER BY id DESC LIMIT 1');
    this.countUnindexedUpTo = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM captured WHERE indexed = 0 AND id <= ?');
    this.selectIndexedFields = db.prepare<[number], IndexedFieldsRow>(
      'SELECT subject, from_addr, mail_from, to_addrs, cc_addrs, rcpt_to FROM captured WHERE id = ? AND indexed = 0',
    );
    this.updateIndexed = db.prepare('UPDATE captured SET indexed = 1, attachments = ?, preview = ? WHERE id = ?');
    this.walSync = new WalSync(db);
    this.insertFts = db.prepare('INSERT INTO captured_fts (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)');
    this.insertAll = insertTransaction(db);
    this.insertAllUnsynced = unsyncedDb ? insertTransaction(unsyncedDb) : this.insertAll;
    this.indexAll = db.transaction((entries: CapturedIndexEntry[]) => {
      let n = 0;
      for (const e of entries) if (this.indexOne(e)) n++;
      return n;
    });
  }

  /** Stores one message (summary, source, index) in one transaction; returns its summary. */
  insert(m: NewCaptured, raw: Buffer): CapturedSummary {
    return this.insertMany([{ m, raw }])[0];
  }

  /**
   * Stores several messages in one transaction (one commit, one fsync: the sink's group commit);
   * all of them or, on error, none. Returns their summaries in the same order.
   */
  insertMany(items: { m: NewCaptured; raw: Buffer }[]): CapturedSummary[] {
    return this.afterCommit(this.insertAll.immediate(items));
  }

  /**
   * insertMany committed without waiting for the disk (synchronous=NORMAL): the rows survive a crash of
   * the process at once, and a power loss once a later `syncCommitted()` has resolved.
   */
  insertManyUnsynced(items: { m: NewCaptured; raw: Buffer }[]): CapturedSummary[] {
    return this.afterCommit(this.insertAllUnsynced.immediate(items));
  }

  /** Resolves once every commit made so far is on disk (see WalSync). */
  syncCommitted(): Promise<void> {
    return this.walSync.sync();
  }

  /** Releases the file handle kept for syncing (the store is closing). */
  close(): void {
    this.walSync.close();
  }

  /** Ids (oldest first, at most `limit`, none above `upToId`) still waiting for their text index. */
  unindexed(upToId: number, limit: number): number[] {
    return this.selectUnindexed.all(upToId, limit).map((r) => r.id);
  }

  /** The id of the newest message stored (0: none). */
  lastId(): number {
    return this.selectLastId.get()?.id ?? 0;
  }

  /** How many messages (none above `upToId`) wait for their text index. */
  countUnindexed(upToId = Number.MAX_SAFE_INTEGER): number {
    return this.countUnindexedUpTo.get(upToId)?.n ?? 0;
  }

  /**
   * Records the text index, exact attachment count and preview of parsed messages, in one
   * transaction; entries for messages deleted meanwhile (or already indexed) are skipped.
   * Returns how many were recorded.
   */
  completeIndex(entries: CapturedIndexEntry[]): number {
    return entries.length ? this.afterCommit(this.indexAll.immediate(entries)) : 0;
  }

  private indexOne(e: CapturedIndexEntry): boolean {
    const row = this.selectIndexedFields.get(e.id);
    if (!row) return false;
    const fts = ftsHeaderColumns({
      subject: row.subject,
      from: row.from_addr,
      mail_from: row.mail_from,
      to: splitList(row.to_addrs),
      cc: splitList(row.cc_addrs),
      rcpt_to: JSON.parse(row.rcpt_to) as string[],
    });
    // an unindexed message has no row in the search index yet
    this.insertFts.run(e.id, fts.subject, fts.sender, fts.recipients, e.search_text);
    this.updateIndexed.run(e.attachments, e.preview, e.id);
    return true;
  }

  get(id: number): CapturedSummary | null {
    const row = this.selectOne.get(id);
    return row ? rowToSummary(row) : null;
  }

  /** Raw RFC 822 source of a captured message (used to inspect it and to release it to real delivery). */
  raw(id: number): Buffer | null {
    return this.selectRaw.get(id)?.source ?? null;
  }

  /**
   * Links a captured message to the queue entry whose sandbox delivery produced it, and records the
   * capture on that message's timeline, at the time of its latest transition (joins the caller's
   * transaction when there is one).
   */
  linkMessage(capturedId: number, messageId: string): void {
    this.events.transaction(() => {
      if (this.updateLink.run(messageId, capturedId).changes === 0) return;
      const msg = this.selectMessage.get(messageId);
      if (!msg) return;
      this.events.add({
        message_id: messageId,
        account_id: msg.account_id,
        ts: msg.updated_ts,
        type: 'captured',
        state: msg.state,
        detail: { captured_id: capturedId },
      });
    });
  }

  /** Newest first, keyset-paginated on id. */
  list(query: ListCapturedQuery): Page<CapturedSummary> {
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
    let sql: string;
    if (match) {
      params.match = match;
      if (cursor !== null) {
        where.push('f.rowid < @cursor');
        params.cursor = cursor;
      }
      // FTS5 walks its matches in rowid order itself; the join only fetches the page's rows
      sql = `SELECT ${COLUMNS} FROM captured_fts f JOIN captured c ON c.id = f.rowid
        WHERE captured_fts MATCH @match ${where.length ? `AND ${where.join(' AND ')}` : ''}
        ORDER BY f.rowid DESC LIMIT @limit`;
    } else {
      if (cursor !== null) {
        where.push('c.id < @cursor');
        params.cursor = cursor;
      }
      sql = `SELECT ${COLUMNS} FROM captured c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.id DESC LIMIT @limit`;
    }
    const rows = this.db.prepare<Record<string, unknown>, SummaryRow>(sql).all(params);
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    return { items: page.map(rowToSummary), next_cursor: more ? encodeCursor(page[page.length - 1].id) : null };
  }

  counts(): { total: number; unread: number } {
    return { total: this.countAll.get()?.n ?? 0, unread: this.countUnread.get()?.n ?? 0 };
  }

  markRead(id: number, read = true): boolean {
    return this.updateRead.run(read ? 1 : 0, id).changes > 0;
  }

  delete(id: number): boolean {
    return this.deleteIds([id]) > 0;
  }

  /** Deletes every captured message; returns how many there were. */
  deleteAll(): number {
    return this.afterCommit(
      this.db
        .transaction(() => {
          const n = this.countAll.get()?.n ?? 0;
          this.db.exec(`DELETE FROM captured; DELETE FROM captured_raw; INSERT INTO captured_fts(captured_fts) VALUES ('delete-all');`);
          return n;
        })
        .immediate(),
    );
  }

  /**
   * Deletes at most `limits.batch` messages beyond the count limit or older than the age limit,
   * oldest first; returns the ids deleted (an empty list: nothing left to prune).
   */
  pruneBatch(limits: RetentionLimits): number[] {
    const ids = new Set<number>();
    if (limits.keepCount > 0) {
      const boundary = this.selectNthNewest.get(limits.keepCount);
      if (boundary) for (const r of this.selectUpTo.all(boundary.id, limits.batch)) ids.add(r.id);
    }
    if (limits.receivedBefore !== null && ids.size < limits.batch) {
      for (const r of this.selectOlderThan.all(limits.receivedBefore, limits.batch - ids.size)) ids.add(r.id);
    }
    if (ids.size === 0) return [];
    const list = [...ids];
    this.deleteIds(list);
    return list;
  }

  private deleteIds(ids: number[]): number {
    return this.afterCommit(
      this.db
        .transaction(() => {
          let n = 0;
          for (const id of ids) {
            if (this.deleteRow.run(id).changes === 0) continue;
            this.deleteRaw.run(id);
            this.deleteFts.run(id);
            n++;
          }
          return n;
        })
        .immediate(),
    );
  }

  private afterCommit<T>(result: T): T {
    this.committed();
    return result;
  }
}
