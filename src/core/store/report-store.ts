import type { DB } from './db.js';
import type { EventLog } from './event-log.js';
import type { Priority } from '../messages/types.js';
import type { DeliveryReportItem, PendingReport, OrphanSweepStep } from './records.js';
export type { DeliveryReportItem, PendingReport, OrphanSweepStep } from './records.js';

interface PendingRow {
  id: string;
  account_id: string | null;
  priority: number;
  sent_ts: number | null;
  error_ts: number | null;
  error: string | null;
  deferred_ts: number | null;
  sandbox: number;
}

/**
 * Final outcomes waiting to be reported to the application, their acknowledgement, and the
 * housekeeping deletes of retention (each a small bounded batch, so dispatch never waits long).
 */
export class ReportStore {
  private readonly selectPending;
  private readonly markOne;
  private readonly countUnreportedStmt;
  private readonly selectFinalUnreportedBefore;
  private readonly pruneSendLogStmt;
  private readonly eventSeqBounds;
  private readonly deleteEventsOf;
  private readonly deleteMessagesIn;
  private readonly maxEventTsInRange;
  private readonly deleteOrphansInRange;

  constructor(
    readonly db: DB,
    readonly events: EventLog,
  ) {
    // The partial indexes are named explicitly: without statistics the planner would pick
    // messages_state_seq and sort the whole backlog on every cycle.
    this.selectPending = db.prepare<[number], PendingRow>(
      `SELECT id, account_id, priority, sent_ts, error_ts, error, deferred_ts, sandbox
       FROM messages INDEXED BY messages_unreported WHERE state IN ('sent','error') ORDER BY updated_ts, seq LIMIT ?`,
    );
    // Only the outcome that was reported is acknowledged: a row re-queued (or re-sent) while the
    // report was in flight no longer matches and is reported again with its new outcome.
    this.markOne = db.prepare<
      { id: string; now: number; sent_ts: number | null; error_ts: number | null; error: string | null },
      { account_id: string | null; state: string }
    >(
      `UPDATE messages SET state = 'reported', reported_ts = @now, updated_ts = @now
       WHERE id = @id AND state IN ('sent','error') AND sent_ts IS @sent_ts AND error_ts IS @error_ts AND error IS @error
       RETURNING account_id, state`,
    );
    this.countUnreportedStmt = db.prepare<[], { n: number }>(
      `SELECT COUNT(*) AS n FROM messages INDEXED BY messages_unreported WHERE state IN ('sent','error')`,
    );
    this.selectFinalUnreportedBefore = db.prepare<[number, number], { id: string }>(
      `SELECT id FROM messages INDEXED BY messages_unreported
       WHERE state IN ('sent','error') AND updated_ts < ? ORDER BY updated_ts, seq LIMIT ?`,
    );
    // served by send_log_ts (migration 003)
    this.pruneSendLogStmt = db.prepare<[number, number]>(
      'DELETE FROM send_log WHERE rowid IN (SELECT rowid FROM send_log WHERE ts < ? LIMIT ?)',
    );
    this.eventSeqBounds = db.prepare<[], { lo: number | null; hi: number | null }>(
      'SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM message_events',
    );
    this.deleteEventsOf = db.prepare<[string]>('DELETE FROM message_events WHERE message_id IN (SELECT value FROM json_each(?))');
    this.deleteMessagesIn = db.prepare<[string]>('DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))');
    this.maxEventTsInRange = db.prepare<[number, number], { m: number | null }>(
      'SELECT MAX(ts) AS m FROM message_events WHERE seq > ? AND seq <= ?',
    );
    this.deleteOrphansInRange = db.prepare<[number, number, number]>(
      `DELETE FROM message_events WHERE seq IN (
         SELECT e.seq FROM message_events e
         WHERE e.seq > ? AND e.seq <= ? AND e.ts < ?
           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = e.message_id))`,
    );
  }

  /** The oldest final outcomes not yet reported, at most `limit`. */
  pending(limit: number): PendingReport[] {
    return this.selectPending.all(limit).map((r) => {
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
      return { item };
    });
  }

  /**
   * Marks exactly these outcomes reported (state 'reported', reported_ts, a 'reported' timeline
   * event) in one transaction. Returns how many rows were marked.
   */
  markReported(reports: PendingReport[], now: number): number {
    if (reports.length === 0) return 0;
    let marked = 0;
    this.events.transaction(() => {
      for (const { item } of reports) {
        const row = this.markOne.get({ id: item.id, now, sent_ts: item.sent_ts, error_ts: item.error_ts, error: item.error });
        if (!row) continue;
        marked++;
        this.events.add({
          message_id: item.id,
          account_id: row.account_id,
          ts: now,
          type: 'reported',
          state: 'reported',
          detail: { outcome: item.sent_ts !== null ? 'sent' : 'error' },
        });
      }
    });
    return marked;
  }

  /** Final outcomes waiting to be reported. */
  countUnreported(): number {
    return this.countUnreportedStmt.get()?.n ?? 0;
  }

  /**
   * Deletes final messages (and their events) that reached their outcome before `before` and were
   * never reported: used only when no application is configured to report to.
   */
  purgeFinalUnreported(before: number, limit: number): number {
    const ids = this.selectFinalUnreportedBefore.all(before, limit).map((r) => r.id);
    if (ids.length === 0) return 0;
    const list = JSON.stringify(ids);
    this.events.transaction(() => {
      this.deleteEventsOf.run(list);
      this.deleteMessagesIn.run(list);
    });
    return ids.length;
  }

  /** Deletes at most `limit` send-log rows older than `before` (rate windows look back one day at most). */
  pruneSendLog(before: number, limit: number): number {
    return this.pruneSendLogStmt.run(before, limit).changes;
  }

  /**
   * Examines the timeline rows with seq in (afterSeq, afterSeq + chunk] and deletes those older
   * than `before` whose message no longer exists. The sweep only moves past a range whose rows are
   * all older than `before`, so a caller keeping `nextSeq` visits every row once it is old enough.
   */
  pruneOrphanEvents(afterSeq: number, chunk: number, before: number): OrphanSweepStep {
    const bounds = this.eventSeqBounds.get();
    const maxSeq = bounds?.hi ?? 0;
    if (afterSeq >= maxSeq) return { deleted: 0, nextSeq: Math.min(afterSeq, maxSeq), done: true };
    // skip the range already emptied by purges
    const from = Math.max(afterSeq, (bounds?.lo ?? 1) - 1);
    const upTo = Math.min(from + chunk, maxSeq);
    const deleted = this.deleteOrphansInRange.run(from, upTo, before).changes;
    const newest = this.maxEventTsInRange.get(from, upTo)?.m ?? null;
    if (newest !== null && newest >= before) return { deleted, nextSeq: from, done: true };
    return { deleted, nextSeq: upTo, done: upTo >= maxSeq };
  }
}
