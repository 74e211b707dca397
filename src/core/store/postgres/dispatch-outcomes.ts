import type { MessageEvent } from '../../messages/types.js';
import type { AttemptStart, DeferOutcome, ErrorOutcome, SentOutcome } from '../records.js';
import { attemptEvent, deferEvent, errorEvent, sentEvent } from '../sql/outcome-events.js';
import { guardOf, stateWritten, statesGuard, targetState } from '../sql/transitions.js';
import { noNul } from './params.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** counts the attempt an outcome ends (see AttemptCount) in the outcome's own update; s: its start, or null */
const countAttempt = (s: string) => `attempts = m.attempts + (CASE WHEN ${s}::bigint IS NULL THEN 0 ELSE 1 END),
  first_attempt_ts = coalesce(m.first_attempt_ts, ${s}::bigint)`;

/** the message an outcome's update changed, for its timeline row */
type Changed = { id: string; tenant_id: string };

/** Every sent message of a batch in one statement ($1 seqs, $3.. their columns, in the same order). */
const SENT = `UPDATE messages m SET state = ${stateWritten('sent')}, sent_ts = $2, updated_ts = $2, deferred_ts = NULL,
    attempts = m.attempts + (CASE WHEN u.started IS NULL THEN 0 ELSE 1 END), first_attempt_ts = coalesce(m.first_attempt_ts, u.started),
    deferred_reason = NULL, error = NULL, error_ts = NULL, lease_until = NULL, sandbox = u.sandbox,
    captured_id = u.captured_id, smtp_message_id = u.smtp_id, recipients = u.recipients
  FROM unnest($1::bigint[], $3::smallint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[]) AS u(seq, sandbox, captured_id, smtp_id, recipients, started)
  WHERE m.seq = u.seq AND ${guardOf('sent', 'm')} RETURNING m.seq, m.id, m.tenant_id`;
const ERROR = `UPDATE messages m SET state = ${stateWritten('fail')}, error_ts = $2, error = u.error, updated_ts = $2, ${countAttempt('u.started')},
    deferred_ts = NULL, deferred_reason = NULL, lease_until = NULL, recipients = coalesce(u.recipients, m.recipients)
  FROM unnest($1::bigint[], $3::text[], $4::text[], $5::bigint[]) AS u(seq, error, recipients, started)
  WHERE m.seq = u.seq AND ${guardOf('fail', 'm')} RETURNING m.seq, m.id, m.tenant_id`;
const DEFER = `UPDATE messages m SET state = ${stateWritten('defer')}, deferred_ts = u.until, deferred_reason = u.reason,
    retry_count = coalesce(u.retry, m.retry_count), updated_ts = $2, lease_until = NULL, ${countAttempt('u.started')}
  FROM unnest($1::bigint[], $3::bigint[], $4::text[], $5::int[], $6::bigint[]) AS u(seq, until, reason, retry, started)
  WHERE m.seq = u.seq AND ${guardOf('defer', 'm')} RETURNING m.seq, m.id, m.tenant_id`;

/** The first outcome of each seq: a later one for the same lease would find it no longer `sending`. */
const firstPerSeq = <T extends { seq: number }>(items: T[]): T[] => {
  const seen = new Set<number>();
  return items.filter((it) => !seen.has(it.seq) && seen.add(it.seq));
};

/** The timeline rows of the changed messages, in the order of the outcomes that changed them. */
const eventsOf = <T extends { seq: number }>(items: T[], rows: (Changed & { seq: number })[], event: (m: Changed, it: T) => MessageEvent): MessageEvent[] => {
  const changed = new Map(rows.map((r) => [r.seq, r]));
  return items.flatMap((it) => {
    const row = changed.get(it.seq);
    return row ? [event(row, it)] : [];
  });
};

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
        const { rows } = await tx.query<Changed & { seq: number }>(
          `SELECT seq, id, tenant_id FROM messages WHERE seq = ANY($1::bigint[]) AND ${statesGuard([targetState('claim')])}`,
          [items.map((it) => it.seq)],
        );
        const changed = new Map(rows.map((r) => [r.seq, r]));
        await this.runner.outbox.recordMany(tx, items.flatMap((it) => (changed.has(it.seq) ? [attemptEvent(changed.get(it.seq)!, it, now)] : [])));
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
        await this.runner.outbox.recordMany(tx, eventsOf(firstPerSeq(items), rows, (m, it) => sentEvent(m, it, now)));
      });
    });
  }

  markError(items: ErrorOutcome[], now: number) {
    return this.scope(async (db) => {
      if (items.length === 0) return;
      await this.runner.write(db, async (tx) => {
        const first = firstPerSeq(items);
        const { rows } = await tx.query<Changed & { seq: number }>(ERROR, [
          first.map((it) => it.seq),
          now,
          first.map((it) => noNul(it.error)),
          first.map((it) => (it.recipients ? JSON.stringify(it.recipients) : null)),
          first.map((it) => it.started_ts ?? null),
        ]);
        await this.runner.outbox.recordMany(tx, eventsOf(first, rows, (m, it) => errorEvent(m, it, now)));
        await tx.query(FREE_SLOTS, [items.map((it) => it.seq)]);
      });
    });
  }

  /** Back to waiting until `until`: retry backoff, account backoff or rate limit. */
  defer(items: DeferOutcome[], now: number) {
    return this.scope(async (db) => {
      if (items.length === 0) return;
      await this.runner.write(db, async (tx) => {
        const first = firstPerSeq(items);
        const { rows } = await tx.query<Changed & { seq: number }>(DEFER, [
          first.map((it) => it.seq),
          now,
          first.map((it) => it.until),
          first.map((it) => it.reason),
          first.map((it) => it.retry_count ?? null),
          first.map((it) => it.started_ts ?? null),
        ]);
        await this.runner.outbox.recordMany(tx, eventsOf(first, rows, (m, it) => deferEvent(m, it, now)));
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
