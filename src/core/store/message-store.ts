import type { DB } from './db.js';
import type { EventLog } from './event-log.js';
import type { MessagePayload, MessageRecord, MessageState, MessageSummary } from '../messages/types.js';
import {
  SUMMARY_COLUMNS,
  rowToEvent,
  rowToRecord,
  rowToSummary,
  type EventRow,
  type FullRow,
  type SummaryRow,
} from './message-rows.js';
import type { EnqueueResult, ListMessagesQuery, Page } from './records.js';
export type { EnqueueResult, ListMessagesQuery, Page } from './records.js';

/** Queue-level operations on messages: enqueue, inspect, delete. Dispatch transitions live in DispatchStore. */
export class MessageStore {
  private readonly selectExisting;
  private readonly insert;
  private readonly replace;
  private readonly selectFull;
  private readonly selectEvents;
  private readonly deleteOne;
  private readonly deleteEvents;
  private readonly selectReportedBefore;
  private readonly deleteEventsIn;
  private readonly deleteMessagesIn;

  constructor(
    private readonly db: DB,
    private readonly events: EventLog,
  ) {
    this.selectExisting = db.prepare<[string], { state: MessageState; sent_ts: number | null }>(
      'SELECT state, sent_ts FROM messages WHERE id = ?',
    );
    this.insert = db.prepare(
      `INSERT INTO messages (id, account_id, priority, state, payload, subject, from_addr, to_addrs,
         created_ts, updated_ts, deferred_ts, deferred_reason, source_captured_id)
       VALUES (@id, @account_id, @priority, @state, @payload, @subject, @from_addr, @to_addrs,
         @now, @now, @deferred_ts, @deferred_reason, @source_captured_id)`,
    );
    // A replaced message keeps its seq (queue position) and created_ts, as genro-mail-proxy does.
    this.replace = db.prepare(
      `UPDATE messages SET account_id = @account_id, priority = @priority, state = @state, payload = @payload,
         subject = @subject, from_addr = @from_addr, to_addrs = @to_addrs, updated_ts = @now,
         deferred_ts = @deferred_ts, deferred_reason = @deferred_reason, sent_ts = NULL, error_ts = NULL,
         error = NULL, reported_ts = NULL, retry_count = 0, attempts = 0, first_attempt_ts = NULL,
         lease_until = NULL, sandbox = 0, smtp_message_id = NULL, captured_id = NULL, recipients = NULL,
         source_captured_id = @source_captured_id
       WHERE id = @id`,
    );
    this.selectFull = db.prepare<[string], FullRow>('SELECT * FROM messages WHERE id = ?');
    this.selectEvents = db.prepare<[string], EventRow>(
      'SELECT seq, message_id, ts, type, state, detail FROM message_events WHERE message_id = ? ORDER BY seq',
    );
    this.deleteOne = db.prepare<[string], { account_id: string | null }>(
      'DELETE FROM messages WHERE id = ? RETURNING account_id',
    );
    this.deleteEvents = db.prepare('DELETE FROM message_events WHERE message_id = ?');
    this.selectReportedBefore = db.prepare<[number, number], { id: string }>(
      `SELECT id FROM messages INDEXED BY messages_reported WHERE state = 'reported' AND reported_ts < ? ORDER BY reported_ts LIMIT ?`,
    );
    this.deleteEventsIn = db.prepare<[string]>('DELETE FROM message_events WHERE message_id IN (SELECT value FROM json_each(?))');
    this.deleteMessagesIn = db.prepare<[string]>('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))');
  }

  /**
   * Inserts or replaces a batch in one transaction. A pending or failed id is replaced (keeping its
   * queue position); a sent id is refused with `already sent`; an id being sent right now with `already sending`.
   */
  enqueueBatch(messages: MessagePayload[], now: number, opts: { source_captured_id?: number } = {}): EnqueueResult {
    const rejected: { id: string; reason: string }[] = [];
    let queued = 0;
    this.events.transaction(() => {
      for (const m of messages) {
        const existing = this.selectExisting.get(m.id);
        if (existing && existing.sent_ts !== null) {
          rejected.push({ id: m.id, reason: 'already sent' });
          continue;
        }
        if (existing && existing.state === 'sending') {
          rejected.push({ id: m.id, reason: 'already sending' });
          continue;
        }
        const scheduled = m.deferred_ts !== undefined && m.deferred_ts > now;
        const state: MessageState = scheduled ? 'deferred' : 'queued';
        const row = {
          id: m.id,
          account_id: m.account_id ?? null,
          priority: m.priority,
          state,
          payload: JSON.stringify(m),
          subject: m.subject.slice(0, 500),
          from_addr: m.from.slice(0, 500),
          to_addrs: m.to.join(', ').slice(0, 1000),
          now,
          deferred_ts: scheduled ? m.deferred_ts! : null,
          deferred_reason: scheduled ? 'scheduled' : null,
          source_captured_id: opts.source_captured_id ?? null,
        };
        if (existing) this.replace.run(row);
        else this.insert.run(row);
        queued++;
        this.events.add({
          message_id: m.id,
          account_id: row.account_id,
          ts: now,
          type: existing ? 'replaced' : 'queued',
          state,
          detail: {
            priority: m.priority,
            ...(scheduled ? { deferred_ts: m.deferred_ts, reason: 'scheduled' } : {}),
            ...(opts.source_captured_id !== undefined ? { source_captured_id: opts.source_captured_id } : {}),
          },
        });
      }
    });
    return { queued, rejected };
  }

