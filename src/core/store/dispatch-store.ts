import type { DB } from './db.js';
import type { EventLog } from './event-log.js';
import type { MessageState } from '../messages/types.js';
import { SUMMARY_COLUMNS, rowToSummary, type SummaryRow } from './message-rows.js';
import type { ClaimedMessage, AttemptStart, SentOutcome, ErrorOutcome, DeferOutcome, RetryResult } from './records.js';
export type { ClaimedMessage, AttemptStart, SentOutcome, ErrorOutcome, DeferOutcome, RetryResult } from './records.js';

export interface ClaimOptions {
  now: number;
  /** lease expiry written on every claimed row */
  leaseUntil: number;
  /** at most this many rows */
  limit: number;
  /**
   * How many more messages of an account (null: messages without one) may be claimed right now.
   * Omitted: no per-account limits, the head of the whole queue is taken.
   */
  capFor?: (accountId: string | null) => number;
}

/** counts the attempt an outcome ends (see AttemptCount) in the outcome's own update */
const COUNT_ATTEMPT = `attempts = attempts + (@started_ts IS NOT NULL), first_attempt_ts = coalesce(first_attempt_ts, @started_ts)`;

const CLAIM_RETURNING = `RETURNING seq, id, account_id, priority, payload, attempts, retry_count, first_attempt_ts,
  created_ts, source_captured_id`;

/**
 * Every SQL statement of the delivery engine: due-message claims, leases, outcomes and the send log.
 * Each transition writes its timeline event in the same transaction. Methods may be called inside
 * `transaction()` so that a whole claim round (claim, decisions, deferrals) commits once.
 */
export class DispatchStore {
  private readonly promoteStmt;
  private readonly nextDueStmt;
  private readonly nextLeaseStmt;
  private readonly earliestLeaseStmt;
  private readonly queuedAccountsStmt;
  private readonly queuedWithoutAccountStmt;
  private readonly headOfAccountStmt;
  private readonly headWithoutAccountStmt;
  private readonly claimSeqsStmt;
  private readonly claimHeadStmt;
  private readonly isSendingStmt;
  private readonly markSentStmt;
  private readonly sendLogInsert;
  private readonly markErrorStmt;
  private readonly deferStmt;
  private readonly deferRetryStmt;
  private readonly releaseExpiredStmt;
  private readonly releaseIdsStmt;
  private readonly rateCountsStmt;
  private readonly sendLogSinceStmt;
  private readonly pruneSendLogStmt;
  private readonly retryStmt;
  private readonly stateOfStmt;
  private readonly inFlightStmt;

