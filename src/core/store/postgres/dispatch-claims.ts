import { TRANSITIONS } from '../../messages/state-machine.js';
import type { MessageEvent } from '../../messages/types.js';
import type { LeaseScope } from '../ports.js';
import type { ClaimedMessage, ClaimRequest, HeldWork } from '../records.js';
import { guardOf, stateWritten, targetState } from '../sql/transitions.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

const CLAIMED = `m.seq, m.id, m.tenant_id, m.account_id, m.batch_code, m.priority, m.payload, m.attempts, m.retry_count,
  m.first_attempt_ts, m.created_ts, m.source_captured_id`;

type Released = { seq: number; id: string; tenant_id: string; account_id: string | null };
type Head = { seq: number; priority: number };

/** Rows of held tenants ($h_t) and of held batches (pairs $h_bt, $h_bb) stay; `alias`: the messages row. */
const notHeld = (alias: string, tenants: string, batchTenants: string, batches: string) =>
  `NOT (${alias}.tenant_id = ANY(${tenants}::text[]))
   AND (${alias}.batch_code IS NULL OR NOT EXISTS (SELECT 1 FROM unnest(${batchTenants}::text[], ${batches}::text[]) AS h(t, b)
        WHERE h.t = ${alias}.tenant_id AND h.b = ${alias}.batch_code))`;

/** The head of the whole queue, in dispatch order, without per-account caps. */
const CLAIM_HEAD = `UPDATE messages m SET state = ${stateWritten('claim')}, lease_until = $1, updated_ts = $2, lease_owner = $7
  FROM (SELECT seq FROM messages q WHERE ${guardOf('claim', 'q')} AND ${notHeld('q', '$4', '$5', '$6')}
        ORDER BY priority, seq LIMIT $3 FOR UPDATE SKIP LOCKED) l
  WHERE m.seq = l.seq RETURNING ${CLAIMED}`;

/**
 * A capped claim in one statement: every (tenant, account) with queued work (a loose index scan of
 * messages_queued_account, one probe per account), its cap ($4-$6 given per account, $7 for the others,
 * at most $8), the head of each account's queue within its cap and of the unassigned work ($9), each
 * locked as it is read (SKIP LOCKED: a claim racing on another relay takes the rows after those, never
 * comes back short), the first $8 of them in dispatch order leased. One round trip: a claim is on the
 * critical path of every relay sharing the database.
 */
const CLAIM_CAPPED = `WITH RECURSIVE acc(t, a) AS (
    (SELECT tenant_id, account_id FROM messages WHERE ${guardOf('claim')} AND account_id IS NOT NULL ORDER BY tenant_id, account_id LIMIT 1)
    UNION ALL
    SELECT n.t, n.a FROM acc, LATERAL (SELECT tenant_id AS t, account_id AS a FROM messages
      WHERE ${guardOf('claim')} AND account_id IS NOT NULL AND (tenant_id, account_id) > (acc.t, acc.a)
      ORDER BY tenant_id, account_id LIMIT 1) n),
  c AS (SELECT * FROM (SELECT acc.t, acc.a, LEAST(COALESCE(k.cap, $7), $8) AS cap FROM acc
      LEFT JOIN unnest($4::text[], $5::text[], $6::int[]) AS k(t, a, cap) ON k.t = acc.t AND k.a = acc.a) x WHERE x.cap > 0),
  heads AS (
    SELECT h.seq, h.priority FROM c CROSS JOIN LATERAL (SELECT seq, priority FROM messages q WHERE ${guardOf('claim', 'q')}
      AND q.tenant_id = c.t AND q.account_id = c.a AND ${notHeld('q', '$10', '$11', '$12')} ORDER BY priority, seq LIMIT c.cap FOR UPDATE SKIP LOCKED) h
    UNION ALL
    SELECT f.seq, f.priority FROM (SELECT seq, priority FROM messages q WHERE ${guardOf('claim', 'q')} AND q.account_id IS NULL AND ${notHeld('q', '$10', '$11', '$12')}
      ORDER BY priority, seq LIMIT $9 FOR UPDATE SKIP LOCKED) f),
  pick AS (SELECT seq FROM heads ORDER BY priority, seq LIMIT $8)
  UPDATE messages m SET state = ${stateWritten('claim')}, lease_until = $1, updated_ts = $2, lease_owner = $3
  FROM pick WHERE m.seq = pick.seq AND ${guardOf('claim', 'm')} RETURNING ${CLAIMED}`;

