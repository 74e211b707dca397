import { TRANSITIONS } from '../../messages/state-machine.js';
import type { ClaimedMessage, ClaimRequest } from '../records.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';
import { guardOf, stateWritten, targetState } from './transitions.js';

const CLAIM_RETURNING = `RETURNING seq, id, account_id, priority, payload, attempts, retry_count, first_attempt_ts,
  created_ts, source_captured_id`;

type Released = { id: string; account_id: string | null };

/** Each statement names the partial index that serves it: without statistics the planner might not. */
export function prepareClaimStatements({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    promote: db.prepare<[number, number], Released & { deferred_reason: string | null }>(
      `UPDATE messages INDEXED BY messages_deferred SET state = ${stateWritten('promote')}, updated_ts = ?
       WHERE ${guardOf('promote')} AND deferred_ts <= ?
       RETURNING id, account_id, deferred_reason`,
    ),
    nextDue: db.prepare<[], { ts: number | null }>(
      `SELECT MIN(deferred_ts) AS ts FROM messages INDEXED BY messages_deferred WHERE ${guardOf('promote')}`,
    ),
    earliestLease: db.prepare<[], { ts: number | null }>(
      `SELECT MIN(lease_until) AS ts FROM messages INDEXED BY messages_sending WHERE ${guardOf('expire')}`,
    ),
    nextLease: db.prepare<[string], { ts: number | null }>(
      `SELECT MIN(lease_until) AS ts FROM messages INDEXED BY messages_sending
       WHERE ${guardOf('expire')} AND id NOT IN (SELECT value FROM json_each(?))`,
    ),
    // loose index scan: one index seek per distinct account with work to claim
    claimableAccounts: db.prepare<[], { a: string }>(
      `WITH RECURSIVE accts(a) AS (
         SELECT (SELECT account_id FROM messages INDEXED BY messages_queued_account
                 WHERE ${guardOf('claim')} AND account_id IS NOT NULL ORDER BY account_id LIMIT 1)
         UNION ALL
         SELECT (SELECT account_id FROM messages INDEXED BY messages_queued_account
                 WHERE ${guardOf('claim')} AND account_id > accts.a ORDER BY account_id LIMIT 1)
         FROM accts WHERE accts.a IS NOT NULL
       )
       SELECT a FROM accts WHERE a IS NOT NULL`,
    ),
    claimableWithoutAccount: db.prepare<[], { n: number }>(
      `SELECT EXISTS (SELECT 1 FROM messages INDEXED BY messages_queued_account
                      WHERE ${guardOf('claim')} AND account_id IS NULL) AS n`,
    ),
    headOfAccount: db.prepare<[string, number], { seq: number; priority: number }>(
      `SELECT seq, priority FROM messages INDEXED BY messages_queued_account
       WHERE ${guardOf('claim')} AND account_id = ? ORDER BY priority, seq LIMIT ?`,
    ),
    headWithoutAccount: db.prepare<[number], { seq: number; priority: number }>(
      `SELECT seq, priority FROM messages INDEXED BY messages_queued_account
       WHERE ${guardOf('claim')} AND account_id IS NULL ORDER BY priority, seq LIMIT ?`,
    ),
    // the rows are found by seq (the rowid): NOT INDEXED keeps the state guard from routing the lookup
    // through messages_state_seq, one index search more per row
    claimSeqs: db.prepare<[number, number, string], ClaimedMessage>(
      `UPDATE messages NOT INDEXED SET state = ${stateWritten('claim')}, lease_until = ?, updated_ts = ?
       WHERE seq IN (SELECT value FROM json_each(?)) AND ${guardOf('claim')}
       ${CLAIM_RETURNING}`,
    ),
    claimHead: db.prepare<[number, number, number], ClaimedMessage>(
      `UPDATE messages NOT INDEXED SET state = ${stateWritten('claim')}, lease_until = ?, updated_ts = ?
       WHERE seq IN (SELECT seq FROM messages INDEXED BY messages_queued
                     WHERE ${guardOf('claim')} ORDER BY priority, seq LIMIT ?) AND ${guardOf('claim')}
       ${CLAIM_RETURNING}`,
    ),
    releaseExpired: db.prepare<[number, number, string], Released>(
      `UPDATE messages INDEXED BY messages_sending SET state = ${stateWritten('expire')}, lease_until = NULL, updated_ts = ?
       WHERE ${guardOf('expire')} AND lease_until <= ? AND id NOT IN (SELECT value FROM json_each(?))
       RETURNING id, account_id`,
    ),
    releaseIds: db.prepare<[number, string], Released>(
      `UPDATE messages SET state = ${stateWritten('release')}, lease_until = NULL, updated_ts = ?
       WHERE ${guardOf('release')} AND id IN (SELECT value FROM json_each(?))
       RETURNING id, account_id`,
    ),
    leased: db.prepare<[], { n: number }>(
      `SELECT COUNT(*) AS n FROM messages INDEXED BY messages_sending WHERE ${guardOf('expire')}`,
    ),
  };
}

