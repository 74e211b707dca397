import type { AttemptStart, DeferOutcome, ErrorOutcome, SentOutcome } from '../records.js';
import { attemptEvent, deferEvent, errorEvent, sentEvent } from '../sql/outcome-events.js';
import { guardOf, stateWritten, statesGuard, targetState } from '../sql/transitions.js';
import { firstPerSeq } from './outbox.js';
import { noNul } from './params.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** counts the attempt an outcome ends (see AttemptCount) in the outcome's own update; s: its start, or null */
const countAttempt = (s: string) => `attempts = m.attempts + (CASE WHEN ${s}::bigint IS NULL THEN 0 ELSE 1 END),
  first_attempt_ts = coalesce(m.first_attempt_ts, ${s}::bigint)`;

/**
 * Every sent message of a batch ($1 seqs, $3.. their columns, in the same order) and the send log in one
 * statement: the sends replace the rate slots their claims took ($8: every seq of the batch; a failover
 * sends through another account), logged for tenants $9 / accounts $10, whether or not the row is still there.
 */
const SENT = `slot AS (DELETE FROM send_log WHERE seq = ANY($1::bigint[])),
  logged AS (INSERT INTO send_log (tenant_id, account_id, ts) SELECT t, a, $2 FROM unnest($8::text[], $9::text[]) AS k(t, a)),
  u AS (UPDATE messages m SET state = ${stateWritten('sent')}, sent_ts = $2, updated_ts = $2, deferred_ts = NULL,
    attempts = m.attempts + (CASE WHEN u.started IS NULL THEN 0 ELSE 1 END), first_attempt_ts = coalesce(m.first_attempt_ts, u.started),
    deferred_reason = NULL, error = NULL, error_ts = NULL, lease_until = NULL, sandbox = u.sandbox,
    captured_id = u.captured_id, smtp_message_id = u.smtp_id, recipients = u.recipients
  FROM unnest($1::bigint[], $3::smallint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[]) AS u(seq, sandbox, captured_id, smtp_id, recipients, started)
  WHERE m.seq = u.seq AND ${guardOf('sent', 'm')} RETURNING m.seq, m.id, m.tenant_id)`;
/** Unsent outcomes give their rate slots back ($1: every seq of the batch). */
const ERROR = `slot AS (DELETE FROM send_log WHERE seq = ANY($1::bigint[])),
  u AS (UPDATE messages m SET state = ${stateWritten('fail')}, error_ts = $2, error = u.error, updated_ts = $2, ${countAttempt('u.started')},
    deferred_ts = NULL, deferred_reason = NULL, lease_until = NULL, recipients = coalesce(u.recipients, m.recipients)
  FROM unnest($6::bigint[], $3::text[], $4::text[], $5::bigint[]) AS u(seq, error, recipients, started)
  WHERE m.seq = u.seq AND ${guardOf('fail', 'm')} RETURNING m.seq, m.id, m.tenant_id)`;
const DEFER = `slot AS (DELETE FROM send_log WHERE seq = ANY($1::bigint[])),
  u AS (UPDATE messages m SET state = ${stateWritten('defer')}, deferred_ts = u.until, deferred_reason = u.reason,
    retry_count = coalesce(u.retry, m.retry_count), updated_ts = $2, lease_until = NULL, ${countAttempt('u.started')}
  FROM unnest($7::bigint[], $3::bigint[], $4::text[], $5::int[], $6::bigint[]) AS u(seq, until, reason, retry, started)
  WHERE m.seq = u.seq AND ${guardOf('defer', 'm')} RETURNING m.seq, m.id, m.tenant_id)`;
/** The messages still leased, for their `attempt` rows ($1 seqs). */
const ATTEMPTS = `u AS (SELECT seq, id, tenant_id FROM messages WHERE seq = ANY($1::bigint[]) AND ${statesGuard([targetState('claim')])})`;

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
      await this.runner.write(db, (tx) => this.runner.outbox.changeAndRecord(tx, ATTEMPTS, [items.map((it) => it.seq)], items, (m, it) => attemptEvent(m, it, now)));
    });
  }

  markSent(items: SentOutcome[], now: number) {
    return this.scope(async (db) => {
      if (items.length === 0) return;
      // a real delivery counts against the rate limits even if the row went away meanwhile
      const logged = items.filter((it) => it.via_account !== null && !it.sandbox);
      const first = firstPerSeq(items);
      const params = [
        first.map((it) => it.seq),
        now,
        first.map((it) => (it.sandbox ? 1 : 0)),
        first.map((it) => it.captured_id),
        first.map((it) => it.smtp_message_id),
        first.map((it) => (it.recipients ? JSON.stringify(it.recipients) : null)),
        first.map((it) => it.started_ts ?? null),
        logged.map((it) => it.tenant_id),
        logged.map((it) => it.via_account),
      ];
      await this.runner.write(db, (tx) => this.runner.outbox.changeAndRecord(tx, SENT, params, first, (m, it) => sentEvent(m, it, now)));
    });
  }

  markError(items: ErrorOutcome[], now: number) {
    return this.scope(async (db) => {
      if (items.length === 0) return;
      const first = firstPerSeq(items);
      const params = [
        items.map((it) => it.seq),
        now,
        first.map((it) => noNul(it.error)),
        first.map((it) => (it.recipients ? JSON.stringify(it.recipients) : null)),
        first.map((it) => it.started_ts ?? null),
        first.map((it) => it.seq),
      ];
      await this.runner.write(db, (tx) => this.runner.outbox.changeAndRecord(tx, ERROR, params, first, (m, it) => errorEvent(m, it, now)));
    });
  }

  /** Back to waiting until `until`: retry backoff, account backoff or rate limit. */
  defer(items: DeferOutcome[], now: number) {
    return this.scope(async (db) => {
      if (items.length === 0) return;
      const first = firstPerSeq(items);
      const params = [
        items.map((it) => it.seq),
        now,
        first.map((it) => it.until),
        first.map((it) => it.reason),
        first.map((it) => it.retry_count ?? null),
        first.map((it) => it.started_ts ?? null),
        first.map((it) => it.seq),
      ];
      await this.runner.write(db, (tx) => this.runner.outbox.changeAndRecord(tx, DEFER, params, first, (m, it) => deferEvent(m, it, now)));
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