  constructor(
    readonly db: DB,
    readonly events: EventLog,
  ) {
    this.promoteStmt = db.prepare<[number, number], { id: string; account_id: string | null; deferred_reason: string | null }>(
      `UPDATE messages INDEXED BY messages_deferred SET state = 'queued', updated_ts = ?
       WHERE state = 'deferred' AND deferred_ts <= ?
       RETURNING id, account_id, deferred_reason`,
    );
    this.nextDueStmt = db.prepare<[], { ts: number | null }>(
      `SELECT MIN(deferred_ts) AS ts FROM messages INDEXED BY messages_deferred WHERE state = 'deferred'`,
    );
    this.earliestLeaseStmt = db.prepare<[], { ts: number | null }>(
      `SELECT MIN(lease_until) AS ts FROM messages INDEXED BY messages_sending WHERE state = 'sending'`,
    );
    this.nextLeaseStmt = db.prepare<[string], { ts: number | null }>(
      `SELECT MIN(lease_until) AS ts FROM messages INDEXED BY messages_sending
       WHERE state = 'sending' AND id NOT IN (SELECT value FROM json_each(?))`,
    );
    // Loose index scan: one index seek per distinct account with queued work.
    this.queuedAccountsStmt = db.prepare<[], { a: string }>(
      `WITH RECURSIVE accts(a) AS (
         SELECT (SELECT account_id FROM messages INDEXED BY messages_queued_account
                 WHERE state = 'queued' AND account_id IS NOT NULL ORDER BY account_id LIMIT 1)
         UNION ALL
         SELECT (SELECT account_id FROM messages INDEXED BY messages_queued_account
                 WHERE state = 'queued' AND account_id > accts.a ORDER BY account_id LIMIT 1)
         FROM accts WHERE accts.a IS NOT NULL
       )
       SELECT a FROM accts WHERE a IS NOT NULL`,
    );
    this.queuedWithoutAccountStmt = db.prepare<[], { n: number }>(
      `SELECT EXISTS (SELECT 1 FROM messages INDEXED BY messages_queued_account
                      WHERE state = 'queued' AND account_id IS NULL) AS n`,
    );
    this.headOfAccountStmt = db.prepare<[string, number], { seq: number; priority: number }>(
      `SELECT seq, priority FROM messages INDEXED BY messages_queued_account
       WHERE state = 'queued' AND account_id = ? ORDER BY priority, seq LIMIT ?`,
    );
    this.headWithoutAccountStmt = db.prepare<[number], { seq: number; priority: number }>(
      `SELECT seq, priority FROM messages INDEXED BY messages_queued_account
       WHERE state = 'queued' AND account_id IS NULL ORDER BY priority, seq LIMIT ?`,
    );
    this.claimSeqsStmt = db.prepare<[number, number, string], ClaimedMessage>(
      `UPDATE messages SET state = 'sending', lease_until = ?, updated_ts = ?
       WHERE seq IN (SELECT value FROM json_each(?)) AND state = 'queued'
       ${CLAIM_RETURNING}`,
    );
    this.claimHeadStmt = db.prepare<[number, number, number], ClaimedMessage>(
      `UPDATE messages SET state = 'sending', lease_until = ?, updated_ts = ?
       WHERE seq IN (SELECT seq FROM messages INDEXED BY messages_queued
                     WHERE state = 'queued' ORDER BY priority, seq LIMIT ?)
       ${CLAIM_RETURNING}`,
    );
    this.isSendingStmt = db.prepare<[string], { one: number }>(`SELECT 1 AS one FROM messages WHERE id = ? AND state = 'sending'`);
    this.markSentStmt = db.prepare(
      `UPDATE messages SET state = 'sent', sent_ts = @now, updated_ts = @now, deferred_ts = NULL, ${COUNT_ATTEMPT},
         deferred_reason = NULL, error = NULL, error_ts = NULL, lease_until = NULL, sandbox = @sandbox,
         captured_id = @captured_id, smtp_message_id = @smtp_message_id, recipients = @recipients
       WHERE id = @id AND state = 'sending'`,
    );
    this.sendLogInsert = db.prepare('INSERT INTO send_log (account_id, ts) VALUES (?, ?)');
    this.markErrorStmt = db.prepare(
      `UPDATE messages SET state = 'error', error_ts = @now, error = @error, updated_ts = @now, ${COUNT_ATTEMPT},
         deferred_ts = NULL, deferred_reason = NULL, lease_until = NULL,
         recipients = coalesce(@recipients, recipients)
       WHERE id = @id AND state = 'sending'`,
    );
    this.deferStmt = db.prepare(
      `UPDATE messages SET state = 'deferred', deferred_ts = @until, deferred_reason = @reason,
         updated_ts = @now, lease_until = NULL, ${COUNT_ATTEMPT}
       WHERE id = @id AND state = 'sending'`,
    );
    this.deferRetryStmt = db.prepare(
      `UPDATE messages SET state = 'deferred', deferred_ts = @until, deferred_reason = @reason,
         retry_count = @retry_count, updated_ts = @now, lease_until = NULL, ${COUNT_ATTEMPT}
       WHERE id = @id AND state = 'sending'`,
    );
    this.releaseExpiredStmt = db.prepare<[number, number, string], { id: string; account_id: string | null }>(
      `UPDATE messages INDEXED BY messages_sending SET state = 'queued', lease_until = NULL, updated_ts = ?
       WHERE state = 'sending' AND lease_until <= ? AND id NOT IN (SELECT value FROM json_each(?))
       RETURNING id, account_id`,
    );
    this.releaseIdsStmt = db.prepare<[number, string], { id: string; account_id: string | null }>(
      `UPDATE messages SET state = 'queued', lease_until = NULL, updated_ts = ?
       WHERE state = 'sending' AND id IN (SELECT value FROM json_each(?))
       RETURNING id, account_id`,
    );
    this.rateCountsStmt = db.prepare<[number, number, string, number], { minute: number | null; hour: number | null; day: number }>(
      `SELECT sum(ts > ?) AS minute, sum(ts > ?) AS hour, count(*) AS day
       FROM send_log WHERE account_id = ? AND ts > ?`,
    );
    this.sendLogSinceStmt = db.prepare<[string, number], { ts: number }>(
      'SELECT ts FROM send_log WHERE account_id = ? AND ts > ? ORDER BY ts',
    );
    this.pruneSendLogStmt = db.prepare<[number]>('DELETE FROM send_log WHERE ts <= ?');
    this.retryStmt = db.prepare<[number, string], SummaryRow>(
      `UPDATE messages SET state = 'queued', retry_count = 0, deferred_ts = NULL, deferred_reason = NULL,
         error = NULL, error_ts = NULL, reported_ts = NULL, first_attempt_ts = NULL, lease_until = NULL, updated_ts = ?
       WHERE id = ? AND (state IN ('error', 'deferred') OR (state = 'reported' AND sent_ts IS NULL))
       RETURNING ${SUMMARY_COLUMNS}`,
    );
    this.stateOfStmt = db.prepare<[string], { state: MessageState }>('SELECT state FROM messages WHERE id = ?');
    this.inFlightStmt = db.prepare<[], { n: number }>(
      `SELECT COUNT(*) AS n FROM messages INDEXED BY messages_sending WHERE state = 'sending'`,
    );
  }