const byDispatchOrder = (x: { priority: number; seq: number }, y: { priority: number; seq: number }) =>
  x.priority - y.priority || x.seq - y.seq;

/** The queue side of dispatch: what is due, claims and their leases, and leases given back. */
export class DispatchClaims {
  private readonly st;

  constructor(
    private readonly runner: TransactionRunner,
    private readonly scope: Scope,
  ) {
    this.st = runner.once(prepareClaimStatements);
  }

  promoteDue(now: number) {
    return this.scope(() =>
      this.runner.write(() => {
        const rows = this.st.promote.all(now, now);
        for (const r of rows) {
          this.runner.outbox.record({
            message_id: r.id,
            account_id: r.account_id,
            ts: now,
            type: TRANSITIONS.promote.events[0],
            state: targetState('promote'),
            ...(r.deferred_reason ? { detail: { reason: r.deferred_reason } } : {}),
          });
        }
        return rows.length;
      }),
    );
  }

  nextDueTs() {
    return this.scope(() => this.st.nextDue.get()?.ts ?? null);
  }

  nextLeaseExpiry(excludeIds: readonly string[] = []) {
    return this.scope(() =>
      excludeIds.length === 0
        ? (this.st.earliestLease.get()?.ts ?? null)
        : (this.st.nextLease.get(JSON.stringify(excludeIds))?.ts ?? null),
    );
  }

  /** With caps, each account contributes at most its cap, taken from the head of its own queue. */
  claim(req: ClaimRequest) {
    return this.scope(() => {
      if (req.limit <= 0) return [];
      return this.runner.write(() => {
        if (!req.caps) return this.st.claimHead.all(req.leaseUntil, req.now, req.limit).sort(byDispatchOrder);
        const { perAccount, noAccount, otherAccounts } = req.caps;
        const heads: { seq: number; priority: number }[] = [];
        for (const { a } of this.st.claimableAccounts.all()) {
          const cap = Math.min(perAccount.get(a) ?? otherAccounts, req.limit);
          if (cap > 0) heads.push(...this.st.headOfAccount.all(a, cap));
        }
        if (this.st.claimableWithoutAccount.get()?.n) {
          const cap = Math.min(noAccount, req.limit);
          if (cap > 0) heads.push(...this.st.headWithoutAccount.all(cap));
        }
        if (heads.length === 0) return [];
        const seqs = heads.sort(byDispatchOrder).slice(0, req.limit).map((h) => h.seq);
        return this.st.claimSeqs.all(req.leaseUntil, req.now, JSON.stringify(seqs)).sort(byDispatchOrder);
      });
    });
  }

  /** Start-up passes expiredAt = +Infinity: nothing can be in flight then. */
  releaseExpiredLeases(now: number, expiredAt: number, excludeIds: readonly string[] = []) {
    const limit = Number.isFinite(expiredAt) ? expiredAt : Number.MAX_SAFE_INTEGER;
    return this.scope(() =>
      this.runner.write(() => {
        const rows = this.st.releaseExpired.all(now, limit, JSON.stringify(excludeIds));
        for (const r of rows) this.recordRelease('expire', r, now);
        return rows.length;
      }),
    );
  }

  releaseLeases(ids: string[], now: number, reason: string) {
    return this.scope(() => {
      if (ids.length === 0) return 0;
      return this.runner.write(() => {
        const rows = this.st.releaseIds.all(now, JSON.stringify(ids));
        for (const r of rows) this.recordRelease('release', r, now, { reason });
        return rows.length;
      });
    });
  }

  countLeased() {
    return this.scope(() => this.st.leased.get()?.n ?? 0);
  }

  private recordRelease(t: 'expire' | 'release', r: Released, now: number, detail?: Record<string, unknown>): void {
    const [type] = TRANSITIONS[t].events;
    this.runner.outbox.record({ message_id: r.id, account_id: r.account_id, ts: now, type, state: targetState(t), ...(detail ? { detail } : {}) });
  }
}