/** accountKey's inverse (records.ts): the default tenant's key is the id, another's is NUL tenant NUL id. */
function splitKey(key: string): [string, string] {
  if (!key.startsWith('\u0000')) return ['', key];
  const at = key.indexOf('\u0000', 1);
  return [key.slice(1, at), key.slice(at + 1)];
}

/**
 * When the lease of `m` (joined to its owner `r`) may be taken back: another relay's lease not before
 * its heartbeat goes stale (`live`: a heartbeat's lifetime in seconds), as releaseExpiredLeases decides.
 */
const liveUntil = (owner: string, live: string) =>
  `CASE WHEN r.id IS NOT NULL AND m.lease_owner IS DISTINCT FROM ${owner} THEN GREATEST(m.lease_until, r.heartbeat_ts + ${live}) ELSE m.lease_until END`;

/** The timeline row of a lease given back (expired, or released unsent). */
function releaseEvent(t: 'expire' | 'release', r: Released, now: number, detail?: Record<string, unknown>): MessageEvent {
  return { message_id: r.id, tenant_id: r.tenant_id, account_id: r.account_id, ts: now, type: TRANSITIONS[t].events[0], state: targetState(t), ...(detail ? { detail } : {}) };
}

const byDispatchOrder = (x: Head, y: Head) => x.priority - y.priority || x.seq - y.seq;

/** What a claim leaves in the queue, as three arrays. */
function heldArrays(held: HeldWork | undefined): [string[], string[], string[]] {
  return [[...(held?.tenants ?? [])], (held?.batches ?? []).map((b) => b.tenant_id), (held?.batches ?? []).map((b) => b.batch_code)];
}

