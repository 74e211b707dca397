import { TRANSITIONS, decideEnqueue } from '../../messages/state-machine.js';
import { FINAL_STATES, PENDING_STATES, type MessagePayload, type MessageState } from '../../messages/types.js';
import type { Statement } from 'better-sqlite3';
import type { MessagesPort } from '../ports.js';
import { DEFAULT_TENANT, type EnqueueResult, type ListMessagesQuery, type MessageKey } from '../records.js';
import { decodeCursor, encodeCursor } from '../sql/cursor.js';
import { enqueueColumns, enqueueEvent } from '../sql/enqueue-event.js';
import { deleteMessagesAndEvents, type DoomedRow } from './message-deletes.js';
import { queueSearch } from './queue-search.js';
import { SUMMARY_COLUMNS, rowToEvent, rowToRecord, rowToSummary, type EventRow, type FullRow, type SummaryRow } from '../sql/message-rows.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';
import { guardOf, guardWithin, reportedGuard, stateWritten, statesGuard, targetState } from '../sql/transitions.js';

function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    existing: db.prepare<[string, string], { state: MessageState; sent_ts: number | null }>(
      'SELECT state, sent_ts FROM messages WHERE tenant_id = ? AND id = ?',
    ),
    insert: db.prepare(
      `INSERT INTO messages (tenant_id, id, account_id, batch_code, priority, state, payload, subject, from_addr, to_addrs,
         created_ts, updated_ts, deferred_ts, deferred_reason, source_captured_id)
       VALUES (@tenant_id, @id, @account_id, @batch_code, @priority, @state, @payload, @subject, @from_addr, @to_addrs,
         @now, @now, @deferred_ts, @deferred_reason, @source_captured_id)`,
    ),
    // a replaced message keeps its seq (queue position) and created_ts, as genro-mail-proxy does
    replace: db.prepare(
      `UPDATE messages SET account_id = @account_id, batch_code = @batch_code, priority = @priority, state = @state,
         payload = @payload, subject = @subject, from_addr = @from_addr, to_addrs = @to_addrs, updated_ts = @now,
         deferred_ts = @deferred_ts, deferred_reason = @deferred_reason, sent_ts = NULL, error_ts = NULL,
         error = NULL, reported_ts = NULL, retry_count = 0, attempts = 0, first_attempt_ts = NULL,
         lease_until = NULL, sandbox = 0, smtp_message_id = NULL, captured_id = NULL, recipients = NULL,
         source_captured_id = @source_captured_id
       WHERE tenant_id = @tenant_id AND id = @id AND ${guardOf('replace')}`,
    ),
    full: db.prepare<[string, string], FullRow>('SELECT * FROM messages WHERE tenant_id = ? AND id = ?'),
    events: db.prepare<[string, string], EventRow>(
      'SELECT seq, message_id, tenant_id, ts, type, state, detail FROM message_events WHERE tenant_id = ? AND message_id = ? ORDER BY seq',
    ),
    all: db.prepare<[string], FullRow>('SELECT * FROM messages WHERE tenant_id = ? ORDER BY priority ASC, seq ASC'),
    active: db.prepare<[string], FullRow>(
      `SELECT * FROM messages WHERE tenant_id = ? AND ${statesGuard(PENDING_STATES)} ORDER BY priority ASC, seq ASC`,
    ),
    deleteOne: db.prepare<[string, string], { account_id: string | null }>(
      `DELETE FROM messages WHERE tenant_id = ? AND id = ? AND ${guardOf('delete')} RETURNING account_id`,
    ),
    deleteEvents: db.prepare<[string, string]>('DELETE FROM message_events WHERE tenant_id = ? AND message_id = ?'),
    retry: db.prepare<[number, string, string], SummaryRow>(
      `UPDATE messages SET state = ${stateWritten('retry')}, retry_count = 0, deferred_ts = NULL, deferred_reason = NULL,
         error = NULL, error_ts = NULL, reported_ts = NULL, first_attempt_ts = NULL, lease_until = NULL, updated_ts = ?
       WHERE tenant_id = ? AND id = ? AND ${guardOf('retry')}
       RETURNING ${SUMMARY_COLUMNS}`,
    ),
    reportedBefore: db.prepare<[number, number], DoomedRow>(
      `SELECT seq, tenant_id, id FROM messages INDEXED BY messages_reported
       WHERE ${guardWithin('purge', FINAL_STATES, true)} AND reported_ts < ? ORDER BY reported_ts LIMIT ?`,
    ),
    reportedBeforeOf: db.prepare<[number, string, number], DoomedRow>(
      `SELECT seq, tenant_id, id FROM messages INDEXED BY messages_reported
       WHERE ${guardWithin('purge', FINAL_STATES, true)} AND reported_ts < ? AND tenant_id = ? ORDER BY reported_ts LIMIT ?`,
    ),
    pending: db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ? AND ${statesGuard(PENDING_STATES)}`),
    pendingOfBatch: db.prepare<[string, string], { n: number }>(
      `SELECT COUNT(*) AS n FROM messages WHERE tenant_id = ? AND batch_code = ? AND ${statesGuard(PENDING_STATES)}`,
    ),
    countByState: db.prepare<[], { state: MessageState; n: number }>('SELECT state, COUNT(*) AS n FROM messages GROUP BY state'),
    countUnreported: db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM messages INDEXED BY messages_unreported WHERE ${guardOf('report')}`),
    countByAccount: db.prepare<[], { tenant_id: string; account_id: string | null; state: MessageState; n: number }>(
      'SELECT tenant_id, account_id, state, COUNT(*) AS n FROM messages GROUP BY tenant_id, account_id, state',
    ),
    // reads in one snapshot (a savepoint inside an open transaction)
    snapshot: <T>(fn: () => T): T => db.transaction(fn)(),
    listings: new Map<string, Statement<Record<string, unknown>, SummaryRow & { seq: number }>>(),
  };
}

