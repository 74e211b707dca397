import { TRANSITIONS } from '../../messages/state-machine.js';
import type { MessageState, Priority } from '../../messages/types.js';
import type { ReportsPort } from '../ports.js';
import type { DeliveryReportItem, OrphanSweepStep, PendingReport } from '../records.js';
import type { Scope } from './gate.js';
import { deleteMessagesAndEvents, type DoomedRow } from './message-deletes.js';
import type { TransactionRunner } from './transaction-runner.js';
import { guardOf, guardWithin } from '../sql/transitions.js';

interface PendingRow {
  seq: number;
  tenant_id: string;
  id: string;
  account_id: string | null;
  priority: number;
  sent_ts: number | null;
  error_ts: number | null;
  error: string | null;
  deferred_ts: number | null;
  sandbox: number;
}

/** The partial indexes are named: without statistics the planner would sort the whole backlog each cycle. */
function prepare({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    pending: db.prepare<[string, number], PendingRow>(
      `SELECT seq, tenant_id, id, account_id, priority, sent_ts, error_ts, error, deferred_ts, sandbox
       FROM messages INDEXED BY messages_unreported WHERE ${guardOf('report')} AND tenant_id = ? ORDER BY updated_ts, seq LIMIT ?`,
    ),
    // bounded: a status read never walks a huge backlog
    countPending: db.prepare<[string, number], { n: number }>(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages INDEXED BY messages_unreported WHERE ${guardOf('report')} AND tenant_id = ? LIMIT ?)`,
    ),
    // only the outcome that was reported: a row re-queued (or re-sent) meanwhile is reported again later
    // the state is left alone: the report is a fact of its own (reported_ts)
    markOne: db.prepare<
      { seq: number; now: number; sent_ts: number | null; error_ts: number | null; error: string | null },
      { id: string; tenant_id: string; account_id: string | null; state: MessageState }
    >(
      `UPDATE messages SET reported_ts = @now, updated_ts = @now
       WHERE seq = @seq AND ${guardOf('report')} AND sent_ts IS @sent_ts AND error_ts IS @error_ts AND error IS @error
       RETURNING id, tenant_id, account_id, state`,
    ),
    // final messages never reported are exactly those `report` starts from
    finalUnreportedBefore: db.prepare<[string, number, number], DoomedRow>(
      `SELECT seq, tenant_id, id FROM messages INDEXED BY messages_unreported
       WHERE ${guardWithin('purge', TRANSITIONS.report.from, false)} AND tenant_id = ? AND updated_ts < ? ORDER BY updated_ts, seq LIMIT ?`,
    ),
    // served by send_log_ts (migration 003)
    pruneSendLog: db.prepare<[number, number]>('DELETE FROM send_log WHERE rowid IN (SELECT rowid FROM send_log WHERE ts < ? LIMIT ?)'),
    // two rowid seeks (MIN and MAX together would scan an index)
    eventSeqBounds: db.prepare<[], { lo: number | null; hi: number | null }>(
      'SELECT (SELECT MIN(seq) FROM message_events) AS lo, (SELECT MAX(seq) FROM message_events) AS hi',
    ),
    maxEventTsInRange: db.prepare<[number, number], { m: number | null }>('SELECT MAX(ts) AS m FROM message_events WHERE seq > ? AND seq <= ?'),
    deleteOrphansInRange: db.prepare<[number, number, number]>(
      `DELETE FROM message_events WHERE seq IN (
         SELECT e.seq FROM message_events e
         WHERE e.seq > ? AND e.seq <= ? AND e.ts < ?
           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = e.tenant_id AND m.id = e.message_id))`,
    ),
  };
}

/**
 * Final outcomes waiting to be reported to the application, their acknowledgement, and the
 * housekeeping deletes of retention (each a small bounded batch, so dispatch never waits long).
 */
export class SqliteReports implements ReportsPort {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
  ) {
    this.st = runner.once(prepare);
  }

  pending(tenantId: string, limit: number) {
    return this.scope(() =>
      this.st.pending.all(tenantId, limit).map((r): PendingReport => {
        const item: DeliveryReportItem = {
          id: r.id,
          account_id: r.account_id,
          priority: r.priority as Priority,
          sent_ts: r.sent_ts,
          error_ts: r.error_ts,
          error: r.error,
          deferred_ts: r.deferred_ts,
        };
        if (r.sandbox === 1) item.sandbox = true;
        return { item, tenant_id: r.tenant_id, seq: r.seq };
      }),
    );
  }

  countPending(tenantId: string, cap: number) {
    return this.scope(() => this.st.countPending.get(tenantId, Math.max(0, Math.floor(cap)))?.n ?? 0);
  }

  markReported(reports: PendingReport[], now: number) {
    return this.scope(() => {
      if (reports.length === 0) return 0;
      return this.runner.write(() => {
        let marked = 0;
        for (const { item, seq } of reports) {
          const row = this.st.markOne.get({ seq, now, sent_ts: item.sent_ts, error_ts: item.error_ts, error: item.error });
          if (!row) continue;
          marked++;
          this.runner.outbox.record({
            message_id: row.id,
            tenant_id: row.tenant_id,
            account_id: row.account_id,
            ts: now,
            type: TRANSITIONS.report.events[0],
            state: row.state,
            detail: { outcome: item.sent_ts !== null ? 'sent' : 'error' },
          });
        }
        return marked;
      });
    });
  }

  /** Used only for a tenant with no application configured to report to. */
  purgeFinalUnreported(tenantId: string, before: number, limit: number) {
    return this.scope(() => {
      const rows = this.st.finalUnreportedBefore.all(tenantId, before, limit);
      if (rows.length === 0) return 0;
      this.runner.write(() => deleteMessagesAndEvents(this.runner, rows));
      return rows.length;
    });
  }

  /** Rate windows look back one day at most. */
  pruneSendLog(before: number, limit: number) {
    return this.scope(() => this.runner.write(() => this.st.pruneSendLog.run(before, limit).changes));
  }

  /**
   * Examines the rows with seq in (afterSeq, afterSeq + chunk] and deletes those older than `before`
   * whose message is gone. It only moves past a range whose rows are all older than `before`, so a
   * caller keeping `nextSeq` visits every row once it is old enough.
   */
  pruneOrphanEvents(afterSeq: number, chunk: number, before: number) {
    return this.scope((): OrphanSweepStep => {
      const bounds = this.st.eventSeqBounds.get();
      const maxSeq = bounds?.hi ?? 0;
      if (afterSeq >= maxSeq) return { deleted: 0, nextSeq: Math.min(afterSeq, maxSeq), done: true };
      // skip the range already emptied by purges
      const from = Math.max(afterSeq, (bounds?.lo ?? 1) - 1);
      const upTo = Math.min(from + chunk, maxSeq);
      const deleted = this.runner.write(() => this.st.deleteOrphansInRange.run(from, upTo, before).changes);
      const newest = this.st.maxEventTsInRange.get(from, upTo)?.m ?? null;
      if (newest !== null && newest >= before) return { deleted, nextSeq: from, done: true };
      return { deleted, nextSeq: upTo, done: upTo >= maxSeq };
    });
  }
}
