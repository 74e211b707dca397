import type { MessageEvent } from '../../messages/types.js';
import type { AttemptStart, DeferOutcome, ErrorOutcome, SentOutcome } from '../records.js';
import { attemptEvent, deferEvent, errorEvent, sentEvent } from '../sql/outcome-events.js';
import { SizedStatements, inChunks, valuesRows, writeEvents } from './dispatch-batches.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';
import { guardOf, stateWritten, statesGuard, targetState } from '../sql/transitions.js';

/** counts the attempt an outcome ends (see AttemptCount) in the outcome's own update */
const COUNT_ATTEMPT = `attempts = attempts + (@started_ts IS NOT NULL), first_attempt_ts = coalesce(first_attempt_ts, @started_ts)`;

/** the message an outcome's update changed, for its timeline row */
type Changed = { seq: number; id: string; tenant_id: string };

/** the values of one sent outcome, in this order; named apart from the row's own columns */
const SENT_VALUES = ['o_seq', 'o_sandbox', 'o_captured_id', 'o_smtp_message_id', 'o_recipients', 'o_started_ts'];

export function prepareOutcomeStatements({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    // by rowid: NOT INDEXED keeps the state guard from routing each lookup through messages_state_seq
    leased: new SizedStatements<Changed>(
      db,
      (n) => `SELECT seq, id, tenant_id FROM messages NOT INDEXED WHERE seq IN (${valuesRows(n, 1)}) AND ${statesGuard([targetState('claim')])}`,
    ),
    // the sent outcomes of a flush in one UPDATE (sent_ts and updated_ts: the two parameters after the values)
    sent: new SizedStatements<Changed>(
      db,
      (n) => `WITH o(${SENT_VALUES.join(', ')}) AS (VALUES ${valuesRows(n, SENT_VALUES.length)})
        UPDATE messages NOT INDEXED SET state = ${stateWritten('sent')}, sent_ts = ?, updated_ts = ?, deferred_ts = NULL,
          attempts = attempts + (o_started_ts IS NOT NULL), first_attempt_ts = coalesce(first_attempt_ts, o_started_ts),
          deferred_reason = NULL, error = NULL, error_ts = NULL, lease_until = NULL, sandbox = o_sandbox,
          captured_id = o_captured_id, smtp_message_id = o_smtp_message_id, recipients = o_recipients
        FROM o WHERE messages.seq = o.o_seq AND ${guardOf('sent')}
        RETURNING seq, id, tenant_id`,
    ),
    sendLog: new SizedStatements(db, (n) => `INSERT INTO send_log (tenant_id, account_id, ts) VALUES ${valuesRows(n, 3)}`),
    error: db.prepare<Record<string, unknown>, Changed>(
      `UPDATE messages SET state = ${stateWritten('fail')}, error_ts = @now, error = @error, updated_ts = @now, ${COUNT_ATTEMPT},
         deferred_ts = NULL, deferred_reason = NULL, lease_until = NULL,
         recipients = coalesce(@recipients, recipients)
       WHERE seq = @seq AND ${guardOf('fail')}
       RETURNING seq, id, tenant_id`,
    ),
    defer: db.prepare<Record<string, unknown>, Changed>(
      `UPDATE messages SET state = ${stateWritten('defer')}, deferred_ts = @until, deferred_reason = @reason,
         updated_ts = @now, lease_until = NULL, ${COUNT_ATTEMPT}
       WHERE seq = @seq AND ${guardOf('defer')}
       RETURNING seq, id, tenant_id`,
    ),
    deferRetry: db.prepare<Record<string, unknown>, Changed>(
      `UPDATE messages SET state = ${stateWritten('defer')}, deferred_ts = @until, deferred_reason = @reason,
         retry_count = @retry_count, updated_ts = @now, lease_until = NULL, ${COUNT_ATTEMPT}
       WHERE seq = @seq AND ${guardOf('defer')}
       RETURNING seq, id, tenant_id`,
    ),
    rateCounts: db.prepare<[number, number, string, string, number], { minute: number | null; hour: number | null; day: number }>(
      `SELECT sum(ts > ?) AS minute, sum(ts > ?) AS hour, count(*) AS day
       FROM send_log WHERE tenant_id = ? AND account_id = ? AND ts > ?`,
    ),
    sendLogSince: db.prepare<[string, string, number], { ts: number }>(
      'SELECT ts FROM send_log WHERE tenant_id = ? AND account_id = ? AND ts > ? ORDER BY ts',
    ),
  };
}

