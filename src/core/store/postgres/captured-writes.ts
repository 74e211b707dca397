import type { MessageState } from '../../messages/types.js';
import type { CapturedIndexEntry, CapturedSummary, NewCaptured } from '../records.js';
import { ftsHeaderColumns, indexedBody, joinList, newCapturedSummary, splitList } from '../sql/captured-rows.js';
import { tagsColumn } from '../sql/captured-tags.js';
import type { Db } from './connection.js';
import { noNul } from './params.js';
import { searchVector } from './search-text.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

type Item = { m: NewCaptured; raw: Buffer };

// the summary row and the source in one statement
const INSERT = `WITH c AS (
    INSERT INTO captured (received_ts, mail_from, rcpt_to, from_addr, to_addrs, cc_addrs, subject, date_ts, size,
      attachments, mailbox, message_id, preview, remote_address, helo, tls, indexed, search, tags)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::tsvector, $20) RETURNING id)
  INSERT INTO captured_raw (id, source) SELECT id, $19 FROM c RETURNING id`;

const text = (s: string | null): string | null => (s === null ? null : noNul(s));

async function insertOne(db: Db, m: NewCaptured, raw: Buffer): Promise<CapturedSummary> {
  const indexed = m.search_text !== undefined;
  const vector = indexed ? searchVector({ ...ftsHeaderColumns(m), body: m.search_text! }) : null;
  const { rows } = await db.query<{ id: number }>(INSERT, [
    m.received_ts, text(m.mail_from), JSON.stringify(m.rcpt_to), text(m.from), text(joinList(m.to)), text(joinList(m.cc)), text(m.subject),
    m.date_ts, m.size, m.attachments, text(m.mailbox), text(m.message_id), text(m.preview), m.remote_address, text(m.helo),
    m.tls ? 1 : 0, indexed ? 1 : 0, vector, raw, text(tagsColumn(m.tags)),
  ]);
  return newCapturedSummary(rows[0].id, m);
}

interface IndexedFieldsRow {
  subject: string;
  from_addr: string;
  mail_from: string;
  to_addrs: string;
  cc_addrs: string;
  rcpt_to: string;
}

/** What the sink writes: captures (all or none per call), their search index once parsed, links, read marks. */
export class PgCapturedWrites {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
  ) {}

  /** One commit for the lot; `durable: false` does not wait for the disk; inside a transaction, part of it. */
  insertMany(items: Item[], opts: { durable?: boolean } = {}) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        const out: CapturedSummary[] = [];
        for (const it of items) out.push(await insertOne(tx, it.m, it.raw));
        return out;
      }, { durable: opts.durable !== false }),
    );
  }

  syncCommitted() {
    return this.runner.syncCommitted();
  }

  /** Entries of messages deleted meanwhile (or already indexed) are skipped; returns how many were recorded. */
  completeIndex(entries: CapturedIndexEntry[]) {
    return this.scope(async (db) => {
      if (entries.length === 0) return 0;
      return this.runner.write(db, async (tx) => {
        let n = 0;
        for (const e of entries) if (await this.indexOne(tx, e)) n++;
        return n;
      });
    });
  }

  /** The capture is recorded on the message's timeline at the time of its latest transition. */
  linkMessage(capturedId: number, messageSeq: number) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        const msg = (await tx.query<{ id: string; tenant_id: string; state: MessageState; account_id: string | null; updated_ts: number }>(
          'SELECT id, tenant_id, state, account_id, updated_ts FROM messages WHERE seq = $1',
          [messageSeq],
        )).rows[0];
        if (!msg) return;
        const linked = await tx.query('UPDATE captured SET relay_message_id = $1, relay_tenant_id = $2 WHERE id = $3', [msg.id, msg.tenant_id, capturedId]);
        if (linked.rowCount === 0) return;
        await this.runner.outbox.record(tx, {
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
    return this.scope((db) =>
      this.runner.write(db, async (tx) => ((await tx.query('UPDATE captured SET is_read = $1 WHERE id = $2', [read ? 1 : 0, id])).rowCount ?? 0) > 0),
    );
  }

  private async indexOne(db: Db, e: CapturedIndexEntry): Promise<boolean> {
    const row = (await db.query<IndexedFieldsRow>(
      'SELECT subject, from_addr, mail_from, to_addrs, cc_addrs, rcpt_to FROM captured WHERE id = $1 AND indexed = 0 FOR UPDATE',
      [e.id],
    )).rows[0];
    if (!row) return false;
    const headers = ftsHeaderColumns({
      subject: row.subject,
      from: row.from_addr,
      mail_from: row.mail_from,
      to: splitList(row.to_addrs),
      cc: splitList(row.cc_addrs),
      rcpt_to: JSON.parse(row.rcpt_to) as string[],
    });
    const names = e.filenames ?? [];
    await db.query('UPDATE captured SET indexed = 1, attachments = $1, preview = $2, search = $3::tsvector, filenames = $4 WHERE id = $5', [
      e.attachments, noNul(e.preview), searchVector({ ...headers, body: indexedBody(e.search_text, names) }), noNul(joinList(names)), e.id,
    ]);
    return true;
  }
}
