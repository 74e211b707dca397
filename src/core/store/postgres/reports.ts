import { TRANSITIONS } from '../../messages/state-machine.js';
import type { MessageState, Priority } from '../../messages/types.js';
import type { ReportsPort } from '../ports.js';
import type { DeliveryReportItem, OrphanSweepStep, PendingReport } from '../records.js';
import { guardOf, guardWithin } from '../sql/transitions.js';
import { deleteMessagesAndEvents, type DoomedRow } from './message-deletes.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

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

// only the outcome that was reported: a row re-queued (or re-sent) meanwhile is reported again later;
// the state is left alone: the report is a fact of its own (reported_ts)
const MARK = `UPDATE messages SET reported_ts = $2, updated_ts = $2
  WHERE seq = $1 AND ${guardOf('report')} AND sent_ts IS NOT DISTINCT FROM $3::bigint AND error_ts IS NOT DISTINCT FROM $4::bigint
    AND error IS NOT DISTINCT FROM $5::text
  RETURNING id, tenant_id, account_id, state`;

/**
 * Final outcomes waiting to be reported to the application, their acknowledgement, and the
 * housekeeping deletes of retention (each a small bounded batch).
 */
export class PgReports implements ReportsPort {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
  ) {}

  pending(tenantId: string, limit: number) {
    return this.scope(async (db) => {
      const { rows } = await db.query<PendingRow>(
        `SELECT seq, tenant_id, id, account_id, priority, sent_ts, error_ts, error, deferred_ts, sandbox
         FROM messages WHERE ${guardOf('report')} AND tenant_id = $1 ORDER BY updated_ts, seq LIMIT $2`,
        [tenantId, limit],
      );
      return rows.map((r): PendingReport => {
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
      });
    });
  }

  countPending(tenantId: string, cap: number) {
    return this.scope(async (db) => {
      const { rows } = await db.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE ${guardOf('report')} AND tenant_id = $1 LIMIT $2) AS capped`,
        [tenantId, Math.max(0, Math.floor(cap))],
      );
      return Number(rows[0]?.n ?? 0);
    });
  }

  markReported(reports: PendingReport[], now: number) {
    return this.scope(async (db) => {
      if (reports.length === 0) return 0;
      return this.runner.write(db, async (tx) => {
        let marked = 0;
        for (const { item, seq } of reports) {
          const { rows } = await tx.query<{ id: string; tenant_id: string; account_id: string | null; state: MessageState }>(MARK, [seq, now, item.sent_ts, item.error_ts, item.error]);
          if (!rows[0]) continue;
          marked++;
          await this.runner.outbox.record(tx, {
            message_id: rows[0].id,
            tenant_id: rows[0].tenant_id,
            account_id: rows[0].account_id,
            ts: now,
            type: TRANSITIONS.report.events[0],
            state: rows[0].state,
            detail: { outcome: item.sent_ts !== null ? 'sent' : 'error' },
          });
        }
        return marked;
      });
    });
  }

  /** Used only for a tenant with no application configured to report to. */
  purgeFinalUnreported(tenantId: string, before: number, limit: number) {
    return this.scope(async (db) => {
      // final messages never reported are exactly those `report` starts from
      const { rows } = await db.query<DoomedRow>(
        `SELECT seq, tenant_id, id FROM messages WHERE ${guardWithin('purge', TRANSITIONS.report.from, false)} AND tenant_id = $1 AND updated_ts < $2
         ORDER BY updated_ts, seq LIMIT $3`,
        [tenantId, before, limit],
      );
      if (rows.length === 0) return 0;
      await this.runner.write(db, (tx) => deleteMessagesAndEvents(tx, rows));
      return rows.length;
    });
  }

  /** Rate windows look back one day at most. */
  pruneSendLog(before: number, limit: number) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) =>
        (await tx.query('DELETE FROM send_log WHERE id IN (SELECT id FROM send_log WHERE ts < $1 LIMIT $2)', [before, limit])).rowCount ?? 0,
      ),
    );
  }

  /**
   * Examines the rows with seq in (afterSeq, afterSeq + chunk] and deletes those older than `before`
   * whose message is gone; it only moves past a range whose rows are all older than `before`.
   */
  pruneOrphanEvents(afterSeq: number, chunk: number, before: number) {
    return this.scope(async (db): Promise<OrphanSweepStep> => {
      const bounds = (await db.query<{ lo: number | null; hi: number | null }>('SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM message_events')).rows[0];
      const maxSeq = bounds?.hi ?? 0;
      if (afterSeq >= maxSeq) return { deleted: 0, nextSeq: Math.min(afterSeq, maxSeq), done: true };
      // skip the range already emptied by purges
      const from = Math.max(afterSeq, (bounds?.lo ?? 1) - 1);
      const upTo = Math.min(from + chunk, maxSeq);
      const deleted = await this.runner.write(db, async (tx) =>
        (await tx.query(
          `DELETE FROM message_events e WHERE e.seq > $1 AND e.seq <= $2 AND e.ts < $3
             AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = e.tenant_id AND m.id = e.message_id)`,
          [from, upTo, before],
        )).rowCount ?? 0,
      );
      const newest = (await db.query<{ m: number | null }>('SELECT MAX(ts) AS m FROM message_events WHERE seq > $1 AND seq <= $2', [from, upTo])).rows[0]?.m ?? null;
      if (newest !== null && newest >= before) return { deleted, nextSeq: from, done: true };
      return { deleted, nextSeq: upTo, done: upTo >= maxSeq };
    });
  }
}
