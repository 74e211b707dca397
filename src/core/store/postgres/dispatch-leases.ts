import crypto from 'node:crypto';
import { accountKey, type RateSlot, type RateWindowLock, type RelayInstance, type SharedBackoff } from '../ports.js';
import { guardOf } from '../sql/transitions.js';
import type { PgScope, PgTransactionRunner } from './transaction-runner.js';

/** The advisory lock of an account's rate windows: 64 bits of a hash of its key (collisions only over-serialize). */
function windowLockId(key: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${crypto.createHash('sha1').update(`rate:${key}`).digest('hex').slice(0, 16)}`));
}

/**
 * What several relays on one database share besides the queue: their heartbeats, lease renewal, the
 * rate slots of sends in flight (send_log rows with `seq` set until the outcome) and account backoffs.
 */
export class PgDispatchLeases {
  constructor(
    private readonly runner: PgTransactionRunner,
    private readonly scope: PgScope,
  ) {}

  /** Only the owner's leases: one that expired and was claimed by another relay meanwhile stays theirs. */
  renewLeases(seqs: readonly number[], leaseUntil: number, owner: string) {
    return this.scope(async (db) => {
      if (seqs.length === 0) return 0;
      const r = await db.query(
        `UPDATE messages SET lease_until = $1 WHERE seq = ANY($2::bigint[]) AND ${guardOf('expire')} AND lease_owner = $3`,
        [leaseUntil, [...seqs], owner],
      );
      return r.rowCount ?? 0;
    });
  }

  heartbeat(relay: RelayInstance, now: number) {
    return this.scope(async (db) => {
      await db.query(
        `INSERT INTO relays (id, host, pid, started_ts, heartbeat_ts) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET heartbeat_ts = EXCLUDED.heartbeat_ts`,
        [relay.id, relay.host, relay.pid, relay.started_ts, now],
      );
    });
  }

  forgetRelay(id: string) {
    return this.scope(async (db) => {
      await db.query('DELETE FROM relays WHERE id = $1', [id]);
    });
  }

  liveRelays(since: number) {
    return this.scope(async (db) =>
      (await db.query<RelayInstance>('SELECT id, host, pid, started_ts FROM relays WHERE heartbeat_ts > $1 ORDER BY started_ts, id', [since])).rows,
    );
  }

  /**
   * Locks in one global order (by lock id, in one statement), so two claims never wait for each other in
   * a cycle; an account with `whenQueued` only if one of those has queued work. Then, the locks held,
   * reads the send log (a later statement: it must see the sends of the claim that held them before).
   */
  lockRateWindows(accounts: readonly RateWindowLock[], since: number, owner: string) {
    return this.scope(async (db) => {
      const out = new Map<string, number[]>();
      if (accounts.length === 0) return out;
      return this.runner.write(db, async (tx) => {
        const rows = accounts.flatMap((a) => {
          const id = windowLockId(accountKey(a.tenant_id, a.id)).toString();
          return a.whenQueued ? a.whenQueued.map((q) => ({ id, t: a.tenant_id, a: q, when: true })) : [{ id, t: a.tenant_id, a: null, when: false }];
        });
        const locked = await tx.query<{ id: string }>(
          `SELECT l.id::text AS id, pg_advisory_xact_lock(l.id) FROM (
             SELECT DISTINCT k.id FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bool[]) AS k(id, t, a, w)
             WHERE NOT k.w
               OR (k.a IS NOT NULL AND EXISTS (SELECT 1 FROM messages m WHERE ${guardOf('claim', 'm')} AND m.tenant_id = k.t AND m.account_id = k.a))
               OR (k.a IS NULL AND EXISTS (SELECT 1 FROM messages m WHERE ${guardOf('claim', 'm')} AND m.tenant_id = k.t AND m.account_id IS NULL))
             ORDER BY k.id) l`,
          [rows.map((r) => r.id), rows.map((r) => r.t), rows.map((r) => r.a), rows.map((r) => r.when)],
        );
        const ids = new Set(locked.rows.map((r) => r.id));
        const held = accounts.filter((a) => ids.has(windowLockId(accountKey(a.tenant_id, a.id)).toString()));
        for (const a of held) out.set(accountKey(a.tenant_id, a.id), []);
        if (held.length === 0) return out;
        const { rows: sends } = await tx.query<{ t: string; a: string; ts: number }>(
          `SELECT s.tenant_id AS t, s.account_id AS a, s.ts FROM send_log s
           JOIN unnest($1::text[], $2::text[]) AS k(t, a) ON s.tenant_id = k.t AND s.account_id = k.a
           WHERE s.ts > $3 AND (s.seq IS NULL OR s.owner IS DISTINCT FROM $4) ORDER BY s.ts`,
          [held.map((a) => a.tenant_id), held.map((a) => a.id), since, owner],
        );
        for (const r of sends) out.get(accountKey(r.t, r.a))?.push(r.ts);
        return out;
      });
    });
  }

  /** A seq's slot replaces the one it held (a failover moves it to the next account). */
  takeRateSlots(slots: readonly RateSlot[], now: number, owner: string) {
    return this.scope(async (db) => {
      if (slots.length === 0) return;
      await db.query(
        `WITH moved AS (DELETE FROM send_log WHERE seq = ANY($5::bigint[]) AND owner = $4)
         INSERT INTO send_log (tenant_id, account_id, ts, seq, owner) SELECT t, a, $3, s, $4 FROM unnest($1::text[], $2::text[], $5::bigint[]) AS k(t, a, s)`,
        [slots.map((s) => s.tenant_id), slots.map((s) => s.account_id), now, owner, slots.map((s) => s.seq)],
      );
    });
  }

  /** A later backoff wins; null (recovered) ends it for every relay. */
  shareBackoff(tenantId: string, accountId: string, until: number | null, error: string) {
    return this.scope(async (db) => {
      if (until === null) {
        await db.query('DELETE FROM account_backoffs WHERE tenant_id = $1 AND account_id = $2', [tenantId, accountId]);
        return;
      }
      await db.query(
        `INSERT INTO account_backoffs (tenant_id, account_id, until_ts, error) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, account_id) DO UPDATE SET until_ts = GREATEST(account_backoffs.until_ts, EXCLUDED.until_ts), error = EXCLUDED.error`,
        [tenantId, accountId, until, error],
      );
    });
  }

  sharedBackoffs(now: number) {
    return this.scope(
      async (db): Promise<SharedBackoff[]> =>
        (
          await db.query<SharedBackoff>(
            'SELECT tenant_id, account_id, until_ts AS until, error FROM account_backoffs WHERE until_ts > $1 ORDER BY tenant_id, account_id',
            [now],
          )
        ).rows,
    );
  }
}
