import type { AttemptStart, DeferOutcome, ErrorOutcome, SentOutcome } from '../records.js';
import { attemptEvent, deferEvent, errorEvent, sentEvent } from '../sql/outcome-events.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';
import { guardOf, stateWritten, statesGuard, targetState } from '../sql/transitions.js';

/** counts the attempt an outcome ends (see AttemptCount) in the outcome's own update */
const COUNT_ATTEMPT = `attempts = attempts + (@started_ts IS NOT NULL), first_attempt_ts = coalesce(first_attempt_ts, @started_ts)`;

/** the message an outcome's update changed, for its timeline row */
type Changed = { id: string; tenant_id: string };

export function prepareOutcomeStatements({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    leased: db.prepare<[number], Changed>(`SELECT id, tenant_id FROM messages WHERE seq = ? AND ${statesGuard([targetState('claim')])}`),
    sent: db.prepare<Record<string, unknown>, Changed>(
      `UPDATE messages SET state = ${stateWritten('sent')}, sent_ts = @now, updated_ts = @now, deferred_ts = NULL, ${COUNT_ATTEMPT},
         deferred_reason = NULL, error = NULL, error_ts = NULL, lease_until = NULL, sandbox = @sandbox,
         captured_id = @captured_id, smtp_message_id = @smtp_message_id, recipients = @recipients
       WHERE seq = @seq AND ${guardOf('sent')}
       RETURNING id, tenant_id`,
    ),
    sendLogInsert: db.prepare<[string, string, number]>('INSERT INTO send_log (tenant_id, account_id, ts) VALUES (?, ?, ?)'),
    error: db.prepare<Record<string, unknown>, Changed>(
      `UPDATE messages SET state = ${stateWritten('fail')}, error_ts = @now, error = @error, updated_ts = @now, ${COUNT_ATTEMPT},
         deferred_ts = NULL, deferred_reason = NULL, lease_until = NULL,
         recipients = coalesce(@recipients, recipients)
       WHERE seq = @seq AND ${guardOf('fail')}
       RETURNING id, tenant_id`,
    ),
    defer: db.prepare<Record<string, unknown>, Changed>(
      `UPDATE messages SET state = ${stateWritten('defer')}, deferred_ts = @until, deferred_reason = @reason,
         updated_ts = @now, lease_until = NULL, ${COUNT_ATTEMPT}
       WHERE seq = @seq AND ${guardOf('defer')}
       RETURNING id, tenant_id`,
    ),
    deferRetry: db.prepare<Record<string, unknown>, Changed>(
      `UPDATE messages SET state = ${stateWritten('defer')}, deferred_ts = @until, deferred_reason = @reason,
         retry_count = @retry_count, updated_ts = @now, lease_until = NULL, ${COUNT_ATTEMPT}
       WHERE seq = @seq AND ${guardOf('defer')}
       RETURNING id, tenant_id`,
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

/**
 * The outcomes of sends (sent, error, deferred), each with its timeline row, and the send log that
 * the rate limits read. A second outcome for the same lease changes nothing: the guards need `sending`.
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
        for (const it of items) {
          const m = this.st.leased.get(it.seq);
          if (!m) continue;
          this.runner.outbox.record(attemptEvent(m, it, now));
        }
      });
    });
  }

  markSent(items: SentOutcome[], now: number) {
    return this.scope(() => {
      if (items.length === 0) return;
      this.runner.write(() => {
        for (const it of items) {
          // a real delivery counts against the rate limits even if the row went away meanwhile
          if (it.via_account !== null && !it.sandbox) this.st.sendLogInsert.run(it.tenant_id, it.via_account, now);
          const m = this.st.sent.get({
            seq: it.seq,
            now,
            sandbox: it.sandbox ? 1 : 0,
            captured_id: it.captured_id,
            smtp_message_id: it.smtp_message_id,
            recipients: it.recipients ? JSON.stringify(it.recipients) : null,
            started_ts: it.started_ts ?? null,
          });
          if (!m) continue;
          this.runner.outbox.record(sentEvent(m, it, now));
        }
      });
    });
  }

  markError(items: ErrorOutcome[], now: number) {
    return this.scope(() => {
      if (items.length === 0) return;
      this.runner.write(() => {
        for (const it of items) {
          const m = this.st.error.get({
            seq: it.seq,
            now,
            error: it.error,
            recipients: it.recipients ? JSON.stringify(it.recipients) : null,
            started_ts: it.started_ts ?? null,
          });
          if (!m) continue;
          this.runner.outbox.record(errorEvent(m, it, now));
        }
      });
    });
  }

  /** Back to waiting until `until`: retry backoff, account backoff or rate limit. */
  defer(items: DeferOutcome[], now: number) {
    return this.scope(() => {
      if (items.length === 0) return;
      this.runner.write(() => {
        for (const it of items) {
          const params = { seq: it.seq, now, until: it.until, reason: it.reason, retry_count: it.retry_count, started_ts: it.started_ts ?? null };
          const m = (it.retry_count === undefined ? this.st.defer : this.st.deferRetry).get(params);
          if (!m) continue;
          this.runner.outbox.record(deferEvent(m, it, now));
        }
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
