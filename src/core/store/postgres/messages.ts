import { TRANSITIONS } from '../../messages/state-machine.js';
import { FINAL_STATES, PENDING_STATES, type MessagePayload, type MessageState } from '../../messages/types.js';
import type { MessagesPort } from '../ports.js';
import type { EnqueueResult, ListMessagesQuery, MessageKey } from '../records.js';
import { decodeCursor, encodeCursor } from '../sql/cursor.js';
import { SUMMARY_COLUMNS, rowToEvent, rowToRecord, rowToSummary, type EventRow, type FullRow, type SummaryRow } from '../sql/message-rows.js';
import { guardOf, guardWithin, reportedGuard, stateWritten, statesGuard, targetState } from '../sql/transitions.js';
import type { Db } from './connection.js';
import { planEnqueue } from './enqueue-plan.js';
import { readExisting, writeEnqueuePlan } from './enqueue-writes.js';
import { deleteMessagesAndEvents, deleteMessagesByIds, type DoomedRow } from './message-deletes.js';
import { Params } from './params.js';
import { queueSearchCondition } from './queue-search.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

const RETRY = `UPDATE messages SET state = ${stateWritten('retry')}, retry_count = 0, deferred_ts = NULL, deferred_reason = NULL,
    error = NULL, error_ts = NULL, reported_ts = NULL, first_attempt_ts = NULL, lease_until = NULL, updated_ts = $1
  WHERE tenant_id = $2 AND id = $3 AND ${guardOf('retry')}
  RETURNING ${SUMMARY_COLUMNS}`;
const REPORTED_BEFORE = `SELECT seq, tenant_id, id FROM messages WHERE ${guardWithin('purge', FINAL_STATES, true)} AND reported_ts < $1`;

type Existing = { state: MessageState };

