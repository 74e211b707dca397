import type { AttemptStart, DeferOutcome, ErrorOutcome, SentOutcome } from '../records.js';
import { attemptEvent, deferEvent, errorEvent, sentEvent } from '../sql/outcome-events.js';
import { guardOf, stateWritten, statesGuard, targetState } from '../sql/transitions.js';
import { noNul } from './params.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** counts the attempt an outcome ends (see AttemptCount) in the outcome's own update; $s: its start, or null */
const countAttempt = (s: string) => `attempts = attempts + (CASE WHEN ${s}::bigint IS NULL THEN 0 ELSE 1 END),
  first_attempt_ts = coalesce(first_attempt_ts, ${s}::bigint)`;

/** the message an outcome's update changed, for its timeline row */
type Changed = { id: string; tenant_id: string };

/** Every sent message of a batch in one statement ($1 seqs, $3.. their columns, in the same order). */
const SENT = `UPDATE messages m SET state = ${stateWritten('sent')}, sent_ts = $2, updated_ts = $2, deferred_ts = NULL,
    attempts = m.attempts + (CASE WHEN u.started IS NULL THEN 0 ELSE 1 END), first_attempt_ts = coalesce(m.first_attempt_ts, u.started),
    deferred_reason = NULL, error = NULL, error_ts = NULL, lease_until = NULL, sandbox = u.sandbox,
    captured_id = u.captured_id, smtp_message_id = u.smtp_id, recipients = u.recipients
  FROM unnest($1::bigint[], $3::smallint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[]) AS u(seq, sandbox, captured_id, smtp_id, recipients, started)
  WHERE m.seq = u.seq AND ${guardOf('sent', 'm')} RETURNING m.seq, m.id, m.tenant_id`;
const ERROR = `UPDATE messages SET state = ${stateWritten('fail')}, error_ts = $2, error = $3, updated_ts = $2, ${countAttempt('$5')},
    deferred_ts = NULL, deferred_reason = NULL, lease_until = NULL, recipients = coalesce($4, recipients)
  WHERE seq = $1 AND ${guardOf('fail')} RETURNING id, tenant_id`;
const DEFER = `UPDATE messages SET state = ${stateWritten('defer')}, deferred_ts = $3, deferred_reason = $4,
    retry_count = coalesce($5::int, retry_count), updated_ts = $2, lease_until = NULL, ${countAttempt('$6')}
  WHERE seq = $1 AND ${guardOf('defer')} RETURNING id, tenant_id`;

/** The sends replace the rate slots their claims took ($4: every seq of the batch; a failover sends through another account). */
const SENDS_LOGGED = `WITH slot AS (DELETE FROM send_log WHERE seq = ANY($4::bigint[]))
  INSERT INTO send_log (tenant_id, account_id, ts) SELECT t, a, $3 FROM unnest($1::text[], $2::text[]) AS k(t, a)`;
/** Unsent outcomes give their rate slots back. */
const FREE_SLOTS = 'DELETE FROM send_log WHERE seq = ANY($1::bigint[])';

/**
 * The outcomes of sends (sent, error, deferred), each with its timeline row, and the send log that
 * the rate limits read. A second outcome for the same lease changes nothing: the guards need `sending`.
 */
export class PgDispatchOutcomes {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
  ) {}

  /** The attempt itself is counted by the update that records its outcome. */
  beginAttempts(items: AttemptStart[], now: number) {
    return this.scope(async (db) => {
      if (items.length === 0) return;
      await this.runner.write(db, async (tx) => {
        for (const it of items) {
          const { rows } = await tx.query<Changed>(`SELECT id, tenant_id FROM messages WHERE seq = $1 AND ${statesGuard([targetState('claim')])}`, [it.seq]);
          if (!rows[0]) continue;
          await this.runner.outbox.record(tx, attemptEvent(rows[0], it, now));
        }
      });
    });
  }

  markSent(items: SentOutcome[], now: number) {
    return this.scope(async (db) => {
      if (items.length === 0) return;
      await this.runner.write(db, async (tx) => {
        // a real delivery counts against the rate limits even if the row went away meanwhile; its rate slot becomes the send
        const logged = items.filter((it) => it.via_account !== null && !it.sandbox);
        await tx.query(SENDS_LOGGED, [logged.map((it) => it.tenant_id), logged.map((it) => it.via_account), now, items.map((it) => it.seq)]);
        const { rows } = await tx.query<Changed & { seq: number }>(SENT, [
          items.map((it) => it.seq),
          now,
          items.map((it) => (it.sandbox ? 1 : 0)),
          items.map((it) => it.captured_id),
          items.map((it) => it.smtp_message_id),
          items.map((it) => (it.recipients ? JSON.stringify(it.recipients) : null)),
          items.map((it) => it.started_ts ?? null),
        ]);
        const changed = new Map(rows.map((r) => [r.seq, r]));
        for (const it of items) {
          const row = changed.get(it.seq);
          if (!row) continue;
          changed.delete(it.seq);
          await this.runner.outbox.record(tx, sentEvent(row, it, now));
        }
      });
    });
  }

  markError(items: ErrorOutcome[], now: number) {
    return this.scope(async (db) => {
      if (items.length === 0) return;
      await this.runner.write(db, async (tx) => {
        for (const it of items) {
          const recipients = it.recipients ? JSON.stringify(it.recipients) : null;
          const { rows } = await tx.query<Changed>(ERROR, [it.seq, now, noNul(it.error), recipients, it.started_ts ?? null]);
          if (!rows[0]) continue;
          await this.runner.outbox.record(tx, errorEvent(rows[0], it, now));
        }
        await tx.query(FREE_SLOTS, [items.map((it) => it.seq)]);
      });
    });
  }

  /** Back to waiting until `until`: retry backoff, account backoff or rate limit. */
  defer(items: DeferOutcome[], now: number) {
    return this.scope(async (db) => {
      if (items.length === 0) return;
      await this.runner.write(db, async (tx) => {
        for (const it of items) {
          const { rows } = await tx.query<Changed>(DEFER, [it.seq, now, it.until, it.reason, it.retry_count ?? null, it.started_ts ?? null]);
          if (!rows[0]) continue;
          await this.runner.outbox.record(tx, deferEvent(rows[0], it, now));
        }
        await tx.query(FREE_SLOTS, [items.map((it) => it.seq)]);
      });
    });
  }

  rateWindowCounts(tenantId: string, accountId: string, now: number) {
    return this.scope(async (db) => {
      const { rows } = await db.query<{ minute: number; hour: number; day: number }>(
        `SELECT count(*) FILTER (WHERE ts > $1) AS minute, count(*) FILTER (WHERE ts > $2) AS hour, count(*) AS day
         FROM send_log WHERE tenant_id = $3 AND account_id = $4 AND ts > $5`,
        [now - 60, now - 3600, tenantId, accountId, now - 86400],
      );
      return { minute: rows[0]?.minute ?? 0, hour: rows[0]?.hour ?? 0, day: rows[0]?.day ?? 0 };
    });
  }

  sendLogSince(tenantId: string, accountId: string, since: number) {
    return this.scope(async (db) =>
      (await db.query<{ ts: number }>('SELECT ts FROM send_log WHERE tenant_id = $1 AND account_id = $2 AND ts > $3 ORDER BY ts', [tenantId, accountId, since])).rows.map((r) => r.ts),
    );
  }
}
