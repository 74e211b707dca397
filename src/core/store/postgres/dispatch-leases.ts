import crypto from 'node:crypto';
import { accountKey, type RateSlot, type RelayInstance, type SharedBackoff } from '../ports.js';
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

  /** Locks in one global order (by lock id), so two claims never wait for each other in a cycle. */
  lockRateWindows(accounts: readonly { tenant_id: string; id: string }[], since: number, owner: string) {
    return this.scope(async (db) => {
      const out = new Map<string, number[]>();
      if (accounts.length === 0) return out;
      return this.runner.write(db, async (tx) => {
        const ids = [...new Set(accounts.map((a) => windowLockId(accountKey(a.tenant_id, a.id))))].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        for (const id of ids) await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [id.toString()]);
        for (const a of accounts) out.set(accountKey(a.tenant_id, a.id), []);
        const { rows } = await tx.query<{ t: string; a: string; ts: number }>(
          `SELECT s.tenant_id AS t, s.account_id AS a, s.ts FROM send_log s
           JOIN unnest($1::text[], $2::text[]) AS k(t, a) ON s.tenant_id = k.t AND s.account_id = k.a
           WHERE s.ts > $3 AND (s.seq IS NULL OR s.owner IS DISTINCT FROM $4) ORDER BY s.ts`,
          [accounts.map((a) => a.tenant_id), accounts.map((a) => a.id), since, owner],
        );
        for (const r of rows) out.get(accountKey(r.t, r.a))?.push(r.ts);
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