/** The queue as a whole (MessagesPort): accept, inspect, delete, retry; the engine's transitions are dispatch's. */
export class SqliteMessages implements MessagesPort {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
  ) {
    this.st = runner.once(prepare);
  }

  enqueue(batch: MessagePayload[], now: number, opts: { source_captured_id?: number } = {}): Promise<EnqueueResult> {
    return this.scope(() => this.runner.write(() => this.enqueueNow(batch, now, opts.source_captured_id ?? null)));
  }

  private enqueueNow(batch: MessagePayload[], now: number, sourceCapturedId: number | null): EnqueueResult {
    const rejected: { id: string; reason: string }[] = [];
    let queued = 0;
    for (const m of batch) {
      const tenantId = m.tenant_id ?? DEFAULT_TENANT;
      const existing = this.st.existing.get(tenantId, m.id);
      const scheduled = m.deferred_ts !== undefined && m.deferred_ts > now;
      const decision = decideEnqueue(existing ? { state: existing.state, delivered: existing.sent_ts !== null } : null, scheduled);
      if (decision.kind === 'refuse') {
        rejected.push({ id: m.id, reason: decision.reason });
        continue;
      }
      const row = { ...enqueueColumns(m, tenantId, decision.state, scheduled), now, source_captured_id: sourceCapturedId };
      if (decision.kind === 'insert') this.st.insert.run(row);
      else if (this.st.replace.run(row).changes === 0) throw new Error(`replacing ${m.id}: the state machine refused it`);
      queued++;
      this.runner.outbox.record(enqueueEvent(m, { tenantId, accountId: row.account_id, now }, decision, scheduled, sourceCapturedId));
    }
    return { queued, rejected };
  }

  get(key: MessageKey) {
    return this.scope(() => {
      const row = this.st.full.get(key.tenant_id, key.id);
      return row ? rowToRecord(row) : null;
    });
  }

  timeline(key: MessageKey, accountId: string | null) {
    return this.scope(() => this.st.events.all(key.tenant_id, key.id).map((r) => rowToEvent(r, accountId)));
  }

  list(query: ListMessagesQuery) {
    return this.scope(() => {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: query.limit + 1 };
      if (query.tenant_id !== undefined) {
        where.push('tenant_id = @tenant_id');
        params.tenant_id = query.tenant_id;
      }
      if (query.state) {
        where.push('state = @state');
        params.state = query.state;
      }
      if (query.reported !== undefined) where.push(reportedGuard(query.reported));
      if (query.account_id) {
        where.push('account_id = @account_id');
        params.account_id = query.account_id;
      }
      const parts = query.q ? queueSearch(query.q, params) : [{ from: 'messages', where: null, orderBy: 'seq' }];
      const cursor = decodeCursor(query.cursor);
      if (cursor !== null) params.cursor = cursor;
      const partRows = (part: { from: string; where: string | null; orderBy: string }) => {
        const all = [...where, ...(part.where ? [part.where] : []), ...(cursor !== null ? [`${part.orderBy} < @cursor`] : [])];
        const sql = `SELECT seq, ${SUMMARY_COLUMNS} FROM ${part.from} ${all.length ? `WHERE ${all.join(' AND ')}` : ''}
          ORDER BY ${part.orderBy} DESC LIMIT @limit`;
        // a listing's SQL has a few dozen shapes (filters x parts x cursor): prepared once each
        let st = this.st.listings.get(sql);
        if (!st) {
          if (this.st.listings.size >= 128) this.st.listings.clear();
          st = this.runner.db.prepare<Record<string, unknown>, SummaryRow & { seq: number }>(sql);
          this.st.listings.set(sql, st);
        }
        return st.all(params);
      };
      // the search's parts hold disjoint rows: read in one snapshot, merged newest first
      const rows = (parts.length === 1 ? partRows(parts[0]) : this.st.snapshot(() => parts.flatMap(partRows)))
        .sort((a, b) => b.seq - a.seq)
        .slice(0, query.limit + 1);
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      return { items: page.map(rowToSummary), next_cursor: more ? encodeCursor(page[page.length - 1].seq) : null };
    });
  }

  listAll(opts: { tenantId: string; activeOnly?: boolean }) {
    return this.scope(() => (opts.activeOnly ? this.st.active : this.st.all).all(opts.tenantId).map(rowToRecord));
  }

  deleteMany(tenantId: string, ids: string[], now: number) {
    return this.scope(() =>
      this.runner.write(() => {
        const notFound: string[] = [];
        let removed = 0;
        for (const id of ids) {
          const row = this.st.deleteOne.get(tenantId, id);
          if (!row) {
            notFound.push(id);
            continue;
          }
          this.st.deleteEvents.run(tenantId, id);
          removed++;
          const type = TRANSITIONS.delete.events[0];
          this.runner.outbox.notify({ message_id: id, tenant_id: tenantId, account_id: row.account_id, ts: now, type, state: TRANSITIONS.delete.to });
        }
        return { removed, not_found: notFound };
      }),
    );
  }

  retry(key: MessageKey, now: number) {
    return this.scope(() =>
      this.runner.write(() => {
        const row = this.st.retry.get(now, key.tenant_id, key.id);
        if (!row) {
          const existing = this.st.existing.get(key.tenant_id, key.id);
          return existing ? { status: 'conflict' as const, state: existing.state } : { status: 'not_found' as const };
        }
        const type = TRANSITIONS.retry.events[0];
        this.runner.outbox.record({ message_id: key.id, tenant_id: key.tenant_id, account_id: row.account_id, ts: now, type, state: targetState('retry') });
        return { status: 'ok' as const, message: rowToSummary(row) };
      }),
    );
  }

  purgeReported(before: number, limit = 5000, tenantId?: string) {
    return this.scope(() => {
      // served by the partial index messages_reported and by message_events(tenant_id, message_id)
      const rows = tenantId === undefined ? this.st.reportedBefore.all(before, limit) : this.st.reportedBeforeOf.all(before, tenantId, limit);
      if (rows.length === 0) return 0;
      this.runner.write(() => deleteMessagesAndEvents(this.runner, rows));
      return rows.length;
    });
  }

  countPending(tenantId: string, batchCode?: string | null) {
    return this.scope(() => {
      const byBatch = batchCode !== undefined && batchCode !== null;
      return (byBatch ? this.st.pendingOfBatch.get(tenantId, batchCode) : this.st.pending.get(tenantId))?.n ?? 0;
    });
  }

  countByState() {
    return this.scope(() => {
      const out: Record<MessageState, number> = { queued: 0, deferred: 0, sending: 0, sent: 0, error: 0 };
      for (const r of this.st.countByState.all()) out[r.state] = r.n;
      return out;
    });
  }

  countUnreported() {
    return this.scope(() => this.st.countUnreported.get()?.n ?? 0);
  }

  countByAccount() {
    return this.scope(() => this.st.countByAccount.all());
  }
}
