import { TRANSITIONS } from '../../messages/state-machine.js';
import { accountKey, type ClaimedMessage, type ClaimRequest, type HeldWork } from '../records.js';
import type { Scope } from './gate.js';
import type { TransactionRunner } from './transaction-runner.js';
import { guardOf, stateWritten, targetState } from '../sql/transitions.js';

const CLAIM_RETURNING = `RETURNING seq, id, tenant_id, account_id, batch_code, priority, payload, attempts, retry_count,
  first_attempt_ts, created_ts, source_captured_id`;

type Released = { id: string; tenant_id: string; account_id: string | null };
type Head = { seq: number; priority: number };

/** Rows of held tenants and batches stay (@tenants: JSON ids, @batches: JSON [{t, b}]). */
const NOT_HELD = `tenant_id NOT IN (SELECT value FROM json_each(@tenants))
  AND (batch_code IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(@batches) h WHERE h.value ->> 't' = tenant_id AND h.value ->> 'b' = batch_code))`;

/** Each statement names the partial index that serves it: without statistics the planner might not. */
export function prepareClaimStatements({ db }: Pick<TransactionRunner, 'db'>) {
  return {
    promote: db.prepare<[number, number], Released & { deferred_reason: string | null }>(
      `UPDATE messages INDEXED BY messages_deferred SET state = ${stateWritten('promote')}, updated_ts = ?
       WHERE ${guardOf('promote')} AND deferred_ts <= ?
       RETURNING id, tenant_id, account_id, deferred_reason`,
    ),
    nextDue: db.prepare<[], { ts: number | null }>(
      `SELECT MIN(deferred_ts) AS ts FROM messages INDEXED BY messages_deferred WHERE ${guardOf('promote')}`,
    ),
    earliestLease: db.prepare<[], { ts: number | null }>(
      `SELECT MIN(lease_until) AS ts FROM messages INDEXED BY messages_sending WHERE ${guardOf('expire')}`,
    ),
    nextLease: db.prepare<[string], { ts: number | null }>(
      `SELECT MIN(lease_until) AS ts FROM messages INDEXED BY messages_sending
       WHERE ${guardOf('expire')} AND seq NOT IN (SELECT value FROM json_each(?))`,
    ),
    // a loose index scan: one index seek per distinct (tenant, account) with work to claim
    firstAccount: db.prepare<[], { t: string; a: string }>(
      `SELECT tenant_id AS t, account_id AS a FROM messages INDEXED BY messages_queued_account
       WHERE ${guardOf('claim')} AND account_id IS NOT NULL ORDER BY tenant_id, account_id LIMIT 1`,
    ),
    // the next account of the same tenant, else the first of a later tenant: two seeks. A row value
    // `(tenant_id, account_id) > (?, ?)` seeks too, but then walks every queued row of the current account
    nextAccount: db.prepare<[string, string, string], { t: string; a: string }>(
      `SELECT t, a FROM (
         SELECT * FROM (SELECT tenant_id AS t, account_id AS a FROM messages INDEXED BY messages_queued_account
           WHERE ${guardOf('claim')} AND tenant_id = ? AND account_id > ? ORDER BY account_id LIMIT 1)
         UNION ALL
         SELECT * FROM (SELECT tenant_id AS t, account_id AS a FROM messages INDEXED BY messages_queued_account
           WHERE ${guardOf('claim')} AND tenant_id > ? AND account_id IS NOT NULL ORDER BY tenant_id, account_id LIMIT 1)
       ) LIMIT 1`,
    ),
    claimableWithoutAccount: db.prepare<[], { n: number }>(
      `SELECT EXISTS (SELECT 1 FROM messages INDEXED BY messages_queued_unassigned WHERE ${guardOf('claim')} AND account_id IS NULL) AS n`,
    ),
    headOfAccount: db.prepare<[string, string, number], Head>(
      `SELECT seq, priority FROM messages INDEXED BY messages_queued_account
       WHERE ${guardOf('claim')} AND tenant_id = ? AND account_id = ? ORDER BY priority, seq LIMIT ?`,
    ),
    // the held batches of that tenant as a JSON array
    headOfAccountHeld: db.prepare<[string, string, string, number], Head>(
      `SELECT seq, priority FROM messages INDEXED BY messages_queued_account
       WHERE ${guardOf('claim')} AND tenant_id = ? AND account_id = ?
         AND (batch_code IS NULL OR batch_code NOT IN (SELECT value FROM json_each(?)))
       ORDER BY priority, seq LIMIT ?`,
    ),
    headWithoutAccount: db.prepare<{ tenants: string; batches: string; limit: number }, Head>(
      `SELECT seq, priority FROM messages INDEXED BY messages_queued_unassigned
       WHERE ${guardOf('claim')} AND account_id IS NULL AND ${NOT_HELD} ORDER BY priority, seq LIMIT @limit`,
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
    claimHeadHeld: db.prepare<{ leaseUntil: number; now: number; limit: number; tenants: string; batches: string }, ClaimedMessage>(
      `UPDATE messages NOT INDEXED SET state = ${stateWritten('claim')}, lease_until = @leaseUntil, updated_ts = @now
       WHERE seq IN (SELECT seq FROM messages INDEXED BY messages_queued
                     WHERE ${guardOf('claim')} AND ${NOT_HELD} ORDER BY priority, seq LIMIT @limit) AND ${guardOf('claim')}
       ${CLAIM_RETURNING}`,
    ),
    releaseExpired: db.prepare<[number, number, string], Released>(
      `UPDATE messages INDEXED BY messages_sending SET state = ${stateWritten('expire')}, lease_until = NULL, updated_ts = ?
       WHERE ${guardOf('expire')} AND lease_until <= ? AND seq NOT IN (SELECT value FROM json_each(?))
       RETURNING id, tenant_id, account_id`,
    ),
    releaseSeqs: db.prepare<[number, string], Released>(
      `UPDATE messages SET state = ${stateWritten('release')}, lease_until = NULL, updated_ts = ?
       WHERE ${guardOf('release')} AND seq IN (SELECT value FROM json_each(?))
       RETURNING id, tenant_id, account_id`,
    ),
    leased: db.prepare<[], { n: number }>(
      `SELECT COUNT(*) AS n FROM messages INDEXED BY messages_sending WHERE ${guardOf('expire')}`,
    ),
  };
}

const byDispatchOrder = (x: Head, y: Head) => x.priority - y.priority || x.seq - y.seq;

/** What a claim leaves in the queue, as the statements take it; null when nothing is held. */
function heldParams(held: HeldWork | undefined) {
  if (!held || (held.tenants.length === 0 && held.batches.length === 0)) return null;
  const byTenant = new Map<string, string[]>();
  for (const { tenant_id, batch_code } of held.batches) byTenant.set(tenant_id, [...(byTenant.get(tenant_id) ?? []), batch_code]);
  return {
    tenants: new Set(held.tenants),
    /** per tenant, its held batch codes as JSON */
    batchesOf: new Map(Array.from(byTenant, ([t, bs]) => [t, JSON.stringify(bs)])),
    json: { tenants: JSON.stringify(held.tenants), batches: JSON.stringify(held.batches.map((b) => ({ t: b.tenant_id, b: b.batch_code }))) },
  };
}

const NOTHING_HELD = { tenants: '[]', batches: '[]' };

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
            tenant_id: r.tenant_id,
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

  nextLeaseExpiry(excludeSeqs: readonly number[] = []) {
    return this.scope(() =>
      excludeSeqs.length === 0
        ? (this.st.earliestLease.get()?.ts ?? null)
        : (this.st.nextLease.get(JSON.stringify(excludeSeqs))?.ts ?? null),
    );
  }

  /** With caps, each account contributes at most its cap, taken from the head of its own queue; held work stays. */
  claim(req: ClaimRequest) {
    return this.scope(() => {
      if (req.limit <= 0) return [];
      const held = heldParams(req.held);
      return this.runner.write(() => {
        if (!req.caps) {
          const rows = held
            ? this.st.claimHeadHeld.all({ leaseUntil: req.leaseUntil, now: req.now, limit: req.limit, ...held.json })
            : this.st.claimHead.all(req.leaseUntil, req.now, req.limit);
          return rows.sort(byDispatchOrder);
        }
        const { perAccount, noAccount, otherAccounts } = req.caps;
        const heads: Head[] = [];
        for (let acc = this.st.firstAccount.get(); acc; acc = this.st.nextAccount.get(acc.t, acc.a, acc.t)) {
          if (held?.tenants.has(acc.t)) continue;
          const cap = Math.min(perAccount.get(accountKey(acc.t, acc.a)) ?? otherAccounts, req.limit);
          if (cap <= 0) continue;
          const batches = held?.batchesOf.get(acc.t);
          heads.push(...(batches ? this.st.headOfAccountHeld.all(acc.t, acc.a, batches, cap) : this.st.headOfAccount.all(acc.t, acc.a, cap)));
        }
        if (this.st.claimableWithoutAccount.get()?.n) {
          const cap = Math.min(noAccount, req.limit);
          if (cap > 0) heads.push(...this.st.headWithoutAccount.all({ ...(held?.json ?? NOTHING_HELD), limit: cap }));
        }
        if (heads.length === 0) return [];
        const seqs = heads.sort(byDispatchOrder).slice(0, req.limit).map((h) => h.seq);
        return this.st.claimSeqs.all(req.leaseUntil, req.now, JSON.stringify(seqs)).sort(byDispatchOrder);
      });
    });
  }

  /** Start-up passes expiredAt = +Infinity: nothing can be in flight then. */
  releaseExpiredLeases(now: number, expiredAt: number, excludeSeqs: readonly number[] = []) {
    const limit = Number.isFinite(expiredAt) ? expiredAt : Number.MAX_SAFE_INTEGER;
    return this.scope(() =>
      this.runner.write(() => {
        const rows = this.st.releaseExpired.all(now, limit, JSON.stringify(excludeSeqs));
        for (const r of rows) this.recordRelease('expire', r, now);
        return rows.length;
      }),
    );
  }

  releaseLeases(seqs: number[], now: number, reason: string) {
    return this.scope(() => {
      if (seqs.length === 0) return 0;
      return this.runner.write(() => {
        const rows = this.st.releaseSeqs.all(now, JSON.stringify(seqs));
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
    this.runner.outbox.record({
      message_id: r.id,
      tenant_id: r.tenant_id,
      account_id: r.account_id,
      ts: now,
      type,
      state: targetState(t),
      ...(detail ? { detail } : {}),
    });
  }
}