/** The queue as a whole (MessagesPort) over PostgreSQL: accept, inspect, delete, retry. */
export class PgMessages implements MessagesPort {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
  ) {}

  enqueue(batch: MessagePayload[], now: number, opts: { source_captured_id?: number } = {}): Promise<EnqueueResult> {
    return this.scope((db) => this.runner.write(db, (tx) => this.enqueueIn(tx, batch, now, opts.source_captured_id ?? null)));
  }

  private async enqueueIn(db: Db, batch: MessagePayload[], now: number, sourceCapturedId: number | null): Promise<EnqueueResult> {
    const plan = planEnqueue(batch, now, await readExisting(db, batch), sourceCapturedId);
    await writeEnqueuePlan(db, this.runner.outbox, plan, now, sourceCapturedId);
    return plan.result;
  }

  get(key: MessageKey) {
    return this.scope(async (db) => {
      const { rows } = await db.query<FullRow>('SELECT * FROM messages WHERE tenant_id = $1 AND id = $2', [key.tenant_id, key.id]);
      return rows[0] ? rowToRecord(rows[0]) : null;
    });
  }

  timeline(key: MessageKey, accountId: string | null) {
    return this.scope(async (db) => {
      const { rows } = await db.query<EventRow>(
        'SELECT seq, message_id, tenant_id, ts, type, state, detail FROM message_events WHERE tenant_id = $1 AND message_id = $2 ORDER BY seq',
        [key.tenant_id, key.id],
      );
      return rows.map((r) => rowToEvent(r, accountId));
    });
  }

  list(query: ListMessagesQuery) {
    return this.scope(async (db) => {
      const p = new Params();
      const where: string[] = [];
      if (query.tenant_id !== undefined) where.push(`tenant_id = ${p.add(query.tenant_id)}`);
      if (query.state) where.push(`state = ${p.add(query.state)}`);
      if (query.reported !== undefined) where.push(reportedGuard(query.reported));
      if (query.account_id) where.push(`account_id = ${p.add(query.account_id)}`);
      if (query.q) where.push(queueSearchCondition(query.q, p));
      const cursor = decodeCursor(query.cursor);
      if (cursor !== null) where.push(`seq < ${p.add(cursor)}`);
      const sql = `SELECT seq, ${SUMMARY_COLUMNS} FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY seq DESC LIMIT ${p.add(query.limit + 1)}`;
      const { rows } = await db.query<SummaryRow & { seq: number }>(sql, p.values);
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      return { items: page.map(rowToSummary), next_cursor: more ? encodeCursor(page[page.length - 1].seq) : null };
    });
  }

  listAll(opts: { tenantId: string; activeOnly?: boolean }) {
    return this.scope(async (db) => {
      const active = opts.activeOnly ? `AND ${statesGuard(PENDING_STATES)}` : '';
      const { rows } = await db.query<FullRow>(`SELECT * FROM messages WHERE tenant_id = $1 ${active} ORDER BY priority ASC, seq ASC`, [opts.tenantId]);
      return rows.map(rowToRecord);
    });
  }

  deleteMany(tenantId: string, ids: string[], now: number) {
    return this.scope((db) => this.runner.write(db, (tx) => deleteMessagesByIds(tx, this.runner.outbox, tenantId, ids, now)));
  }

  retry(key: MessageKey, now: number) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        const row = (await tx.query<SummaryRow>(RETRY, [now, key.tenant_id, key.id])).rows[0];
        if (!row) {
          const existing = (await tx.query<Existing>('SELECT state FROM messages WHERE tenant_id = $1 AND id = $2', [key.tenant_id, key.id])).rows[0];
          return existing ? { status: 'conflict' as const, state: existing.state } : { status: 'not_found' as const };
        }
        const type = TRANSITIONS.retry.events[0];
        await this.runner.outbox.record(tx, { message_id: key.id, tenant_id: key.tenant_id, account_id: row.account_id, ts: now, type, state: targetState('retry') });
        return { status: 'ok' as const, message: rowToSummary(row) };
      }),
    );
  }

  purgeReported(before: number, limit = 5000, tenantId?: string) {
    return this.scope(async (db) => {
      const { rows } = tenantId === undefined
        ? await db.query<DoomedRow>(`${REPORTED_BEFORE} ORDER BY reported_ts LIMIT $2`, [before, limit])
        : await db.query<DoomedRow>(`${REPORTED_BEFORE} AND tenant_id = $2 ORDER BY reported_ts LIMIT $3`, [before, tenantId, limit]);
      if (rows.length === 0) return 0;
      await this.runner.write(db, (tx) => deleteMessagesAndEvents(tx, rows));
      return rows.length;
    });
  }

  countPending(tenantId: string, batchCode?: string | null) {
    return this.scope(async (db) => {
      const byBatch = batchCode !== undefined && batchCode !== null;
      const sql = `SELECT COUNT(*) AS n FROM messages WHERE tenant_id = $1 AND ${statesGuard(PENDING_STATES)}${byBatch ? ' AND batch_code = $2' : ''}`;
      return (await db.query<{ n: number }>(sql, byBatch ? [tenantId, batchCode] : [tenantId])).rows[0]?.n ?? 0;
    });
  }

  countByState() {
    return this.scope(async (db) => {
      const out: Record<MessageState, number> = { queued: 0, deferred: 0, sending: 0, sent: 0, error: 0 };
      for (const r of (await db.query<{ state: MessageState; n: number }>('SELECT state, COUNT(*) AS n FROM messages GROUP BY state')).rows) out[r.state] = r.n;
      return out;
    });
  }

  countUnreported() {
    return this.scope(async (db) => Number((await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM messages WHERE ${guardOf('report')}`)).rows[0]?.n ?? 0));
  }

  countByAccount() {
    return this.scope(async (db) =>
      (await db.query<{ tenant_id: string; account_id: string | null; state: MessageState; n: number }>(
        'SELECT tenant_id, account_id, state, COUNT(*) AS n FROM messages GROUP BY tenant_id, account_id, state',
      )).rows,
    );
  }
}
