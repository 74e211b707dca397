import type { Database as DB, Statement } from 'better-sqlite3';
import type { CapturedIndexEntry, CapturedSummary, NewCaptured } from '../records.js';
import type { MessageState } from '../../messages/types.js';
import { ftsHeaderColumns, indexedBody, joinList, newCapturedSummary, splitList } from '../sql/captured-rows.js';
import { tagsColumn } from '../sql/captured-tags.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';
import { WalSync } from './wal-sync.js';

type Item = { m: NewCaptured; raw: Buffer };

/** The statements that store one captured message, prepared on one connection. */
interface InsertStatements {
  row: Statement;
  raw: Statement;
  fts: Statement;
}

function insertStatements(db: DB): InsertStatements {
  return {
    row: db.prepare(
      `INSERT INTO captured (received_ts, mail_from, rcpt_to, from_addr, to_addrs, cc_addrs, subject, date_ts, size,
         attachments, mailbox, message_id, preview, remote_address, helo, tls, indexed, tags)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    raw: db.prepare('INSERT INTO captured_raw (id, source) VALUES (?, ?)'),
    fts: db.prepare('INSERT INTO captured_fts (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)'),
  };
}

function insertOne(st: InsertStatements, m: NewCaptured, raw: Buffer): CapturedSummary {
  const indexed = m.search_text !== undefined;
  // positional, in the column order above: binding by name costs a lookup per parameter on the capture path
  const info = st.row.run(
    m.received_ts,
    m.mail_from,
    JSON.stringify(m.rcpt_to),
    m.from,
    joinList(m.to),
    joinList(m.cc),
    m.subject,
    m.date_ts,
    m.size,
    m.attachments,
    m.mailbox,
    m.message_id,
    m.preview,
    m.remote_address,
    m.helo,
    m.tls ? 1 : 0,
    indexed ? 1 : 0,
    tagsColumn(m.tags),
  );
  const id = Number(info.lastInsertRowid);
  st.raw.run(id, raw);
  if (indexed) {
    const fts = ftsHeaderColumns(m);
    st.fts.run(id, fts.subject, fts.sender, fts.recipients, m.search_text);
  }
  return newCapturedSummary(id, m);
}

/**
 * Captured mail committed without waiting for the disk, on its own synchronous=NORMAL connection
 * (see durability.ts), and the background sync that makes those commits durable. One per store.
 */
export class UnsyncedCaptures {
  private readonly insertAll: ((items: Item[]) => CapturedSummary[]) | null;
  private readonly walSync: WalSync;

  /** `unsynced`: null for an in-memory database (one connection, nothing to sync) */
  constructor(main: DB, unsynced: DB | null) {
    this.walSync = new WalSync(main);
    if (!unsynced) {
      this.insertAll = null;
      return;
    }
    const st = insertStatements(unsynced);
    const tx = unsynced.transaction((items: Item[]) => items.map((it) => insertOne(st, it.m, it.raw)));
    this.insertAll = (items) => tx.immediate(items);
  }

  /** Stores the items in one transaction of the unsynced connection; null when there is none. */
  insert(items: Item[]): CapturedSummary[] | null {
    return this.insertAll ? this.insertAll(items) : null;
  }

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    return this.walSync.sync();
  }

  close(): void {
    this.walSync.close();
  }
}

interface IndexedFieldsRow {
  subject: string;
  from_addr: string;
  mail_from: string;
  to_addrs: string;
  cc_addrs: string;
  rcpt_to: string;
}

function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    insert: insertStatements(db),
    indexedFields: db.prepare<[number], IndexedFieldsRow>(
      'SELECT subject, from_addr, mail_from, to_addrs, cc_addrs, rcpt_to FROM captured WHERE id = ? AND indexed = 0',
    ),
    markIndexed: db.prepare<[number, string, string, number]>('UPDATE captured SET indexed = 1, attachments = ?, preview = ?, filenames = ? WHERE id = ?'),
    link: db.prepare<[string, string, number]>('UPDATE captured SET relay_message_id = ?, relay_tenant_id = ? WHERE id = ?'),
    message: db.prepare<[number], { id: string; tenant_id: string; state: MessageState; account_id: string | null; updated_ts: number }>(
      'SELECT id, tenant_id, state, account_id, updated_ts FROM messages WHERE seq = ?',
    ),
    markRead: db.prepare<[number, number]>('UPDATE captured SET is_read = ? WHERE id = ?'),
  };
}

/** What the sink writes: captures (all or none per call), their search index once parsed, links, read marks. */
export class CapturedWrites {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
    private readonly unsynced: UnsyncedCaptures,
  ) {
    this.st = runner.once(prepare);
  }

  /** One commit, one fsync for the lot (the sink's group commit); inside a transaction, part of it. */
  insertMany(items: Item[], opts: { durable?: boolean } = {}) {
    return this.scope(() => {
      if (opts.durable === false && !this.runner.inTransaction) {
        const saved = this.unsynced.insert(items);
        if (saved) {
          this.runner.committedElsewhere();
          return saved;
        }
      }
      return this.runner.write(() => items.map((it) => insertOne(this.st.insert, it.m, it.raw)));
    });
  }

  syncCommitted() {
    return this.unsynced.sync();
  }

  /** Entries of messages deleted meanwhile (or already indexed) are skipped; returns how many were recorded. */
  completeIndex(entries: CapturedIndexEntry[]) {
    return this.scope(() => {
      if (entries.length === 0) return 0;
      // not fsynced (an fsync per indexer slice stalled the loop): a power loss leaves rows unindexed, indexed again at start
      return this.runner.write(() => {
        let n = 0;
        for (const e of entries) if (this.indexOne(e)) n++;
        return n;
      }, { durable: false });
    });
  }

  /** The capture is recorded on the message's timeline at the time of its latest transition. */
  linkMessage(capturedId: number, messageSeq: number) {
    return this.scope(() =>
      this.runner.write(() => {
        const msg = this.st.message.get(messageSeq);
        if (!msg || this.st.link.run(msg.id, msg.tenant_id, capturedId).changes === 0) return;
        this.runner.outbox.record({
          message_id: msg.id,
          tenant_id: msg.tenant_id,
          account_id: msg.account_id,
          ts: msg.updated_ts,
          type: 'captured',
          state: msg.state,
          detail: { captured_id: capturedId },
        });
      }),
    );
  }

  markRead(id: number, read = true) {
    return this.scope(() => this.runner.write(() => this.st.markRead.run(read ? 1 : 0, id).changes > 0));
  }

  private indexOne(e: CapturedIndexEntry): boolean {
    const row = this.st.indexedFields.get(e.id);
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
    const names = e.filenames ?? [];
    this.st.insert.fts.run(e.id, fts.subject, fts.sender, fts.recipients, indexedBody(e.search_text, names));
    this.st.markIndexed.run(e.attachments, e.preview, joinList(names), e.id);
    return true;
  }
}