/** The queue side of dispatch: what is due, claims and their leases, and leases given back. */
export class PgDispatchClaims {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
  ) {}

  promoteDue(now: number) {
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        const { rows } = await tx.query<Released & { deferred_reason: string | null }>(
          `UPDATE messages SET state = ${stateWritten('promote')}, updated_ts = $1 WHERE ${guardOf('promote')} AND deferred_ts <= $1
           RETURNING id, tenant_id, account_id, deferred_reason`,
          [now],
        );
        await this.runner.outbox.recordMany(
          tx,
          rows.map((r) => ({
            message_id: r.id,
            tenant_id: r.tenant_id,
            account_id: r.account_id,
            ts: now,
            type: TRANSITIONS.promote.events[0],
            state: targetState('promote'),
            ...(r.deferred_reason ? { detail: { reason: r.deferred_reason } } : {}),
          })),
        );
        return rows.length;
      }),
    );
  }

  nextDueTs() {
    return this.scope(async (db) => (await db.query<{ ts: number | null }>(`SELECT MIN(deferred_ts) AS ts FROM messages WHERE ${guardOf('promote')}`)).rows[0]?.ts ?? null);
  }

  nextLeaseExpiry(excludeSeqs: readonly number[] = [], scope?: LeaseScope) {
    return this.scope(async (db) => {
      const { rows } = scope
        ? await db.query<{ ts: number | null }>(
            `SELECT MIN(${liveUntil('$2', '$3')}) AS ts FROM messages m LEFT JOIN relays r ON r.id = m.lease_owner
             WHERE ${guardOf('expire', 'm')} AND NOT (m.seq = ANY($1::bigint[]))`,
            [[...excludeSeqs], scope.owner, scope.liveSeconds],
          )
        : await db.query<{ ts: number | null }>(`SELECT MIN(lease_until) AS ts FROM messages WHERE ${guardOf('expire')} AND NOT (seq = ANY($1::bigint[]))`, [
            [...excludeSeqs],
          ]);
      return rows[0]?.ts ?? null;
    });
  }

  /** With caps, each account contributes at most its cap, taken from the head of its own queue; held work stays. */
  claim(req: ClaimRequest) {
    return this.scope(async (db): Promise<ClaimedMessage[]> => {
      if (req.limit <= 0) return [];
      const held = heldArrays(req.held);
      return this.runner.write(db, async (tx) => {
        if (!req.caps) {
          const { rows } = await tx.query<ClaimedMessage>(CLAIM_HEAD, [req.leaseUntil, req.now, req.limit, ...held, req.owner ?? null]);
          return rows.sort(byDispatchOrder);
        }
        const { perAccount, noAccount, otherAccounts } = req.caps;
        const keys = [...perAccount.keys()].map(splitKey);
        const { rows } = await tx.query<ClaimedMessage>(CLAIM_CAPPED, [
          req.leaseUntil,
          req.now,
          req.owner ?? null,
          keys.map((k) => k[0]),
          keys.map((k) => k[1]),
          [...perAccount.values()],
          otherAccounts,
          req.limit,
          Math.max(0, Math.min(noAccount, req.limit)),
          ...held,
        ]);
        return rows.sort(byDispatchOrder);
      });
    });
  }

  /**
   * Start-up passes expiredAt = +Infinity: leases of relays that are not live go back. The rate slots of
   * expired leases stay counted as sends (the relay may have sent before it died: limits are never exceeded).
   */
  releaseExpiredLeases(now: number, expiredAt: number, excludeSeqs: readonly number[] = [], scope?: LeaseScope) {
    const limit = Number.isFinite(expiredAt) ? expiredAt : Number.MAX_SAFE_INTEGER;
    const live = scope ? `AND NOT EXISTS (SELECT 1 FROM relays r WHERE r.id = m.lease_owner AND r.heartbeat_ts > $5 AND m.lease_owner IS DISTINCT FROM $4)` : '';
    const params = scope ? [now, limit, [...excludeSeqs], scope.owner, now - scope.liveSeconds] : [now, limit, [...excludeSeqs]];
    return this.scope((db) =>
      this.runner.write(db, async (tx) => {
        const { rows } = await tx.query<Released>(
          `WITH u AS (UPDATE messages m SET state = ${stateWritten('expire')}, lease_until = NULL, updated_ts = $1
             WHERE ${guardOf('expire', 'm')} AND m.lease_until <= $2 AND NOT (m.seq = ANY($3::bigint[])) ${live}
             RETURNING m.seq, m.id, m.tenant_id, m.account_id),
           s AS (UPDATE send_log SET seq = NULL, owner = NULL WHERE seq IN (SELECT seq FROM u))
           SELECT * FROM u`,
          params,
        );
        await this.runner.outbox.recordMany(tx, rows.sort((a, b) => a.seq - b.seq).map((r) => releaseEvent('expire', r, now)));
        return rows.length;
      }),
    );
  }

  releaseLeases(seqs: number[], now: number, reason: string) {
    return this.scope(async (db) => {
      if (seqs.length === 0) return 0;
      return this.runner.write(db, async (tx) => {
        // released unsent: their rate slots are free again
        const { rows } = await tx.query<Released>(
          `WITH u AS (UPDATE messages SET state = ${stateWritten('release')}, lease_until = NULL, updated_ts = $1
             WHERE ${guardOf('release')} AND seq = ANY($2::bigint[]) RETURNING seq, id, tenant_id, account_id),
           s AS (DELETE FROM send_log WHERE seq = ANY($2::bigint[]))
           SELECT * FROM u`,
          [now, seqs],
        );
        const order = new Map(seqs.map((seq, i) => [seq, i]));
        rows.sort((a, b) => (order.get(a.seq) ?? 0) - (order.get(b.seq) ?? 0));
        await this.runner.outbox.recordMany(tx, rows.map((r) => releaseEvent('release', r, now, { reason })));
        return rows.length;
      });
    });
  }

  countLeased() {
    return this.scope(async (db) => (await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM messages WHERE ${guardOf('expire')}`)).rows[0]?.n ?? 0);
  }
}