  /**
   * Runs fn in one transaction (joins an outer one); events are announced after commit. Dispatch
   * bookkeeping (claims, outcomes) commits without an fsync of its own: delivery is at-least-once, so
   * the worst a power loss can do is send again the few messages whose outcome had not reached the
   * disk. Accepting messages (enqueue) stays fully durable.
   */
  transaction<T>(fn: () => T): T {
    return this.events.transaction(fn, { durable: false });
  }

  /** Deferred messages whose time has come go back to the queue. */
  promoteDue(now: number): number {
    return this.events.transaction(() => {
      const rows = this.promoteStmt.all(now, now);
      for (const r of rows) {
        this.events.add({
          message_id: r.id,
          account_id: r.account_id,
          ts: now,
          type: 'due',
          state: 'queued',
          ...(r.deferred_reason ? { detail: { reason: r.deferred_reason } } : {}),
        });
      }
      return rows.length;
    });
  }

  /** When the earliest deferred message becomes due (epoch seconds), or null. */
  nextDueTs(): number | null {
    return this.nextDueStmt.get()?.ts ?? null;
  }

  /**
   * Earliest lease expiry among messages being sent, ignoring `excludeIds` (sends in progress here).
   * Cheap when nothing has expired at `now`: the exclusion list is only looked at then.
   */
  nextLeaseExpiry(now: number, excludeIds: () => Iterable<string>): number | null {
    const earliest = this.earliestLeaseStmt.get()?.ts ?? null;
    if (earliest === null || earliest > now) return earliest;
    return this.nextLeaseStmt.get(JSON.stringify([...excludeIds()]))?.ts ?? null;
  }