/** Rows by seq, each seq once: a second item for the same message gets no row (its update found nothing). */
function firstBySeq(rows: readonly Changed[]): Map<number, Changed> {
  return new Map(rows.map((r) => [r.seq, r]));
}

/**
 * The outcomes of sends (sent, error, deferred), each with its timeline row, and the send log that
 * the rate limits read. A second outcome for the same lease changes nothing: the guards need `sending`.
 * Attempts and sent outcomes, the bulk of a drain, are written set-based: a few statements per flush.
 */
export class DispatchOutcomes {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
  ) {
    this.st = runner.once(prepareOutcomeStatements);
  }

  /** The attempt itself is counted by the update that records its outcome: one row update fewer per send. */
  beginAttempts(items: AttemptStart[], now: number) {
    return this.scope(() => {
      if (items.length === 0) return;
      this.runner.write(() => {
        const leased = new Map<number, Changed>();
        inChunks(items, (chunk) => {
          for (const r of this.st.leased.of(chunk.length).all(...chunk.map((it) => it.seq))) leased.set(r.seq, r);
        });
        const events: MessageEvent[] = [];
        for (const it of items) {
          const m = leased.get(it.seq);
          if (m) events.push(attemptEvent(m, it, now));
        }
        writeEvents(this.runner, events);
      });
    });
  }

  markSent(items: SentOutcome[], now: number) {
    return this.scope(() => {
      if (items.length === 0) return;
      this.runner.write(() => {
        // a real delivery counts against the rate limits even if the row went away meanwhile
        const logged = items.filter((it) => it.via_account !== null && !it.sandbox);
        inChunks(logged, (chunk) => this.st.sendLog.of(chunk.length).run(...chunk.flatMap((it) => [it.tenant_id, it.via_account, now])));
        const changed: Changed[] = [];
        inChunks(items, (chunk) => {
          const params: unknown[] = [];
          for (const it of chunk) {
            const recipients = it.recipients ? JSON.stringify(it.recipients) : null;
            params.push(it.seq, it.sandbox ? 1 : 0, it.captured_id, it.smtp_message_id, recipients, it.started_ts ?? null);
          }
          params.push(now, now);
          changed.push(...this.st.sent.of(chunk.length).all(...params));
        });
        const bySeq = firstBySeq(changed);
        const events: MessageEvent[] = [];
        for (const it of items) {
          const m = bySeq.get(it.seq);
          if (!m) continue;
          bySeq.delete(it.seq);
          events.push(sentEvent(m, it, now));
        }
        writeEvents(this.runner, events);
      });
    });
  }

  markError(items: ErrorOutcome[], now: number) {
    return this.scope(() => {
      if (items.length === 0) return;
      this.runner.write(() => {
        const events: MessageEvent[] = [];
        for (const it of items) {
          const m = this.st.error.get({
            seq: it.seq,
            now,
            error: it.error,
            recipients: it.recipients ? JSON.stringify(it.recipients) : null,
            started_ts: it.started_ts ?? null,
          });
          if (m) events.push(errorEvent(m, it, now));
        }
        writeEvents(this.runner, events);
      });
    });
  }

  /** Back to waiting until `until`: retry backoff, account backoff or rate limit. */
  defer(items: DeferOutcome[], now: number) {
    return this.scope(() => {
      if (items.length === 0) return;
      this.runner.write(() => {
        const events: MessageEvent[] = [];
        for (const it of items) {
          const params = { seq: it.seq, now, until: it.until, reason: it.reason, retry_count: it.retry_count, started_ts: it.started_ts ?? null };
          const m = (it.retry_count === undefined ? this.st.defer : this.st.deferRetry).get(params);
          if (m) events.push(deferEvent(m, it, now));
        }
        writeEvents(this.runner, events);
      });
    });
  }

  rateWindowCounts(tenantId: string, accountId: string, now: number) {
    return this.scope(() => {
      const r = this.st.rateCounts.get(now - 60, now - 3600, tenantId, accountId, now - 86400);
      return { minute: r?.minute ?? 0, hour: r?.hour ?? 0, day: r?.day ?? 0 };
    });
  }

  sendLogSince(tenantId: string, accountId: string, since: number) {
    return this.scope(() => this.st.sendLogSince.all(tenantId, accountId, since).map((r) => r.ts));
  }
}