  get(id: string): MessageRecord | null {
    const row = this.selectFull.get(id);
    return row ? rowToRecord(row) : null;
  }

  timeline(id: string, accountId: string | null) {
    return this.selectEvents.all(id).map((r) => rowToEvent(r, accountId));
  }

  /** Newest first, keyset-paginated on seq. */
  list(query: ListMessagesQuery): Page<MessageSummary> {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.state) {
      where.push('state = @state');
      params.state = query.state;
    }
    if (query.account_id) {
      where.push('account_id = @account_id');
      params.account_id = query.account_id;
    }
    if (query.q) {
      where.push(`(id LIKE @q ESCAPE '\\' OR subject LIKE @q ESCAPE '\\' OR from_addr LIKE @q ESCAPE '\\' OR to_addrs LIKE @q ESCAPE '\\')`);
      params.q = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const cursor = decodeCursor(query.cursor);
    if (cursor !== null) {
      where.push('seq < @cursor');
      params.cursor = cursor;
    }
    params.limit = query.limit + 1;
    const sql = `SELECT seq, ${SUMMARY_COLUMNS} FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT @limit`;
    const rows = this.db.prepare<Record<string, unknown>, SummaryRow & { seq: number }>(sql).all(params);
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    return {
      items: page.map(rowToSummary),
      next_cursor: more ? encodeCursor(page[page.length - 1].seq) : null,
    };
  }

  /** Every row, in dispatch order (genro-mail-proxy GET /messages). */
  listAll(opts: { activeOnly?: boolean } = {}): MessageRecord[] {
    const where = opts.activeOnly ? `WHERE state IN ('queued','deferred','sending')` : '';
    return this.db
      .prepare<[], FullRow>(`SELECT * FROM messages ${where} ORDER BY priority ASC, seq ASC`)
      .all()
      .map(rowToRecord);
  }

  /** Deletes messages whatever their state; returns the ids that did not exist. */
  deleteMany(ids: string[], now: number): { removed: number; not_found: string[] } {
    const notFound: string[] = [];
    let removed = 0;
    this.events.transaction(() => {
      for (const id of ids) {
        const row = this.deleteOne.get(id);
        if (!row) {
          notFound.push(id);
          continue;
        }
        this.deleteEvents.run(id);
        removed++;
        this.events.notify({ message_id: id, account_id: row.account_id, ts: now, type: 'deleted', state: 'deleted' });
      }
    });
    return { removed, not_found: notFound };
  }

  /** Deletes reported final messages whose report is older than `before` (and their events). */
  purgeReported(before: number, limit = 5000): number {
    // one statement per table for the whole batch (ids passed as a JSON array), served by the
    // partial index messages_reported and by message_events(message_id)
    const ids = this.selectReportedBefore.all(before, limit).map((r) => r.id);
    if (ids.length === 0) return 0;
    const list = JSON.stringify(ids);
    this.events.transaction(() => {
      this.deleteEventsIn.run(list);
      this.deleteMessagesIn.run(list);
    });
    return ids.length;
  }

  countByState(): Record<MessageState, number> {
    const out: Record<MessageState, number> = { queued: 0, deferred: 0, sending: 0, sent: 0, error: 0, reported: 0 };
    for (const r of this.db
      .prepare<[], { state: MessageState; n: number }>('SELECT state, COUNT(*) AS n FROM messages GROUP BY state')
      .all())
      out[r.state] = r.n;
    return out;
  }

  countByAccount(): { account_id: string | null; state: MessageState; n: number }[] {
    return this.db
      .prepare<[], { account_id: string | null; state: MessageState; n: number }>(
        'SELECT account_id, state, COUNT(*) AS n FROM messages GROUP BY account_id, state',
      )
      .all();
  }

  countPending(): number {
    return (
      this.db
        .prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE state IN ('queued','deferred','sending')`)
        .get()?.n ?? 0
    );
  }
}

export function encodeCursor(seq: number): string {
  return Buffer.from(String(seq)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | null {
  if (!cursor) return null;
  const n = Number(Buffer.from(cursor, 'base64url').toString());
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