  /**
   * Claims due messages in priority, then FIFO order and leases them (state `sending`). With
   * `capFor`, each account contributes at most its cap, read from the head of its own queue.
   * Returned in dispatch order.
   */
  claimDue(opts: ClaimOptions): ClaimedMessage[] {
    if (opts.limit <= 0) return [];
    return this.events.transaction(() => {
      let rows: ClaimedMessage[];
      if (!opts.capFor) {
        rows = this.claimHeadStmt.all(opts.leaseUntil, opts.now, opts.limit);
      } else {
        const heads: { seq: number; priority: number }[] = [];
        for (const { a } of this.queuedAccountsStmt.all()) {
          const cap = Math.min(opts.capFor(a), opts.limit);
          if (cap > 0) heads.push(...this.headOfAccountStmt.all(a, cap));
        }
        if (this.queuedWithoutAccountStmt.get()?.n) {
          const cap = Math.min(opts.capFor(null), opts.limit);
          if (cap > 0) heads.push(...this.headWithoutAccountStmt.all(cap));
        }
        if (heads.length === 0) return [];
        heads.sort((x, y) => x.priority - y.priority || x.seq - y.seq);
        const seqs = heads.slice(0, opts.limit).map((h) => h.seq);
        rows = this.claimSeqsStmt.all(opts.leaseUntil, opts.now, JSON.stringify(seqs));
      }
      return rows.sort((x, y) => x.priority - y.priority || x.seq - y.seq);
    });
  }

  /**
   * Records the start of SMTP attempts (`attempt` events). The attempt itself is counted by the update
   * that records its outcome, so a send costs one row update fewer.
   */
  beginAttempts(items: AttemptStart[], now: number): void {
    if (items.length === 0) return;
    this.events.transaction(() => {
      for (const it of items) {
        if (!this.isSendingStmt.get(it.id)) continue;
        this.events.add({
          message_id: it.id,
          account_id: it.account_id,
          ts: now,
          type: 'attempt',
          state: 'sending',
          detail: { attempt: it.attempt, ...it.detail },
        });
      }
    });
  }

  /** The server accepted the message: state sent, send log row (real deliveries), `sent` event. */
  markSent(items: SentOutcome[], now: number): void {
    if (items.length === 0) return;
    this.events.transaction(() => {
      for (const it of items) {
        // a real delivery counts against the rate limits even if the row went away meanwhile
        if (it.via_account !== null && !it.sandbox) this.sendLogInsert.run(it.via_account, now);
        const changed = this.markSentStmt.run({
          id: it.id,
          now,
          sandbox: it.sandbox ? 1 : 0,
          captured_id: it.captured_id,
          smtp_message_id: it.smtp_message_id,
          recipients: it.recipients ? JSON.stringify(it.recipients) : null,
          started_ts: it.started_ts ?? null,
        }).changes;
        if (changed === 0) continue;
        this.events.add({
          message_id: it.id,
          account_id: it.account_id,
          ts: now,
          type: 'sent',
          state: 'sent',
          detail: {
            ...it.detail,
            sandbox: it.sandbox,
            ...(it.captured_id !== null ? { captured_id: it.captured_id } : {}),
            ...(it.smtp_message_id ? { smtp_message_id: it.smtp_message_id } : {}),
          },
        });
      }
    });
  }

  /** Final failure: state error with its reason, `error` event. */
  markError(items: ErrorOutcome[], now: number): void {
    if (items.length === 0) return;
    this.events.transaction(() => {
      for (const it of items) {
        const changed = this.markErrorStmt.run({
          id: it.id,
          now,
          error: it.error,
          recipients: it.recipients ? JSON.stringify(it.recipients) : null,
          started_ts: it.started_ts ?? null,
        }).changes;
        if (changed === 0) continue;
        this.events.add({
          message_id: it.id,
          account_id: it.account_id,
          ts: now,
          type: 'error',
          state: 'error',
          detail: { error: it.error, ...it.detail },
        });
      }
    });
  }

  /** Back to waiting until `until`: retry backoff, account backoff or rate limit. */
  defer(items: DeferOutcome[], now: number): void {
    if (items.length === 0) return;
    this.events.transaction(() => {
      for (const it of items) {
        const params = { id: it.id, now, until: it.until, reason: it.reason, retry_count: it.retry_count, started_ts: it.started_ts ?? null };
        const changed =
          it.retry_count === undefined ? this.deferStmt.run(params).changes : this.deferRetryStmt.run(params).changes;
        if (changed === 0) continue;
        this.events.add({
          message_id: it.id,
          account_id: it.account_id,
          ts: now,
          type: it.reason === 'rate_limited' ? 'rate_limited' : 'deferred',
          state: 'deferred',
          detail: {
            reason: it.reason,
            deferred_ts: it.until,
            ...(it.retry_count !== undefined ? { retry_count: it.retry_count } : {}),
            ...it.detail,
          },
        });
      }
    });
  }

  /**
   * Returns leased messages to the queue: those whose lease expired at `expiredAt`, except the ids
   * still being sent by this process. Start-up passes +Infinity: nothing can be in flight then.
   */
  releaseExpiredLeases(now: number, expiredAt: number, excludeIds: Iterable<string> = []): number {
    const limit = Number.isFinite(expiredAt) ? expiredAt : Number.MAX_SAFE_INTEGER;
    return this.events.transaction(() => {
      const rows = this.releaseExpiredStmt.all(now, limit, JSON.stringify([...excludeIds]));
      for (const r of rows) {
        this.events.add({ message_id: r.id, account_id: r.account_id, ts: now, type: 'lease_expired', state: 'queued' });
      }
      return rows.length;
    });
  }

  /** Returns specific leased messages to the queue (a send abandoned at shutdown). */
  releaseLeases(ids: string[], now: number, reason: string): number {
    if (ids.length === 0) return 0;
    return this.events.transaction(() => {
      const rows = this.releaseIdsStmt.all(now, JSON.stringify(ids));
      for (const r of rows) {
        this.events.add({
          message_id: r.id,
          account_id: r.account_id,
          ts: now,
          type: 'lease_expired',
          state: 'queued',
          detail: { reason },
        });
      }
      return rows.length;
    });
  }

  /** Messages accepted by the account's server within the last minute, hour and day (send log). */
  rateWindowCounts(accountId: string, now: number): { minute: number; hour: number; day: number } {
    const r = this.rateCountsStmt.get(now - 60, now - 3600, accountId, now - 86400);
    return { minute: r?.minute ?? 0, hour: r?.hour ?? 0, day: r?.day ?? 0 };
  }

  /** Send times of an account after `since`, ascending (seeds the in-memory rate windows). */
  sendLogSince(accountId: string, since: number): number[] {
    return this.sendLogSinceStmt.all(accountId, since).map((r) => r.ts);
  }

  /** Drops send-log rows no rate window can see any more. */
  pruneSendLog(before: number): number {
    return this.pruneSendLogStmt.run(before).changes;
  }

  /** Messages in state `sending` (leased), whoever holds them. */
  countLeased(): number {
    return this.inFlightStmt.get()?.n ?? 0;
  }

  /**
   * POST /api/messages/{id}/retry: a failed or waiting message goes back to the queue now, with a
   * fresh retry budget.
   */
  retry(id: string, now: number): RetryResult {
    return this.events.transaction(() => {
      const row = this.retryStmt.get(now, id);
      if (!row) {
        const existing = this.stateOfStmt.get(id);
        return existing ? { status: 'conflict', state: existing.state } : { status: 'not_found' };
      }
      this.events.add({ message_id: id, account_id: row.account_id, ts: now, type: 'retry', state: 'queued' });
      return { status: 'ok', message: rowToSummary(row) };
    });
  }
}
